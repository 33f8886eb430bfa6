import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import ParcoursTestSupport
import PostgresNIO
import Testing

@testable import ParcoursRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Two `parcours serve` processes over one database (issue 3, item 9): every timer fires once and every
/// notification is delivered once, whichever process takes it, and both stop cleanly on SIGTERM.
@Suite("serve: several processes over one database", .serialized)
struct ServeCoordinationTests {
    static let instanceCount = 40

    /// A waiting state whose timer, two seconds later, moves to a final state that sends a notification.
    static let reminder = (
        file: "reminder.yaml",
        text: """
        process: reminder
        start: waiting
        params:
          email: { type: email, required: true }
          name: { type: string, required: true }
        notifications:
          reminder:
            params: { name: string }
            subject:
              fr: Rappel
            body:
              fr: "Bonjour {{ name }}, ceci est un rappel."
        states:
          waiting:
            on:
              cancel:
                goto: cancelled
            timers:
              - after: PT2S
                goto: reminded
          reminded:
            final: success
            notify:
              - template: reminder
                to: context.email
                with: { name: context.name }
          cancelled:
            final: cancelled
        """
    )

    @Test func twoServeProcessesHandleEachTimerAndNotificationOnce() async throws {
        try await ServeHarness.with(deploying: [Self.reminder]) { harness in
            let (runtime, superuser, mailFolder) = (harness.runtime, harness.superuser, harness.mailFolder)
            // Both servers run before any timer is armed, so that both are awake when the timers fall due.
            let servers = try (0..<2).map { index in
                try harness.launch(index: index)
            }
            defer { for server in servers { server.forceKill() } }
            for server in servers {
                let ready = await server.waitForLog("parcours serving on", timeout: .seconds(30))
                try #require(ready, "serve \(server.index) did not start:\n\(server.output)")
            }

            var ids: [String] = []
            for index in 0..<Self.instanceCount {
                let started = try await runtime.start(
                    tenant: "acme", process: "reminder",
                    params: ["email": .string("user\(index)@example.org"), "name": .string("User \(index)")])
                ids.append(started.id)
            }

            // Everything done: every instance finished and every message sent (or the deadline passed).
            let deadline = ContinuousClock.now + .seconds(60)
            var finished = 0
            var sent = 0
            while ContinuousClock.now < deadline {
                finished = try await Self.count(
                    "SELECT count(*)::text FROM instances WHERE status = 'finished'", on: superuser)
                sent = try await Self.count("SELECT count(*)::text FROM outbox WHERE status = 'sent'", on: superuser)
                if finished == Self.instanceCount && sent == Self.instanceCount { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            #expect(finished == Self.instanceCount, "\(servers.map(\.output).joined(separator: "\n"))")
            #expect(sent == Self.instanceCount)

            // Each timer fired once: one timer-triggered transition per instance.
            for id in ids {
                let history = try await runtime.history(tenant: "acme", instance: id)
                let fired = history.filter { $0.kind == "transition" && $0.actor == "timer" }
                #expect(fired.count == 1, "instance \(id): \(fired.count) timer transitions")
                #expect(fired.first?.to == "reminded")
                #expect(history.filter { $0.kind == "notification" }.count == 1)
            }
            #expect(try await Self.count("SELECT count(*)::text FROM timers", on: superuser) == 0)
            // Each notification was handed to a transport once.
            #expect(try await Self.count("SELECT count(*)::text FROM outbox", on: superuser) == Self.instanceCount)
            #expect(
                try await Self.count("SELECT count(*)::text FROM outbox WHERE attempts <> 1", on: superuser) == 0)
            let files = try FileManager.default.contentsOfDirectory(atPath: mailFolder.path)
                .filter { $0.hasSuffix(".eml") }
            #expect(files.count == Self.instanceCount)

            // Who did what, from the logs ("fired N timer(s)", "mail: N sent, …").
            let timersPerServer = servers.map { $0.sum(after: "fired ") }
            let mailPerServer = servers.map { $0.sum(after: "mail: ") }
            // The sums can exceed the totals without a double effect: a worker that locks an instance just after
            // another committed its timer may still see the deleted timer row (READ COMMITTED re-checks only the
            // locked row) and counts it, but the interpreter rejects the stale timer, so the history shows one
            // transition. The assertions above are what prove "once".
            #expect(timersPerServer.reduce(0, +) >= Self.instanceCount)
            #expect(mailPerServer.reduce(0, +) == Self.instanceCount)
            // Both servers are awake when the timers fall due, so the work is normally split between them. A run
            // where one process did everything is not an error (the other may simply have lost every race), so it
            // is only recorded.
            let split = "timers fired per server: \(timersPerServer), mail sent per server: \(mailPerServer)"
            if timersPerServer.contains(0) && mailPerServer.contains(0) {
                print("ServeCoordinationTests: one server did all the work (\(split))")
            } else {
                print("ServeCoordinationTests: \(split)")
            }

            // SIGTERM: both finish their round and exit with status 0.
            for server in servers { server.terminate() }
            for server in servers {
                let status = await server.waitForExit(timeout: .seconds(10))
                #expect(
                    status == 0, "serve \(server.index) exit status \(String(describing: status)):\n\(server.output)")
            }
        }
    }

    // MARK: - Helpers

    /// One number from the superuser's view of the test database.
    static func count(_ sql: String, on superuser: DatabaseConfiguration) async throws -> Int {
        try await TestPostgres.withConnection(to: superuser) { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestPostgres.logger)
            var value = 0
            for try await (text) in rows.decode(String.self) { value = Int(text) ?? -1 }
            return value
        }
    }

    static let packageRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The `parcours` binary built next to the test bundle (as `CLI.executable` of the CLI tests finds it).
    static var executable: URL {
        var folder = Bundle.main.bundleURL
        for _ in 0..<4 {
            let candidate = folder.appendingPathComponent("parcours")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
            folder = folder.deletingLastPathComponent()
        }
        return packageRoot.appendingPathComponent(".build/debug/parcours")
    }

    /// A TCP port nobody listens on right now (bound to port 0, then released).
    static func freePort() throws -> Int {
        #if canImport(Glibc)
            let fd = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let fd = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard fd >= 0 else { throw TestPostgresError("socket() failed") }
        defer { close(fd) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(fd, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0 else { throw TestPostgresError("bind() failed") }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(fd, $0, &length) }
        }
        guard named == 0 else { throw TestPostgresError("getsockname() failed") }
        return Int(UInt16(bigEndian: address.sin_port))
    }
}

/// A `parcours serve` child process whose output goes to a file (nothing to drain, nothing to block on).
final class ServeProcess: @unchecked Sendable {
    let index: Int
    let process: Process
    let logFile: URL

    private init(index: Int, process: Process, logFile: URL) {
        self.index = index
        self.process = process
        self.logFile = logFile
    }

    static func launch(
        executable: URL, index: Int, databaseURL: String, key: String, mailFolder: URL, logFolder: URL,
        port: Int? = nil
    ) throws -> ServeProcess {
        let logFile = logFolder.appendingPathComponent("serve-\(index).log")
        _ = FileManager.default.createFile(atPath: logFile.path, contents: nil)
        let output = try FileHandle(forWritingTo: logFile)
        let process = Process()
        process.executableURL = executable
        process.arguments = [
            "serve", "--database-url", databaseURL, "--port", String(try port ?? ServeCoordinationTests.freePort()),
            "--mail", "eml:\(mailFolder.path)",
            "--actions", ServeCoordinationTests.packageRoot.appendingPathComponent("workflows/actions.yaml").path,
        ]
        var environment = ProcessInfo.processInfo.environment
        environment["PARCOURS_SECRET_KEY"] = key
        process.environment = environment
        process.currentDirectoryURL = ServeCoordinationTests.packageRoot
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = output
        process.standardError = output
        try process.run()
        try? output.close()
        return ServeProcess(index: index, process: process, logFile: logFile)
    }

    /// Everything the process printed so far.
    var output: String {
        (try? String(contentsOf: logFile, encoding: .utf8)) ?? ""
    }

    /// Waits until the output contains `text` (false when the process ends or the time runs out first).
    func waitForLog(_ text: String, timeout: Duration) async -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if output.contains(text) { return true }
            if !process.isRunning { return output.contains(text) }
            try? await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// The sum of the numbers that follow `prefix` on the log lines that contain it.
    func sum(after prefix: String) -> Int {
        var total = 0
        for line in output.split(separator: "\n") {
            guard let range = line.range(of: prefix) else { continue }
            total += Int(line[range.upperBound...].prefix(while: \.isNumber)) ?? 0
        }
        return total
    }

    func terminate() {
        if process.isRunning { kill(process.processIdentifier, SIGTERM) }
    }

    /// The exit status, or nil if the process still runs after `timeout` (`waitUntilExit` may hang; poll instead).
    func waitForExit(timeout: Duration) async -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if !process.isRunning { return process.terminationStatus }
            try? await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }

    /// SIGKILL if it still runs (the cleanup of a failed test).
    func forceKill() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }
}

/// What the tests of `parcours serve` processes share: a migrated database of their own, a tenant `acme` with
/// `sources` deployed, a runtime on it (system clock, the server's sealing key), and folders for the mail and
/// the processes' logs.
struct ServeHarness: Sendable {
    let runtime: Runtime
    let superuser: DatabaseConfiguration
    let database: DatabaseConfiguration
    let key: String
    let folder: URL
    let mailFolder: URL

    static func with(
        deploying sources: [(file: String, text: String)], _ body: @Sendable (ServeHarness) async throws -> Void
    ) async throws {
        let executable = ServeCoordinationTests.executable
        try #require(
            FileManager.default.isExecutableFile(atPath: executable.path),
            "build the parcours product first (\(executable.path))")
        let logger = Logger(label: "parcours.test.serve")
        let superuser = try await TestPostgres.freshDatabase(template: try await RuntimeFixture.migratedTemplate())
        let database = superuser.with(username: ServerRole.name, password: nil)
        let key = SecretSealer.newKeyBase64()
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("parcours-serve-\(UUID().uuidString.prefix(8).lowercased())")
        let mailFolder = folder.appendingPathComponent("mail")
        try FileManager.default.createDirectory(at: mailFolder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let client = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
        let examples = CatalogExamples(catalog: RuntimeFixture.catalog)
        let runtime = Runtime(
            client: client, catalog: RuntimeFixture.catalog, clock: SystemClock(), actions: examples,
            assignees: examples, sealer: try SecretSealer(base64: key), logger: logger)
        let harness = ServeHarness(
            runtime: runtime, superuser: superuser, database: database, key: key, folder: folder,
            mailFolder: mailFolder)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            _ = try await runtime.createTenant(id: "acme", name: "ACME")
            _ = try await runtime.deploy(tenant: "acme", sources: sources)
            try await body(harness)
        }
    }

    /// Starts a `parcours serve` process on this database (its output in `serve-<index>.log`).
    func launch(index: Int, port: Int? = nil) throws -> ServeProcess {
        try ServeProcess.launch(
            executable: ServeCoordinationTests.executable, index: index, databaseURL: database.unredactedURL,
            key: key, mailFolder: mailFolder, logFolder: folder, port: port)
    }
}
