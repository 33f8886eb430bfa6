import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Runs a program to completion and captures its output (standard output and error together).
///
/// It uses `posix_spawn` and `waitpid` rather than Foundation's `Process`, whose `waitUntilExit()` never returns
/// when a grandchild (here, the PostgreSQL server that `pg_ctl` leaves running) inherited the socket it watches
/// (swift-corelibs-foundation issue 4795). The child inherits only its standard streams, and the output pipe is
/// close-on-exec, so that a server spawned meanwhile by another thread cannot keep a reader waiting forever.
enum ChildProcess {
    /// What a finished program left.
    struct Outcome: Sendable {
        /// The exit status (128 + the signal number when a signal killed it).
        var status: Int32
        /// Its standard output and error, interleaved.
        var output: String
        /// Whether it exited with 0.
        var succeeded: Bool { status == 0 }
    }

    /// Runs `executable` with `arguments`, as `user` through `runuser` when given, on a thread of its own.
    static func run(
        _ executable: URL, _ arguments: [String], as user: String? = nil, environment: [String: String]? = nil
    ) async throws -> Outcome {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                continuation.resume(
                    with: Result { try runBlocking(executable, arguments, as: user, environment: environment) })
            }
        }
    }

    /// ``run(_:_:as:environment:)`` on the calling thread. The child reads `/dev/null`.
    static func runBlocking(
        _ executable: URL, _ arguments: [String], as user: String? = nil, environment: [String: String]? = nil
    ) throws -> Outcome {
        var command = [executable.path] + arguments
        if let user {
            guard let runuser = runuserPath else {
                throw EmbeddedPostgresError("runuser is missing: cannot run \(executable.lastPathComponent) as \(user)")
            }
            // Through a shell that first goes to a folder every user may enter: PostgreSQL's tools fail when they
            // cannot read their working directory (root's home, say).
            command = [runuser, "-u", user, "--", "/bin/sh", "-c", "cd / && exec \"$0\" \"$@\""] + command
        }
        let variables = (environment ?? childEnvironment).map { "\($0.key)=\($0.value)" }

        var pipeEnds: [Int32] = [-1, -1]
        guard spawnLock.withLock({ makePipe(&pipeEnds) }) else {
            throw EmbeddedPostgresError("cannot create a pipe: \(String(cString: strerror(errno)))")
        }
        let (readEnd, writeEnd) = (pipeEnds[0], pipeEnds[1])
        defer { close(readEnd) }

        #if canImport(Glibc)
            var actions = posix_spawn_file_actions_t()
            var attributes = posix_spawnattr_t()
        #else
            var actions: posix_spawn_file_actions_t?
            var attributes: posix_spawnattr_t?
        #endif
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 1)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)
        closeInheritedDescriptors(&actions)
        posix_spawnattr_init(&attributes)
        defer { posix_spawnattr_destroy(&attributes) }
        // The child starts with no blocked signal and the default handling of those this process may ignore.
        var noSignals = sigset_t()
        sigemptyset(&noSignals)
        posix_spawnattr_setsigmask(&attributes, &noSignals)
        var defaults = sigset_t()
        sigemptyset(&defaults)
        for signal in [SIGPIPE, SIGCHLD, SIGINT, SIGTERM, SIGHUP] { sigaddset(&defaults, signal) }
        posix_spawnattr_setsigdefault(&attributes, &defaults)
        var flags = POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF
        #if canImport(Darwin)
            flags |= POSIX_SPAWN_CLOEXEC_DEFAULT  // only the standard streams are inherited
        #endif
        posix_spawnattr_setflags(&attributes, Int16(flags))

        var pid = pid_t()
        let spawned = withCStrings(command) { argv in
            withCStrings(variables) { envp in
                spawnLock.withLock { posix_spawn(&pid, command[0], &actions, &attributes, argv, envp) }
            }
        }
        close(writeEnd)
        guard spawned == 0 else {
            throw EmbeddedPostgresError("cannot run \(command[0]): \(String(cString: strerror(spawned)))")
        }

        var output: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 8192)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(readEnd, $0.baseAddress, $0.count) }
            if count > 0 {
                output.append(contentsOf: buffer[0..<count])
            } else if count == 0 || errno != EINTR {
                break
            }
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 {
            if errno != EINTR { break }
        }
        let signal = status & 0x7f
        let exitStatus = signal == 0 ? (status >> 8) & 0xff : 128 + signal
        return Outcome(status: exitStatus, output: String(decoding: output, as: UTF8.self))
    }

    /// This process's environment without libpq's variables, which would redirect the server tools.
    static var childEnvironment: [String: String] {
        ProcessInfo.processInfo.environment.filter { !$0.key.hasPrefix("PG") }
    }

    /// `runuser`, which runs a command as another user when this process is root.
    static var runuserPath: String? {
        ["/usr/sbin/runuser", "/sbin/runuser", "/usr/bin/runuser", "/bin/runuser"].first {
            FileManager.default.isExecutableFile(atPath: $0)
        }
    }

    #if canImport(Glibc)
        /// The type of glibc's `posix_spawn_file_actions_addclosefrom_np`.
        private typealias CloseFrom = @convention(c) (UnsafeMutablePointer<posix_spawn_file_actions_t>, Int32) -> Int32

        /// glibc's `posix_spawn_file_actions_addclosefrom_np` (2.34 and later), which Swift's Glibc module does not
        /// declare.
        private static let closeFrom: CloseFrom? = {
            guard let symbol = dlsym(dlopen(nil, RTLD_NOW), "posix_spawn_file_actions_addclosefrom_np") else {
                return nil
            }
            return unsafeBitCast(symbol, to: CloseFrom.self)
        }()

        /// Makes the child close every descriptor above its standard streams, so that neither it nor a server it
        /// starts keeps this process's files, sockets or pipes open. Foundation's `Process` detects its children's
        /// exit through an inherited socket: a PostgreSQL server holding one of those would make another part of
        /// this process wait forever for a program that has already exited.
        private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t) {
            if let closeFrom, closeFrom(&actions, 3) == 0 { return }
            // Older glibc: close what is open now.
            let open = (try? FileManager.default.contentsOfDirectory(atPath: "/proc/self/fd")) ?? []
            for descriptor in open.compactMap({ Int32($0) }) where descriptor > 2 {
                posix_spawn_file_actions_addclose(&actions, descriptor)
            }
        }
    #else
        /// On Darwin, `POSIX_SPAWN_CLOEXEC_DEFAULT` does it.
        private static func closeInheritedDescriptors(_ actions: inout posix_spawn_file_actions_t?) {}
    #endif

    /// Held while a pipe is made close-on-exec, so that no program this type spawns meanwhile inherits it.
    private static let spawnLock = NSLock()

    /// A pipe whose ends are closed in spawned programs (unless duplicated onto their standard streams).
    private static func makePipe(_ ends: inout [Int32]) -> Bool {
        guard pipe(&ends) == 0 else { return false }
        _ = fcntl(ends[0], F_SETFD, FD_CLOEXEC)
        _ = fcntl(ends[1], F_SETFD, FD_CLOEXEC)
        return true
    }

    /// Calls `body` with a NULL-terminated C array of `strings`.
    private static func withCStrings<Result>(
        _ strings: [String], _ body: (UnsafePointer<UnsafeMutablePointer<CChar>?>) -> Result
    ) -> Result {
        let array = UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>.allocate(capacity: strings.count + 1)
        for (index, string) in strings.enumerated() { array[index] = strdup(string) }
        array[strings.count] = nil
        defer {
            for index in 0..<strings.count { free(array[index]) }
            array.deallocate()
        }
        return body(UnsafePointer(array))
    }
}
