import Crypto
import Foundation
import Logging
import NIOCore
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A PostgreSQL server for development and tests, run from the installed server binaries on a data directory of
/// its own, listening on 127.0.0.1 only, with `trust` authentication.
///
/// ``start()`` creates the cluster on first use (`initdb`), starts it (`pg_ctl start`), or reuses the server a
/// previous run left running on the same directory; ``stop()`` stops it (`pg_ctl stop -m fast`). When this process
/// is root, the tools run as the OS user `postgres` (`initdb` refuses root), which then owns the data directory.
///
/// With `forTests: true` the server runs without `fsync` (fast, not crash-safe) and with more connection slots;
/// development clusters keep PostgreSQL's durable defaults. ``unixSocketConfiguration(_:)`` gives the same
/// connection through the server's Unix socket, which costs less per round trip than loopback TCP.
public actor EmbeddedPostgres {
    /// The cluster's folder (created if missing; PostgreSQL's log is `postgres.log` in it).
    public nonisolated let dataDirectory: URL
    /// The port asked for, or nil to pick a free loopback port at each start.
    public nonisolated let requestedPort: Int?
    /// The superuser role created by `initdb`.
    public nonisolated let superuser: String
    /// Whether durability is traded for speed (`fsync=off`).
    public nonisolated let forTests: Bool
    /// Where the server's Unix socket is (the data directory, or a short folder under /tmp when its path is long).
    public nonisolated let socketDirectory: URL
    /// Server settings passed at start (`-c name=value`), after those of `forTests`.
    public nonisolated let settings: [(name: String, value: String)]
    private nonisolated let explicitBinDirectory: URL?
    private let logger: Logger

    private enum State {
        case stopped
        case starting(Task<DatabaseConfiguration, any Error>)
        case running(DatabaseConfiguration)
        case stopping(Task<Void, any Error>)
    }
    private var state = State.stopped

    /// A server on `dataDirectory`.
    ///
    /// - Parameters:
    ///   - port: the TCP port on 127.0.0.1; nil picks a free one at each start.
    ///   - superuser: the role `initdb` creates, with which ``start()``'s configuration connects.
    ///   - forTests: run with `fsync=off`, `synchronous_commit=off`, `full_page_writes=off` and 300 connections.
    ///   - settings: more server settings, e.g. `("max_wal_size", "8GB")`: names of letters, digits, `_` and `.`,
    ///     values without quotes or backslashes (``start()`` refuses others). They apply when this object starts
    ///     the server, not to a server a previous run left running.
    ///   - binDirectory: the folder of `initdb`, `pg_ctl` and `postgres`; nil finds it (``locateBinaries()``).
    public init(
        dataDirectory: URL, port: Int? = nil, superuser: String = "parcours", forTests: Bool = false,
        settings: [(name: String, value: String)] = [], binDirectory: URL? = nil,
        logger: Logger = Logger(label: "parcours.embedded-postgres")
    ) {
        self.dataDirectory = dataDirectory.standardizedFileURL
        self.requestedPort = port
        self.superuser = superuser
        self.forTests = forTests
        self.settings = settings
        self.explicitBinDirectory = binDirectory
        self.logger = logger
        let path = self.dataDirectory.path
        if path.utf8.count + "/.s.PGSQL.65535".utf8.count <= 100 {
            socketDirectory = self.dataDirectory
        } else {
            let digest = SHA256.hash(data: Data(path.utf8)).prefix(6).map { String(format: "%02x", $0) }.joined()
            socketDirectory = URL(fileURLWithPath: "/tmp/parcours-pg-\(digest)")
        }
    }

    /// `configuration` (one that ``start()`` returned) through the server's Unix socket instead of loopback TCP:
    /// the same role and database. A round trip over the socket skips the kernel's TCP/IP path on both sides,
    /// which the runtime's one-statement events feel (docs/performance.md).
    public nonisolated func unixSocketConfiguration(_ configuration: DatabaseConfiguration) -> DatabaseConfiguration {
        var copy = configuration
        copy.unixSocketPath = socketDirectory.appendingPathComponent(".s.PGSQL.\(configuration.port)").path
        return copy
    }

    /// The superuser's configuration (database `postgres`) while the server runs, else nil.
    public var configuration: DatabaseConfiguration? {
        if case .running(let configuration) = state { return configuration }
        return nil
    }

    /// Starts the server (creating the cluster on first use) and returns the superuser's configuration, connecting
    /// to the database `postgres` over TCP on 127.0.0.1. Calling it again while it runs returns the same
    /// configuration; concurrent calls share one start.
    ///
    /// - Throws: ``EmbeddedPostgresError``, quoting the tools' output and the tail of `postgres.log`.
    public func start() async throws -> DatabaseConfiguration {
        switch state {
        case .running(let configuration):
            return configuration
        case .starting(let task):
            return try await task.value
        case .stopping(let task):
            _ = try? await task.value
            return try await start()
        case .stopped:
            // The task runs on this actor, after this method suspends: it is registered before it can finish.
            let task = Task {
                do {
                    let configuration = try await self.launch()
                    self.state = .running(configuration)
                    return configuration
                } catch {
                    self.state = .stopped
                    throw error
                }
            }
            state = .starting(task)
            return try await task.value
        }
    }

    /// Stops the server (`pg_ctl stop -m fast`): also one a previous run left running on this directory. Does
    /// nothing when no server runs.
    public func stop() async throws {
        switch state {
        case .stopping(let task):
            try await task.value
        case .starting(let task):
            _ = try? await task.value
            try await stop()
        case .running, .stopped:
            let task = Task {
                defer { self.state = .stopped }
                try await self.shutdown()
            }
            state = .stopping(task)
            try await task.value
        }
    }

    /// Stops the server at once, blocking the calling thread, ignoring errors: for an `atexit` hook, where no
    /// task can run.
    public nonisolated func stopBlocking() {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("postmaster.pid").path),
            let binaries = try? binDirectory()
        else { return }
        _ = try? ChildProcess.runBlocking(
            binaries.appendingPathComponent("pg_ctl"), ["stop", "-D", dataDirectory.path, "-m", "fast", "-w"],
            as: Self.serverUser?.name)
    }

    // MARK: - Starting

    private func launch() async throws -> DatabaseConfiguration {
        try Self.checkSettings(settings)
        let binaries = try binDirectory()
        let user = try Self.requireServerUser()
        try prepareDirectories(for: user)
        if FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path) {
            try await checkVersion(binaries)
        } else {
            try await initialize(binaries, user: user?.name)
        }
        if let reused = try await reuseRunningServer(binaries, user: user?.name) { return reused }
        var attempt = 1
        while true {
            var port = requestedPort ?? 0
            if requestedPort == nil { port = try await Self.freePort() }
            do {
                try await startServer(binaries, port: port, user: user?.name)
                logger.info(
                    "embedded PostgreSQL started",
                    metadata: ["data": "\(dataDirectory.path)", "port": "\(port)"])
                return configuration(port: port)
            } catch let error as EmbeddedPostgresError
                where requestedPort == nil && attempt < 3 && error.message.contains("already in use")
            {
                attempt += 1  // the free port was taken meanwhile: pick another
            }
        }
    }

    private func configuration(port: Int) -> DatabaseConfiguration {
        DatabaseConfiguration(
            host: "127.0.0.1", port: port, username: superuser, database: "postgres", tlsMode: .disable)
    }

    private func prepareDirectories(for user: ServerUser?) throws {
        let manager = FileManager.default
        let path = dataDirectory.path
        guard !path.contains("'"), !socketDirectory.path.contains("'") else {
            throw EmbeddedPostgresError("the data directory \(path) must not contain a quote (')")
        }
        // Never take over a folder holding something else.
        let isCluster = manager.fileExists(atPath: dataDirectory.appendingPathComponent("PG_VERSION").path)
        let contents = (try? manager.contentsOfDirectory(atPath: path)) ?? []
        if !isCluster, !contents.isEmpty {
            throw EmbeddedPostgresError(
                "\(path) is not empty and is not a PostgreSQL data directory: choose an empty or new folder")
        }
        for folder in Set([dataDirectory, socketDirectory]) {
            var isDirectory: ObjCBool = false
            if manager.fileExists(atPath: folder.path, isDirectory: &isDirectory) {
                guard isDirectory.boolValue else {
                    throw EmbeddedPostgresError("\(folder.path) exists and is not a folder")
                }
            } else {
                do {
                    // Parents with the default permissions (the server's user must get through them), the
                    // folder itself private.
                    try manager.createDirectory(
                        at: folder.deletingLastPathComponent(), withIntermediateDirectories: true)
                    try manager.createDirectory(
                        at: folder, withIntermediateDirectories: false, attributes: [.posixPermissions: 0o700])
                } catch {
                    throw EmbeddedPostgresError("cannot create \(folder.path): \(error)")
                }
            }
            if let user, chown(folder.path, user.uid, user.gid) != 0 {
                throw EmbeddedPostgresError(
                    "cannot give \(folder.path) to the OS user \(user.name): \(String(cString: strerror(errno)))")
            }
        }
    }

    private func initialize(_ binaries: URL, user: String?) async throws {
        var arguments = [
            "-D", dataDirectory.path, "-U", superuser, "--auth=trust", "--encoding=UTF8", "--locale=C.UTF-8",
        ]
        if forTests { arguments.append("--no-sync") }
        let initdb = binaries.appendingPathComponent("initdb")
        var outcome = try await ChildProcess.run(initdb, arguments, as: user)
        if !outcome.succeeded, outcome.output.contains("locale") {
            // No C.UTF-8 locale on this system: the C locale, still UTF-8.
            arguments = arguments.map { $0 == "--locale=C.UTF-8" ? "--no-locale" : $0 }
            outcome = try await ChildProcess.run(initdb, arguments, as: user)
        }
        guard outcome.succeeded else {
            var message = "initdb failed for \(dataDirectory.path) (exit \(outcome.status)):\n\(outcome.output)"
            if let user, outcome.output.contains("Permission denied") {
                message += "\nPostgreSQL runs as the OS user \(user), which must be able to reach this folder: "
                message += "choose one whose parent folders it may enter (not under /root), e.g. under /tmp"
            }
            throw EmbeddedPostgresError(message)
        }
        logger.info("created PostgreSQL cluster", metadata: ["data": "\(dataDirectory.path)"])
    }

    private func checkVersion(_ binaries: URL) async throws {
        let file = dataDirectory.appendingPathComponent("PG_VERSION")
        let cluster = ((try? String(contentsOf: file, encoding: .utf8)) ?? "").trimmingCharacters(
            in: .whitespacesAndNewlines)
        let outcome = try await ChildProcess.run(binaries.appendingPathComponent("pg_ctl"), ["--version"])
        // "pg_ctl (PostgreSQL) 15.18 (Debian 15.18-0+deb12u1)"
        guard let range = outcome.output.range(of: "PostgreSQL) ") else { return }
        let version = outcome.output[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        let major = version.split(separator: ".").first.map(String.init) ?? ""
        if !cluster.isEmpty, !major.isEmpty, cluster != major {
            throw EmbeddedPostgresError(
                "\(dataDirectory.path) was created by PostgreSQL \(cluster) but the server binaries in "
                    + "\(binaries.path) are PostgreSQL \(major): delete the folder to start afresh, or install "
                    + "PostgreSQL \(cluster)")
        }
    }

    /// The lines of `postmaster.pid` (the pid, the data directory, the start time, the port, …); empty without it.
    private nonisolated func postmasterFile() -> [Substring] {
        let text =
            (try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.pid"), encoding: .utf8)) ?? ""
        return text.split(separator: "\n", omittingEmptySubsequences: false)
    }

    /// The postmaster's process id while the server runs (from `postmaster.pid`), else nil.
    public nonisolated var postmasterProcessID: Int32? {
        postmasterFile().first.flatMap { Int32($0.trimmingCharacters(in: .whitespaces)) }
    }

    /// The configuration of a server already running on the data directory, when it suits (same port if one was
    /// asked, same durability settings) and answers; a running server that does not suit is stopped.
    private func reuseRunningServer(_ binaries: URL, user: String?) async throws -> DatabaseConfiguration? {
        let pgCtl = binaries.appendingPathComponent("pg_ctl")
        let status = try await ChildProcess.run(pgCtl, ["status", "-D", dataDirectory.path], as: user)
        guard status.succeeded else { return nil }
        let lines = postmasterFile()
        let options =
            (try? String(contentsOf: dataDirectory.appendingPathComponent("postmaster.opts"), encoding: .utf8)) ?? ""
        if lines.count > 3, let port = Int(lines[3].trimmingCharacters(in: .whitespaces)),
            requestedPort == nil || requestedPort == port,
            options.contains("fsync=off") == forTests, options.contains("listen_addresses=127.0.0.1")
        {
            let candidate = configuration(port: port)
            if (try? await DatabaseCheck.verify(candidate, timeout: .seconds(5), logger: logger)) != nil {
                logger.info(
                    "reusing the running PostgreSQL", metadata: ["data": "\(dataDirectory.path)", "port": "\(port)"])
                return candidate
            }
        }
        logger.info("restarting the PostgreSQL left running", metadata: ["data": "\(dataDirectory.path)"])
        let stopped = try await ChildProcess.run(
            pgCtl, ["stop", "-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60"], as: user)
        guard stopped.succeeded else {
            throw EmbeddedPostgresError(
                "cannot stop the PostgreSQL left running on \(dataDirectory.path):\n\(stopped.output)")
        }
        return nil
    }

    /// pg_ctl passes `-o` through a shell: only plain names and values may get there.
    static func checkSettings(_ settings: [(name: String, value: String)]) throws {
        let forbidden = Set("'\"\\ $`;&|<>(){}\n\t".unicodeScalars)
        for setting in settings {
            let isPlainName =
                !setting.name.isEmpty
                && setting.name.unicodeScalars.allSatisfy {
                    ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "_"
                        || $0 == "."
                }
            let isPlainValue =
                !setting.value.isEmpty && !setting.value.unicodeScalars.contains(where: forbidden.contains)
            guard isPlainName, isPlainValue else {
                throw EmbeddedPostgresError(
                    "the server setting \(setting.name)=\(setting.value) is refused: a name of letters, digits, _ and ., "
                        + "a value without spaces, quotes, backslashes or shell characters")
            }
        }
    }

    private func startServer(_ binaries: URL, port: Int, user: String?) async throws {
        let log = dataDirectory.appendingPathComponent("postgres.log")
        let logStart = (try? FileManager.default.attributesOfItem(atPath: log.path)[.size] as? Int) ?? 0
        var options = "-c listen_addresses=127.0.0.1 -p \(port) -k '\(socketDirectory.path)'"
        if forTests {
            options += " -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300"
        }
        for setting in settings {
            options += " -c \(setting.name)=\(setting.value)"
        }
        let outcome = try await ChildProcess.run(
            binaries.appendingPathComponent("pg_ctl"),
            ["start", "-D", dataDirectory.path, "-w", "-t", "60", "-l", log.path, "-o", options], as: user)
        guard outcome.succeeded else {
            throw EmbeddedPostgresError(
                "PostgreSQL did not start on 127.0.0.1:\(port) (pg_ctl exit \(outcome.status)):\n"
                    + outcome.output.trimmingCharacters(in: .whitespacesAndNewlines)
                    + "\nthe end of \(log.path):\n" + Self.tail(of: log, from: logStart))
        }
    }

    // MARK: - Stopping

    private func shutdown() async throws {
        guard FileManager.default.fileExists(atPath: dataDirectory.appendingPathComponent("postmaster.pid").path)
        else { return }
        let binaries = try binDirectory()
        let user = Self.serverUser?.name
        let pgCtl = binaries.appendingPathComponent("pg_ctl")
        let outcome = try await ChildProcess.run(
            pgCtl, ["stop", "-D", dataDirectory.path, "-m", "fast", "-w", "-t", "60"], as: user)
        guard outcome.succeeded else {
            let status = try await ChildProcess.run(pgCtl, ["status", "-D", dataDirectory.path], as: user)
            if status.status == 3 { return }  // no server running after all (a stale postmaster.pid)
            throw EmbeddedPostgresError(
                "PostgreSQL on \(dataDirectory.path) did not stop (pg_ctl exit \(outcome.status)):\n\(outcome.output)"
                    + "\nthe end of postgres.log:\n"
                    + Self.tail(of: dataDirectory.appendingPathComponent("postgres.log"), from: 0))
        }
        logger.info("embedded PostgreSQL stopped", metadata: ["data": "\(dataDirectory.path)"])
    }

    // MARK: - Binaries, users, ports, logs

    private nonisolated func binDirectory() throws -> URL {
        if let explicitBinDirectory { return explicitBinDirectory }
        guard let found = Self.defaultBinaries else {
            throw EmbeddedPostgresError(
                "no PostgreSQL server binaries found (looked at pg_config --bindir, /usr/lib/postgresql/*/bin and "
                    + "PATH for initdb): install the PostgreSQL server (Debian: apt-get install postgresql)")
        }
        return found
    }

    /// ``locateBinaries(environment:)`` for this process, looked up once.
    private static let defaultBinaries = locateBinaries()

    /// The folder holding `initdb`, `pg_ctl` and `postgres`: `pg_config --bindir`, else the highest version of
    /// `/usr/lib/postgresql/*/bin`, else the folder of the `initdb` found on `PATH` (symbolic links resolved).
    public static func locateBinaries(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> URL? {
        let manager = FileManager.default
        func isServerFolder(_ folder: URL) -> Bool {
            ["initdb", "pg_ctl", "postgres"].allSatisfy {
                manager.isExecutableFile(atPath: folder.appendingPathComponent($0).path)
            }
        }
        let path = (environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin").split(separator: ":").map(String.init)
        if let pgConfig = path.map({ URL(fileURLWithPath: $0).appendingPathComponent("pg_config") })
            .first(where: { manager.isExecutableFile(atPath: $0.path) }),
            let outcome = try? ChildProcess.runBlocking(pgConfig, ["--bindir"]), outcome.succeeded
        {
            let folder = URL(fileURLWithPath: outcome.output.trimmingCharacters(in: .whitespacesAndNewlines))
            if isServerFolder(folder) { return folder }
        }
        let root = URL(fileURLWithPath: "/usr/lib/postgresql")
        let versions = ((try? manager.contentsOfDirectory(atPath: root.path)) ?? [])
            .compactMap { name in Double(name).map { (name, $0) } }
            .sorted { $0.1 > $1.1 }
        for (name, _) in versions {
            let folder = root.appendingPathComponent(name).appendingPathComponent("bin")
            if isServerFolder(folder) { return folder }
        }
        for entry in path {
            let initdb = URL(fileURLWithPath: entry).appendingPathComponent("initdb")
            guard manager.isExecutableFile(atPath: initdb.path) else { continue }
            let folder = initdb.resolvingSymlinksInPath().deletingLastPathComponent()
            if isServerFolder(folder) { return folder }
        }
        return nil
    }

    /// The unprivileged OS user the server runs as when this process is root.
    struct ServerUser {
        var name: String
        var uid: uid_t
        var gid: gid_t
    }

    /// `postgres` when this process is root, else nil (the tools run as this process's user).
    static var serverUser: ServerUser? {
        guard geteuid() == 0, let entry = getpwnam("postgres") else { return nil }
        return ServerUser(name: "postgres", uid: entry.pointee.pw_uid, gid: entry.pointee.pw_gid)
    }

    private static func requireServerUser() throws -> ServerUser? {
        guard geteuid() == 0 else { return nil }
        guard let user = serverUser else {
            throw EmbeddedPostgresError(
                "this process runs as root and PostgreSQL refuses to: create the OS user postgres "
                    + "(useradd --system postgres) or run as another user")
        }
        guard ChildProcess.runuserPath != nil else {
            throw EmbeddedPostgresError("this process runs as root and runuser (util-linux) is missing")
        }
        return user
    }

    /// A TCP port free on 127.0.0.1 right now.
    static func freePort() async throws -> Int {
        let channel = try await ServerBootstrap(group: MultiThreadedEventLoopGroup.singleton)
            .bind(host: "127.0.0.1", port: 0).get()
        let port = channel.localAddress?.port
        try await channel.close()
        guard let port else { throw EmbeddedPostgresError("cannot find a free port on 127.0.0.1") }
        return port
    }

    /// The last lines written to `log` since `offset`.
    static func tail(of log: URL, from offset: Int, lines: Int = 20) -> String {
        guard let handle = try? FileHandle(forReadingFrom: log) else { return "(no log)" }
        defer { try? handle.close() }
        try? handle.seek(toOffset: UInt64(max(0, offset)))
        let data = (try? handle.readToEnd()) ?? Data()
        let text = String(decoding: data, as: UTF8.self)
        let kept = text.split(separator: "\n", omittingEmptySubsequences: true).suffix(lines)
        return kept.isEmpty ? "(nothing logged)" : kept.joined(separator: "\n")
    }
}

// MARK: - Throwaway clusters and their owners

extension EmbeddedPostgres {
    /// The file, in a throwaway cluster's folder, that holds the id of the process that made it.
    public static let ownerFileName = "owner.pid"

    /// A new folder `<parent>/<prefix><random>` for a throwaway cluster, marked with this process's id, so that
    /// ``removeAbandonedClusters(prefix:dataFolder:in:)`` can tell when its owner is gone.
    public static func makeOwnedFolder(
        prefix: String, in parent: URL = FileManager.default.temporaryDirectory
    ) throws -> URL {
        let folder = parent.appendingPathComponent("\(prefix)\(UUID().uuidString.prefix(8).lowercased())")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        try "\(getpid())\n".write(
            to: folder.appendingPathComponent(ownerFileName), atomically: true, encoding: .utf8)
        return folder
    }

    /// Stops and deletes the throwaway clusters (`<folder>/<dataFolder>`) of the folders `<parent>/<prefix>*`
    /// whose owner process is gone: one killed, or crashed, before it could clean up. A folder without an owner
    /// file, or whose owner still runs, is left alone. Returns the folders removed.
    @discardableResult
    public static func removeAbandonedClusters(
        prefix: String, dataFolder: String, in parent: URL = FileManager.default.temporaryDirectory
    ) -> [URL] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: parent.path)) ?? []
        var removed: [URL] = []
        for name in names.sorted() where name.hasPrefix(prefix) {
            let folder = parent.appendingPathComponent(name)
            let owner = try? String(contentsOf: folder.appendingPathComponent(ownerFileName), encoding: .utf8)
            guard let pid = owner.flatMap({ pid_t($0.trimmingCharacters(in: .whitespacesAndNewlines)) }),
                kill(pid, 0) != 0, errno == ESRCH
            else { continue }
            EmbeddedPostgres(dataDirectory: folder.appendingPathComponent(dataFolder)).stopBlocking()
            if (try? FileManager.default.removeItem(at: folder)) != nil { removed.append(folder) }
        }
        return removed
    }
}
