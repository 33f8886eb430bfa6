import Foundation
import Testing

/// A `parcours` process running in the background, its output going to a file (so it can never block on a pipe).
final class BackgroundCommand: @unchecked Sendable {
    let process = Process()
    let output: URL

    init(_ arguments: [String], environment: [String: String] = [:]) throws {
        output = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-\(UUID().uuidString).log")
        _ = FileManager.default.createFile(atPath: output.path, contents: nil)
        let handle = try FileHandle(forWritingTo: output)
        process.executableURL = CLI.executable
        process.arguments = arguments
        process.currentDirectoryURL = CLI.packageRoot
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        process.standardOutput = handle
        process.standardError = handle
        try process.run()
    }

    var log: String { (try? String(contentsOf: output, encoding: .utf8)) ?? "" }

    /// Sends SIGINT and waits (polling) for the exit; SIGKILL after the deadline.
    func interrupt(within seconds: Double = 30) async -> Int32? {
        process.interrupt()
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { try? await Task.sleep(for: .milliseconds(100)) }
        if process.isRunning {
            kill(process.processIdentifier, SIGKILL)
            return nil
        }
        return process.terminationStatus
    }

    deinit {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        try? FileManager.default.removeItem(at: output)
    }
}

/// The HTTP status of GET url, or nil when nothing answers (curl is on every development machine).
func httpStatus(_ url: String) throws -> Int? {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/curl")
    process.arguments = ["-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "3", url]
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    let code = Int(String(decoding: data, as: UTF8.self)) ?? 0
    return code == 0 ? nil : code
}

func freePort() -> Int { Int.random(in: 20_000..<60_000) }

@Suite("Runtime commands", .serialized)
struct RuntimeCommandTests {
    @Test func devStartsEverythingStopsCleanlyAndReusesItsData() async throws {
        let data = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: data) }
        let port = freePort()
        let first = try BackgroundCommand(["dev", "--port", "\(port)", "--data", data.path])
        var ready = false
        for _ in 0..<600 where !ready {
            ready = try httpStatus("http://127.0.0.1:\(port)/readyz") == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready, "\(first.log)")
        #expect(try httpStatus("http://127.0.0.1:\(port)/healthz") == 200)
        #expect(first.log.contains("tenant demo created"))
        #expect(first.log.contains("demo: deployed"))
        #expect(first.log.contains("cea: deployed"))
        let keys = data.appendingPathComponent("demo-keys.txt")
        let attributes = try FileManager.default.attributesOfItem(atPath: keys.path)
        #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
        #expect(try String(contentsOf: keys, encoding: .utf8).split(separator: "\n").count == 3)
        #expect(await first.interrupt() == 0, "\(first.log)")
        #expect(first.log.contains("stopping PostgreSQL"))

        let second = try BackgroundCommand(["dev", "--port", "\(port)", "--data", data.path])
        ready = false
        for _ in 0..<600 where !ready {
            ready = try httpStatus("http://127.0.0.1:\(port)/readyz") == 200
            if !ready { try await Task.sleep(for: .milliseconds(100)) }
        }
        #expect(ready, "\(second.log)")
        #expect(!second.log.contains("tenant demo created"))
        #expect(await second.interrupt() == 0, "\(second.log)")
    }

    @Test func aWrongDatabaseURLFailsFastWithTheRealCause() throws {
        let started = Date()
        let result = try CLI.run(
            ["serve", "--database-url", "postgres://nobody@127.0.0.1:1/parcours"],
            environment: ["PARCOURS_SECRET_KEY": Data(repeating: 7, count: 32).base64EncodedString()])
        #expect(result.status == 1)
        #expect(result.stderr.contains("127.0.0.1:1"), "\(result.stderr)")
        #expect(result.stderr.lowercased().contains("refused"), "\(result.stderr)")
        // PostgresClient alone would retry for about a minute.
        #expect(Date().timeIntervalSince(started) < 30)
        let migrate = try CLI.run(["migrate", "--database-url", "postgres://nobody@127.0.0.1:1/parcours"])
        #expect(migrate.status == 1)
        #expect(migrate.stderr.lowercased().contains("refused"), "\(migrate.stderr)")
    }

    @Test func serveRefusesToStartWithoutASecretKey() throws {
        let result = try CLI.run(
            ["serve", "--database-url", "postgres://nobody@127.0.0.1:1/parcours"],
            environment: ["PARCOURS_SECRET_KEY": ""])
        #expect(result.status == 1)
        #expect(result.stderr.contains("PARCOURS_SECRET_KEY"))
    }
}

@Suite("bench")
struct BenchCommandTests {
    /// A smoke run: the command sets everything up, measures both sides and prints the table. The figures
    /// themselves are not checked (a benchmark is not a test): docs/performance.md records them.
    @Test func benchRunsBothSidesAndPrintsTheRatio() throws {
        // What an earlier benchmark that crashed left behind (its owner gone), and one that still runs (this
        // process): the first is removed, the second left alone.
        let tag = UUID().uuidString.prefix(8).lowercased()
        let stale = URL(fileURLWithPath: "/tmp/parcours-bench-stale\(tag)")
        let running = URL(fileURLWithPath: "/tmp/parcours-bench-running\(tag)")
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        for (folder, owner) in [(stale, ended.processIdentifier), (running, getpid())] {
            try FileManager.default.createDirectory(
                at: folder.appendingPathComponent("postgres"), withIntermediateDirectories: true)
            try "\(owner)\n".write(
                to: folder.appendingPathComponent("owner.pid"), atomically: true, encoding: .utf8)
        }
        defer {
            try? FileManager.default.removeItem(at: stale)
            try? FileManager.default.removeItem(at: running)
        }

        let result = try CLI.run([
            "bench", "--clients", "1", "--duration", "1", "--warmup", "0", "--rounds", "2", "--own-work",
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.contains("stopped and removed \(stale.path)"), "\(result.stdout)")
        #expect(!FileManager.default.fileExists(atPath: stale.path))
        #expect(FileManager.default.fileExists(atPath: running.path))
        #expect(!result.stdout.contains(running.path))
        #expect(result.stdout.contains("clients | runtime tps | p50 ms | p99 ms | pgbench tps | runtime/pgbench"))
        // The tenant holds instances at rest besides the clients', as a tenant in use does.
        #expect(result.stdout.contains("10000 instances at rest in tenant bench"), "\(result.stdout)")
        // The runtime's own work per event, measured once, before the first round.
        #expect(
            result.stdout.components(separatedBy: "the runtime's own work per event, without I/O: ").count == 2,
            "\(result.stdout)")
        #expect(!result.stderr.contains("could not be applied from the cache"), "\(result.stderr)")
        // Each round measures both sides, pgbench on instances of its own.
        for round in 1...2 {
            #expect(result.stdout.contains("1 clients, round \(round)  runtime:"), "\(result.stdout)")
            #expect(result.stdout.contains("1 clients, round \(round)  pgbench:"), "\(result.stdout)")
        }
        #expect(result.stdout.contains("the median of 2 round(s)"))
        #expect(!result.stderr.contains("pgbench with"), "\(result.stderr)")
        // Every phase started from the reset state (history emptied, vacuum, checkpoint) without a refusal.
        #expect(!result.stderr.contains("cannot reset the history"), "\(result.stderr)")
        // Each phase reports its costs per transaction; the embedded server's CPU is measured too.
        let lines = result.stdout.split(separator: "\n").filter { $0.contains(", round ") }
        #expect(lines.count == 4)
        for line in lines {
            #expect(line.contains("per transaction: client CPU "), "\(line)")
            #expect(!line.contains("server CPU n/a"), "\(line)")
            #expect(line.contains(" flushes") && !line.contains("n/a flushes"), "\(line)")
        }
        // pgbench writes what the runtime writes: the same WAL per transaction within 10 % (rows as wide, as many
        // changed bytes), so that the bare-SQL limit is not measured on lighter work.
        for round in 1...2 {
            let runtime = Self.walBytes(in: lines, prefix: "1 clients, round \(round)  runtime:")
            let pgbench = Self.walBytes(in: lines, prefix: "1 clients, round \(round)  pgbench:")
            guard let runtime, let pgbench else {
                Issue.record("no WAL figure in round \(round): \(lines)")
                continue
            }
            #expect(runtime > 500, "WAL per transaction: \(runtime) B")
            #expect(
                abs(runtime - pgbench) / runtime < 0.1,
                "WAL per transaction: runtime \(runtime) B, pgbench \(pgbench) B")
        }
    }

    /// The `WAL N B` figure of the line that contains `prefix`.
    static func walBytes(in lines: [Substring], prefix: String) -> Double? {
        guard let line = lines.first(where: { $0.contains(prefix) }), let range = line.range(of: "WAL ") else {
            return nil
        }
        return Double(line[range.upperBound...].prefix { $0.isNumber })
    }
}
