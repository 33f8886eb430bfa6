import ArgumentParser
import Foundation
import Logging
import NIOPosix
import ParcoursDSL
import ParcoursEngine
import ParcoursRuntime
import PostgresNIO
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// `parcours bench`: transitions per second of the runtime, against the bare SQL of the same transitions (pgbench).
struct BenchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "bench",
        abstract: "Measure the runtime's transitions per second and latency, and pgbench's limit for the same SQL.",
        discussion: """
            For each client count, starts one instance per client of a one-step signup process, then each client
            sends events to its own instance in a loop (one event = one transition = one transaction); every
            latency is recorded after a warm-up. Then pgbench runs Benchmarks/transition.sql (the same statements)
            with as many clients, on the same database and as the same role. Without --database-url, a throwaway
            PostgreSQL with durable settings (fsync on) is started in a temporary folder and removed afterwards.
            With --database-url (a superuser), a scratch database parcours_bench_* is created and dropped.
            Exit status 0 whatever the figures: a benchmark is not a test.
            """)

    @Option(
        name: .customLong("database-url"),
        help: "A superuser's postgres:// URL (default: a throwaway embedded PostgreSQL, fsync on).")
    var databaseURL: String?

    @Option(help: "The password of the role parcours_server, when the server asks for one.")
    var serverPassword: String?

    @Option(help: "The client counts, comma-separated.")
    var clients = "1,4,16,64"

    @Option(help: "Seconds measured per client count (after the warm-up).")
    var duration = 10.0

    @Option(help: "Seconds of warm-up per client count, not measured.")
    var warmup = 2.0

    @Option(
        help: """
            Rounds per client count: runtime then pgbench, again and again; the report gives the median round \
            (a shared machine drifts, so adjacent phases are compared).
            """)
    var rounds = 5

    @Option(help: "The pgbench executable.")
    var pgbench = "pgbench"

    @Option(help: "The pgbench script (default: Benchmarks/transition.sql here or in the package).")
    var script: String?

    @Flag(help: "Skip pgbench (runtime figures only).")
    var noPgbench = false

    @Flag(
        help: """
            Also measure the runtime's own CPU per event without I/O (interpreting, encoding, the view), once before \
            the first round: steadier than a round's figures on a shared machine.
            """)
    var ownWork = false

    @Option(
        help: """
            Instances of the benchmark's tenant besides the clients', created once and left at rest: a tenant in \
            use has many, and the planner chooses its plans from the table's size.
            """)
    var restingInstances = 10_000

    @Option(name: .customLong("actions"), help: "The action catalogue (default: workflows/actions.yaml).")
    var catalog: String?

    static let tenant = "bench"
    static let process = "bench_signup"
    static let source = """
        process: bench_signup
        title: Benchmark — one signup step
        start: form
        context:
          submissions: number
        states:
          form:
            on:
              submit:
                fields:
                  email: { type: email, required: true }
                  first_name: { type: string, required: true }
                  last_name: { type: string, required: true }
                  organisation: { type: string }
                set: { submissions: "(context.submissions ?? 0) + 1" }
                goto: form
              stop:
                goto: done
          done:
            final: success
        """

    /// The `--target-ratio` of the issue: at 16 clients, the runtime reaches 70 % of the bare-SQL limit.
    static let targetClients = 16
    static let targetRatio = 0.7

    func validate() throws {
        guard duration > 0, warmup >= 0 else { throw ValidationError("--duration must be > 0, --warmup >= 0") }
        guard !clientCounts.isEmpty, clientCounts.allSatisfy({ $0 > 0 && $0 <= 500 }) else {
            throw ValidationError("--clients must be comma-separated numbers between 1 and 500")
        }
    }

    var clientCounts: [Int] {
        clients.split(separator: ",").compactMap { Int($0.trimmingCharacters(in: .whitespaces)) }
    }

    func run() async throws {
        var configuredLogger = Logger(label: "parcours.bench")
        configuredLogger.logLevel = .warning
        let logger = configuredLogger
        let catalog = try RuntimeFactory.loadCatalog(self.catalog)
        let scriptPath = noPgbench ? nil : try locateScript()

        // The database: a scratch database on the given server, or a throwaway embedded server.
        var embedded: EmbeddedPostgres?
        var postmaster: Int32?
        var interrupt: (any DispatchSourceSignal)?
        var folder: URL?
        let superuser: DatabaseConfiguration
        if let databaseURL {
            do {
                superuser = try DatabaseConfiguration.resolve(
                    url: databaseURL, environment: ProcessInfo.processInfo.environment)
                try await DatabaseCheck.verify(superuser, logger: logger)
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        } else {
            // Those a benchmark that crashed (or was killed) left running go first: it could not clean up.
            let temporary = URL(fileURLWithPath: "/tmp")
            for stale in EmbeddedPostgres.removeAbandonedClusters(
                prefix: Self.folderPrefix, dataFolder: "postgres", in: temporary)
            {
                say("stopped and removed \(stale.path), left running by a benchmark that ended without cleaning up")
            }
            let base = try EmbeddedPostgres.makeOwnedFolder(prefix: Self.folderPrefix, in: temporary)
            folder = base
            say("starting a throwaway PostgreSQL (fsync on) in \(base.path) …")
            let postgres = EmbeddedPostgres(
                dataDirectory: base.appendingPathComponent("postgres"), forTests: false,
                settings: Self.embeddedServerSettings)
            embedded = postgres
            interrupt = Self.stopOnInterrupt(postgres, folder: base)
            // The runtime and pgbench both connect through the Unix socket, as an application next to its
            // database would (and as `parcours dev` does).
            do { superuser = postgres.unixSocketConfiguration(try await postgres.start()) } catch {
                try? FileManager.default.removeItem(at: base)
                throw fail(error)
            }
            postmaster = postgres.postmasterProcessID
        }
        let database = "parcours_bench_\(UUID().uuidString.prefix(8).lowercased())"
        var results: [Result] = []
        do {
            try await prepare(database: database, superuser: superuser, logger: logger)
            let target = superuser.with(database: database)
            let server = target.with(username: ServerRole.name, password: serverPassword)
            results = try await measure(
                server: server, settle: Settler(superuser: target, logger: logger), catalog: catalog,
                script: scriptPath, probe: PhaseProbe(postmaster: postmaster, superuser: target, logger: logger),
                logger: logger)
        } catch {
            printError("error: \(error)")
        }
        if let embedded {
            try? await embedded.stop()
            interrupt?.cancel()
            if let folder { try? FileManager.default.removeItem(at: folder) }
        } else {
            try? await dropDatabase(database, superuser: superuser, logger: logger)
        }
        if !results.isEmpty { report(results) }
    }

    // MARK: - Setting up

    /// The throwaway server's settings beyond PostgreSQL's durable defaults (fsync and synchronous commit stay on).
    /// With the default `max_wal_size` (1 GB) a checkpoint started about every minute at these rates, and the
    /// full-page writes after each one slowed whichever phase it fell in: each phase now starts just after a
    /// `CHECKPOINT` of its own (`Settler`), and none comes during a phase.
    static let embeddedServerSettings: [(name: String, value: String)] = [
        ("max_wal_size", "16GB"), ("checkpoint_timeout", "1h"),
    ]

    /// Brings the database to the same state before every phase, so that the runtime and pgbench start alike:
    /// the history emptied (each phase appends 100,000 rows or more; left to grow, it slowed every later phase,
    /// which favoured whichever side ran first in a round), the updated instances vacuumed and analysed, then a
    /// checkpoint (dirty pages written, so that neither phase pays for the other's). With the instances at rest
    /// (`--resting-instances`), the statistics describe a tenant in use: without them, the planner found the
    /// primary key and `instances_by_process` equally cheap, and a session could plan the instance's update, or
    /// the history's foreign-key check, as a scan of all the tenant's instances — a lottery that made the
    /// server's cost per transaction differ by up to a third between the two sides of a round. A role that may
    /// not do this (a server given with `--database-url`) gets a warning once, and the phases run without it.
    final class Settler: Sendable {
        let superuser: DatabaseConfiguration
        let logger: Logger
        let refused = Synchronization.Atomic<Bool>(false)

        init(superuser: DatabaseConfiguration, logger: Logger) {
            self.superuser = superuser
            self.logger = logger
        }

        func callAsFunction() async {
            guard !refused.load(ordering: .relaxed) else { return }
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: try superuser.connectionConfiguration(), id: 5, logger: logger)
                do {
                    _ = try await connection.query("TRUNCATE history", logger: logger).collect()
                    _ = try await connection.query("VACUUM ANALYZE instances", logger: logger).collect()
                    _ = try await connection.query("CHECKPOINT", logger: logger).collect()
                } catch {
                    try? await connection.close()
                    throw error
                }
                try await connection.close()
            } catch {
                refused.store(true, ordering: .relaxed)
                printError(
                    "warning: cannot reset the history, vacuum and checkpoint between phases (\(String(reflecting: error))): phases may start unlike"
                )
            }
        }
    }

    func prepare(database: String, superuser: DatabaseConfiguration, logger: Logger) async throws {
        let admin = try await PostgresConnection.connect(
            configuration: try superuser.connectionConfiguration(), id: 1, logger: logger)
        do {
            _ = try await admin.query(PostgresQuery(unsafeSQL: "CREATE DATABASE \(database)"), logger: logger).collect()
        } catch {
            try? await admin.close()
            throw error
        }
        try await admin.close()
        guard let folder = Migrator.locateDefaultDirectory() else {
            throw ValidationError("the migrations (db/) were not found: run from the project folder")
        }
        let connection = try await PostgresConnection.connect(
            configuration: try superuser.with(database: database).connectionConfiguration(), id: 2, logger: logger)
        do {
            _ = try await Migrator(directory: folder).migrate(on: connection, logger: logger)
            try await ServerRole.ensure(on: connection, logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        say("database \(database) migrated; the runtime and pgbench connect as \(ServerRole.name)")
    }

    func dropDatabase(_ database: String, superuser: DatabaseConfiguration, logger: Logger) async throws {
        let admin = try await PostgresConnection.connect(
            configuration: try superuser.connectionConfiguration(), id: 3, logger: logger)
        _ = try? await admin.query(
            PostgresQuery(unsafeSQL: "DROP DATABASE IF EXISTS \(database) WITH (FORCE)"), logger: logger
        ).collect()
        try await admin.close()
    }

    /// The throwaway servers' folders in /tmp: this prefix, then a random suffix.
    static let folderPrefix = "parcours-bench-"

    /// Stops the embedded server and removes its folder on Ctrl-C.
    static func stopOnInterrupt(_ postgres: EmbeddedPostgres, folder: URL) -> any DispatchSourceSignal {
        signal(SIGINT, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: SIGINT, queue: .global())
        source.setEventHandler {
            printError("interrupted: stopping PostgreSQL …")
            postgres.stopBlocking()
            try? FileManager.default.removeItem(at: folder)
            Glibc.exit(130)
        }
        source.resume()
        return source
    }

    func locateScript() throws -> String {
        if let script {
            guard FileManager.default.fileExists(atPath: script) else {
                throw ValidationError("\(script): no such file")
            }
            return script
        }
        let relative = "Benchmarks/transition.sql"
        if FileManager.default.fileExists(atPath: relative) { return relative }
        // The package whose .build holds this binary.
        var folder = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
            .deletingLastPathComponent()
        while folder.path != "/" {
            let candidate = folder.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: candidate.path) { return candidate.path }
            folder.deleteLastPathComponent()
        }
        throw ValidationError("\(relative) was not found: run from the project folder, or pass --script")
    }

    // MARK: - Measuring

    struct Result {
        var clients: Int
        var runtime: RuntimeFigures
        var pgbench: PgbenchFigures?
        /// runtime ÷ pgbench in this round.
        var ratio: Double? { pgbench.map { runtime.tps / $0.tps } }
    }

    /// The round whose ratio is the median (without pgbench: whose runtime figure is).
    static func median(_ rounds: [Result]) -> Result {
        let sorted = rounds.sorted { ($0.ratio ?? $0.runtime.tps) < ($1.ratio ?? $1.runtime.tps) }
        return sorted[sorted.count / 2]
    }

    struct RuntimeFigures {
        var transitions: Int
        var errors: Int
        var seconds: Double
        var p50: Double
        var p99: Double
        var cost: PhaseCost
        var tps: Double { Double(transitions) / seconds }
    }

    struct PgbenchFigures {
        var tps: Double
        var latencyAverage: Double
        var failed: Int
        var cost: PhaseCost
    }

    func measure(
        server: DatabaseConfiguration, settle: Settler, catalog: ActionCatalog, script: String?, probe: PhaseProbe,
        logger: Logger
    ) async throws -> [Result] {
        var results: [Result] = []
        var deployed = false
        for count in clientCounts {
            var rounds: [Result] = []
            for round in 1...max(1, self.rounds) {
                rounds.append(
                    try await measureRound(
                        round, clients: count, server: server, settle: settle, catalog: catalog, script: script,
                        probe: probe, deployed: &deployed, logger: logger))
            }
            results.append(Self.median(rounds))
        }
        return results
    }

    /// One round at `count` clients: the runtime, then pgbench on the same database.
    func measureRound(
        _ round: Int, clients count: Int, server: DatabaseConfiguration, settle: Settler, catalog: ActionCatalog,
        script: String?, probe: PhaseProbe, deployed: inout Bool, logger: Logger
    ) async throws -> Result {
        do {
            var configuration = server.clientConfiguration()
            // One connection per client, held by the runtime between its events (`ConnectionLender`), and one
            // spare for whatever leases from the pool directly.
            configuration.options.maximumConnections = count + 1
            configuration.options.minimumConnections = count
            // The pool's loops (one per core), on which the clients run too: see runRuntime.
            let loops = MultiThreadedEventLoopGroup.singleton
            let client = PostgresClient(configuration: configuration, eventLoopGroup: loops, backgroundLogger: logger)
            let examples = CatalogExamples(catalog: catalog)
            let runtime = Runtime(
                client: client, catalog: catalog, actions: examples, assignees: examples, sealer: .random(),
                logger: logger, heldConnections: count)
            let (figures, template) = try await withClient(runtime) { [deployed] in
                if !deployed {
                    _ = try await runtime.createTenant(id: Self.tenant, name: "Benchmark")
                    _ = try await runtime.deploy(tenant: Self.tenant, sources: [("bench_signup.yaml", Self.source)])
                    if self.restingInstances > 0 {
                        let template = try await runtime.start(tenant: Self.tenant, process: Self.process, params: [:])
                        try await self.copyInstance(
                            template.id, prefix: Self.restingInstancePrefix, run: 0, count: self.restingInstances,
                            server: server, logger: logger)
                        say(
                            "\(self.restingInstances) instances at rest in tenant \(Self.tenant), besides the clients'")
                    }
                }
                if self.ownWork && round == 1 && count == self.clientCounts.first {
                    // Before the reset: the phase that follows starts from the same state as every other.
                    let instance = try await runtime.start(tenant: Self.tenant, process: Self.process, params: [:])
                    try await self.measureOwnWork(runtime, instance: instance.id)
                }
                await settle()
                return try await self.runRuntime(runtime, clients: count, loops: loops, probe: probe)
            }
            deployed = true
            say(
                String(
                    format: "%3d clients, round %d  runtime: %8.1f transitions/s  p50 %6.2f ms  p99 %6.2f ms", count,
                    round,
                    figures.tps, figures.p50 * 1000, figures.p99 * 1000)
                    + "  " + figures.cost.summary + (figures.errors > 0 ? "  (\(figures.errors) errors)" : ""))
            var pg: PgbenchFigures?
            if let script {
                do {
                    // Instances of their own for each round (see createPgbenchInstances), RUN = clients × 100 + round.
                    let run = count * 100 + round
                    try await createPgbenchInstances(
                        run: run, count: count, copying: template, server: server, logger: logger)
                    await settle()
                    pg = try await runPgbench(
                        script: script, clients: count, run: run, server: server, probe: probe)
                    if let pg {
                        say(
                            String(
                                format: "%3d clients, round %d  pgbench: %8.1f transactions/s  average %6.2f ms", count,
                                round, pg.tps,
                                pg.latencyAverage) + "  " + pg.cost.summary)
                    }
                } catch {
                    printError("pgbench with \(count) clients: \(error)")
                }
            }
            return Result(clients: count, runtime: figures, pgbench: pg)
        }
    }

    /// One instance per client; each client sends `submit` to its own instance in a loop.
    func runRuntime(_ runtime: Runtime, clients: Int, loops: MultiThreadedEventLoopGroup, probe: PhaseProbe)
        async throws -> (RuntimeFigures, String)
    {
        var ids: [String] = []
        for _ in 0..<clients {
            ids.append(try await runtime.start(tenant: Self.tenant, process: Self.process, params: [:]).id)
        }
        let clock = ContinuousClock()
        let begin = clock.now
        let measureFrom = begin + .milliseconds(Int(warmup * 1000))
        let end = measureFrom + .milliseconds(Int(duration * 1000))
        // What both sides spend over the measured window.
        let sampler = Task { () -> (before: PhaseSample, after: PhaseSample) in
            try? await Task.sleep(until: measureFrom, clock: clock)
            let before = await PhaseSample.take(probe)
            try? await Task.sleep(until: end, clock: clock)
            return (before, await PhaseSample.take(probe))
        }
        let perClient = try await withThrowingTaskGroup(of: ([Double], Int).self) { group in
            for (index, id) in ids.enumerated() {
                // Each client runs on an event loop, as a request handler of a NIO server does, rather than on
                // Swift's global executor: a transaction runs on its connection's loop (Runtime.inTenant), and a
                // caller on the global executor would add two thread hops to every event.
                group.addTask(executorPreference: EventLoopExecutor.for(loops.next())) {
                    var latencies: [Double] = []
                    latencies.reserveCapacity(Int(self.duration) * 2000)
                    var errors = 0
                    // The payloads are built before the clock starts: the clients' cost is the runtime's, not that
                    // of building requests. They vary as pgbench's do (a number of five digits after the `+`,
                    // different from one event to the next), so that both sides write the same bytes: PostgreSQL
                    // logs only what changed in a row, and an address sent again would make the runtime's WAL
                    // smaller.
                    var generator = SystemRandomNumberGenerator()
                    let payloads = (0..<256).map { _ in
                        Self.payload(client: index, number: Int.random(in: 10_000...99_999, using: &generator))
                    }
                    var sequence = 0
                    while true {
                        let sent = clock.now
                        if sent >= end { break }
                        sequence += 1
                        do {
                            _ = try await runtime.send(
                                tenant: Self.tenant, instance: id, event: "submit",
                                payload: payloads[sequence % payloads.count])
                        } catch {
                            errors += 1
                            if errors == 1 { printError("client \(index): \(error)") }
                            continue
                        }
                        let done = clock.now
                        if sent >= measureFrom && done <= end { latencies.append(Self.seconds(done - sent)) }
                    }
                    return (latencies, errors)
                }
            }
            var all: [([Double], Int)] = []
            for try await result in group { all.append(result) }
            return all
        }
        var latencies = perClient.flatMap(\.0)
        latencies.sort()
        let (before, after) = await sampler.value
        let figures = RuntimeFigures(
            transitions: latencies.count, errors: perClient.map(\.1).reduce(0, +), seconds: duration,
            p50: Self.percentile(latencies, 0.50), p99: Self.percentile(latencies, 0.99),
            cost: PhaseCost(from: before, to: after, client: \.ownCPU, transactions: latencies.count))
        return (figures, ids[0])
    }

    /// A `submit` payload of `bench_signup`: client `client`'s address, tagged with `number` (five digits, as
    /// pgbench's script writes it).
    static func payload(client: Int, number: Int) -> [String: Value] {
        [
            "email": .string("client\(client)+\(number)@example.org"), "first_name": "Camille",
            "last_name": "Martin-Durand", "organisation": "Direction des achats",
        ]
    }

    /// Prints the runtime's own CPU per event without I/O (`--own-work`): the median of five batches, each on one
    /// thread, after one event sent for real (which puts the instance in the cache).
    func measureOwnWork(_ runtime: Runtime, instance: String) async throws {
        let payload = Self.payload(client: 0, number: 12_345)
        let batch = 20_000
        var perEvent: [Double] = []
        for _ in 0..<5 {
            _ = try await runtime.send(tenant: Self.tenant, instance: instance, event: "submit", payload: payload)
            guard
                let cost = runtime.measureOwnWork(
                    tenant: Self.tenant, instance: instance, event: "submit", payload: payload, iterations: batch)
            else {
                printError("the runtime's own work: the event could not be applied from the cache")
                return
            }
            perEvent.append(Self.seconds(cost))
        }
        perEvent.sort()
        say(
            String(
                format:
                    "the runtime's own work per event, without I/O: %.2f µs (median of 5 × %d events; %.2f to %.2f)",
                perEvent[2] * 1e6, batch, perEvent[0] * 1e6, perEvent[4] * 1e6))
    }

    static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// The nearest-rank percentile of sorted values.
    static func percentile(_ sorted: [Double], _ fraction: Double) -> Double {
        guard !sorted.isEmpty else { return .nan }
        let rank = Int((fraction * Double(sorted.count)).rounded(.up))
        return sorted[min(max(rank, 1), sorted.count) - 1]
    }

    // MARK: - pgbench

    /// The instances of pgbench's clients are named like the runtime's (UUIDs, 36 characters): this prefix, RUN on
    /// five digits, the client's number (from 1) on seven. See Benchmarks/transition.sql.
    static let pgbenchInstancePrefix = "00000000-0000-4000-8000-"

    /// What the runtime binds as parameters for one event of `bench_signup`, for pgbench to bind too (see
    /// Benchmarks/transition.sql): as constants in the script, PostgreSQL would parse them once, at PREPARE.
    static let pgbenchVariables: [(name: String, value: String)] = [
        ("state", "form"), ("status", "waiting"), ("output", "{}"), ("waits", #"{"timers":[]}"#),
        ("ats", #"{"2026-12-05 00:00:00+00","2026-12-05 00:00:00+00"}"#),
        ("kinds", "{event,transition}"), ("events", "{submit,submit}"), ("froms", "{form,form}"),
        ("tos", "{NULL,form}"), ("actors", "{NULL,NULL}"),
    ]

    /// The instances at rest (`--resting-instances`), named like the others: this prefix, then zeros, then their
    /// number on seven digits.
    static let restingInstancePrefix = "00000000-0000-4000-9000-"

    /// One copy of a runtime instance per pgbench client, named as `pgbenchInstancePrefix` says.
    func createPgbenchInstances(
        run: Int, count: Int, copying template: String, server: DatabaseConfiguration, logger: Logger
    ) async throws {
        try await copyInstance(
            template, prefix: Self.pgbenchInstancePrefix, run: run, count: count, server: server, logger: logger)
    }

    /// `count` copies of the instance `template`, named `prefix`, RUN on five digits, their number (from 1) on seven.
    func copyInstance(
        _ template: String, prefix: String, run: Int, count: Int, server: DatabaseConfiguration, logger: Logger
    ) async throws {
        let connection = try await PostgresConnection.connect(
            configuration: try server.connectionConfiguration(), id: 4, logger: logger)
        do {
            _ = try await connection.query("BEGIN", logger: logger).collect()
            _ = try await connection.query(
                "SELECT set_config('parcours.tenant', \(Self.tenant), true)", logger: logger
            ).collect()
            _ = try await connection.query(
                """
                INSERT INTO instances (tenant_id, instance_id, process, version, state, status, outcome, context,
                    settings, output, entries, waits, parent_id, revision, started_at, updated_at)
                SELECT tenant_id, \(prefix) || lpad(\(run)::int::text, 5, '0') || lpad(g::text, 7, '0'),
                    process, version, state, status,
                    outcome, context, settings, output, entries, waits, parent_id, revision, started_at, updated_at
                FROM instances, generate_series(1, \(count)::int) AS g WHERE instance_id = \(template)
                """, logger: logger
            ).collect()
            _ = try await connection.query("COMMIT", logger: logger).collect()
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    struct PgbenchFailure: Error, CustomStringConvertible {
        var description: String
    }

    func runPgbench(script: String, clients: Int, run: Int, server: DatabaseConfiguration, probe: PhaseProbe)
        async throws -> PgbenchFigures
    {
        var arguments = [
            "-n", "-M", "prepared", "-c", "\(clients)", "-j", "\(min(clients, 2))", "-D", "run=\(run)",
        ]
        for (name, value) in Self.pgbenchVariables { arguments += ["-D", "\(name)=\(value)"] }
        arguments += [
            "-f",
            script, "-U", server.username, "-p", "\(server.port)",
        ]
        arguments += ["-h", server.socketDirectory ?? server.host]
        var environment = ProcessInfo.processInfo.environment
        if let password = server.password { environment["PGPASSWORD"] = password }
        environment["PGSSLMODE"] = server.tlsMode.rawValue
        if warmup > 0 {
            _ = try await Self.execute(
                pgbench, arguments + ["-T", "\(max(1, Int(warmup.rounded())))", server.database], environment)
        }
        let before = await PhaseSample.take(probe)
        let output = try await Self.execute(
            pgbench, arguments + ["-T", "\(max(1, Int(duration.rounded())))", server.database], environment)
        let after = await PhaseSample.take(probe)
        guard let tps = Self.number(after: "tps = ", in: output),
            let latency = Self.number(after: "latency average = ", in: output)
        else { throw PgbenchFailure(description: "unexpected pgbench output:\n\(output)") }
        let failed = Self.number(after: "number of failed transactions: ", in: output).map { Int($0) } ?? 0
        let processed =
            Self.number(after: "number of transactions actually processed: ", in: output).map { Int($0) }
            ?? Int(tps * duration)
        return PgbenchFigures(
            tps: tps, latencyAverage: latency, failed: failed,
            // pgbench's CPU: the child this process waited for (pgbench, started through python3's exec).
            cost: PhaseCost(from: before, to: after, client: \.childrenCPU, transactions: processed))
    }

    static func number(after label: String, in text: String) -> Double? {
        guard let range = text.range(of: label) else { return nil }
        let digits = text[range.upperBound...].prefix { $0.isNumber || $0 == "." }
        return Double(digits)
    }

    /// Runs a program and returns its standard output; a non-zero exit is an error quoting its standard error.
    static func execute(_ program: String, _ arguments: [String], _ environment: [String: String]) async throws
        -> String
    {
        let process = Process()
        if program.contains("/") {
            process.executableURL = URL(fileURLWithPath: program)
            process.arguments = arguments
        } else {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [program] + arguments
        }
        process.environment = environment
        // Files, not pipes: a child that writes a lot (pgbench reporting every failed transaction) would block on a
        // full pipe nobody reads until it exits.
        let folder = FileManager.default.temporaryDirectory
        let outputURL = folder.appendingPathComponent("parcours-bench-\(UUID().uuidString).out")
        let errorURL = folder.appendingPathComponent("parcours-bench-\(UUID().uuidString).err")
        _ = FileManager.default.createFile(atPath: outputURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errorURL.path, contents: nil)
        defer {
            try? FileManager.default.removeItem(at: outputURL)
            try? FileManager.default.removeItem(at: errorURL)
        }
        process.standardOutput = try FileHandle(forWritingTo: outputURL)
        process.standardError = try FileHandle(forWritingTo: errorURL)
        // A Swift process runs with most signals blocked, and children inherit the mask: pgbench's -T relies on
        // SIGALRM, so it would never stop. Start the program through python3, which clears the mask and execs it.
        let target = process.executableURL?.path ?? program
        let targetArguments = process.arguments ?? []
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments =
            [
                "python3", "-c",
                "import os, signal, sys; signal.pthread_sigmask(signal.SIG_SETMASK, []); os.execv(sys.argv[1], sys.argv[1:])",
            ] + [target] + targetArguments
        let status: Int32 = try await withCheckedThrowingContinuation { continuation in
            process.terminationHandler = { continuation.resume(returning: $0.terminationStatus) }
            do { try process.run() } catch {
                process.terminationHandler = nil
                continuation.resume(throwing: error)
            }
        }
        let text = (try? String(contentsOf: outputURL, encoding: .utf8)) ?? ""
        let errorText = String(((try? String(contentsOf: errorURL, encoding: .utf8)) ?? "").prefix(4000))
        guard status == 0 else {
            throw PgbenchFailure(description: "\(program) exited with status \(status): \(errorText)\(text)")
        }
        return text
    }

    // MARK: - Report

    func report(_ results: [Result]) {
        say()
        say("the median of \(max(1, rounds)) round(s) per client count (runtime, then pgbench, in each round):")
        say("clients | runtime tps | p50 ms | p99 ms | pgbench tps | runtime/pgbench")
        say("--------|-------------|--------|--------|-------------|----------------")
        for result in results {
            let runtime = result.runtime
            let pg = result.pgbench.map { String(format: "%11.1f", $0.tps) } ?? String(repeating: " ", count: 8) + "n/a"
            let ratio =
                result.pgbench.map { String(format: "%14.0f %%", 100 * runtime.tps / $0.tps) }
                ?? String(repeating: " ", count: 13) + "n/a"
            say(
                String(
                    format: "%7d | %11.1f | %6.2f | %6.2f | ", result.clients, runtime.tps, runtime.p50 * 1000,
                    runtime.p99 * 1000) + pg + " | " + ratio)
        }
        say()
        if let at16 = results.first(where: { $0.clients == Self.targetClients }), let ratio = at16.ratio {
            say(
                "target (at \(Self.targetClients) clients, runtime >= \(Int(Self.targetRatio * 100)) % of the bare-SQL limit): "
                    + (ratio >= Self.targetRatio ? "met" : "NOT met") + String(format: " (%.0f %%)", ratio * 100))
        } else {
            say("target (at \(Self.targetClients) clients, runtime >= 70 % of the bare-SQL limit): not measured")
        }
    }
}
