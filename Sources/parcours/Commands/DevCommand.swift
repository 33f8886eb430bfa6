import ArgumentParser
import Foundation
import Logging
import ParcoursAPI
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import PostgresNIO
import ServiceLifecycle

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `parcours dev`: everything on one machine, for designers and newcomers.
struct DevCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "dev",
        abstract: "Run Parcours locally: an embedded PostgreSQL, demo tenants, the workflows deployed, the server.",
        discussion: """
            The first run creates the database under --data (initdb from the installed PostgreSQL binaries),
            migrates it, creates the demo tenants and prints their administrator keys (also kept in
            DATA/demo-keys.txt). Later runs reuse the data. While it runs, editing a file under workflows/ or
            examples/ redeploys it, or prints the checker's errors. Mail is written to DATA/mail as .eml files.
            Ctrl-C stops the server, then the database.
            """)

    @Option(help: "The HTTP port.")
    var port = 8080

    @Option(help: "The folder for the database, keys and mail.")
    var data = ".parcours"

    @Option(name: .customLong("actions"), help: "The action catalogue (default: workflows/actions.yaml).")
    var catalog: String?

    /// The demo tenants and the example folder each one also deploys.
    static let demoTenants: [(id: String, name: String, examples: String?)] = [
        ("demo", "Démonstration (règles par défaut)", nil),
        ("cea", "CEA — fournisseurs (guide 003)", "examples/cea"),
        ("guide-004", "Guide 004 — mots de passe de 8 caractères", "examples/guide-004"),
    ]

    func run() async throws {
        var configuredLogger = Logger(label: "parcours")
        configuredLogger.logLevel = .info
        let logger = configuredLogger
        let dataFolder = URL(fileURLWithPath: data).standardizedFileURL
        try FileManager.default.createDirectory(at: dataFolder, withIntermediateDirectories: true)
        let key = try secretKey(in: dataFolder)

        say("starting PostgreSQL in \(dataFolder.appendingPathComponent("postgres").path) …")
        let postgres = EmbeddedPostgres(dataDirectory: dataFolder.appendingPathComponent("postgres"), port: nil)
        let superuser: DatabaseConfiguration
        // Everything connects through the server's Unix socket: cheaper per round trip than loopback TCP.
        do { superuser = postgres.unixSocketConfiguration(try await postgres.start()) } catch { throw fail(error) }
        do {
            try await migrate(superuser, logger: logger)
            let server = superuser.with(username: ServerRole.name, password: nil)
            let (runtime, domain) = try await RuntimeFactory.make(
                configuration: server, catalogPath: catalog, key: key, publicURL: "http://127.0.0.1:\(port)",
                captcha: .imageRevealedInLog, logger: logger)
            try await serve(runtime: runtime, domain: domain, server: server, dataFolder: dataFolder, logger: logger)
        } catch {
            try? await postgres.stop()
            if error is ExitCode { throw error }
            throw fail(error)
        }
        say("stopping PostgreSQL …")
        try await postgres.stop()
    }

    func migrate(_ superuser: DatabaseConfiguration, logger: Logger) async throws {
        guard let folder = Migrator.locateDefaultDirectory() else {
            printError("error: the migrations (db/) were not found: run from the project folder")
            throw ExitCode(1)
        }
        let connection = try await PostgresConnection.connect(
            configuration: try superuser.connectionConfiguration(), id: 1, logger: logger)
        do {
            let applied = try await Migrator(directory: folder).migrate(on: connection, logger: logger)
            for migration in applied { say("migrated: \(migration.fileName)") }
            try await ServerRole.ensure(on: connection, logger: logger)
            try await importSampleDirectory(on: connection, logger: logger)
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
    }

    /// On first run, the SIRENE sample of examples/sirene becomes the structure directory, so that the signup
    /// journeys find the guide's SIRET (79954986000010). A directory already filled is left alone.
    func importSampleDirectory(on connection: PostgresConnection, logger: Logger) async throws {
        let rows = try await connection.query("SELECT count(*) FROM directory_establishments", logger: logger)
        var count = 0
        for try await (value) in rows.decode(Int.self) { count = value }
        let folder = URL(fileURLWithPath: "examples/sirene")
        guard count == 0, FileManager.default.fileExists(atPath: folder.path) else { return }
        for (file, summary) in try await DirectoryImporter().importSample(in: folder, on: connection, logger: logger) {
            say("directory: \(summary.imported) rows of examples/sirene/\(file) imported")
        }
    }

    func serve(
        runtime: Runtime, domain: SignupDomain, server: DatabaseConfiguration, dataFolder: URL, logger: Logger
    ) async throws {
        let mailFolder = dataFolder.appendingPathComponent("mail")
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await runtime.client.run() }
            defer {
                runtime.lender.shutDown()
                group.cancelAll()
            }
            try await setUpTenants(runtime: runtime, dataFolder: dataFolder)
            let workers = RuntimeWorkers(
                runtime: runtime, transport: DevMailTransport(folder: EMLFolderTransport(folder: mailFolder)),
                mail: MailSettings(),
                listenConfiguration: try server.connectionConfiguration(), pollInterval: .seconds(2))
            let watcher = DesignWatcher(runtime: runtime, tenants: Self.demoTenants)
            let port = self.port
            let application = ParcoursServer.application(
                runtime: runtime, domain: domain, host: "127.0.0.1", port: port,
                services: [runtime.lender, workers, watcher], logger: logger,
                onServerRunning: { port in
                    say(
                        """

                        Parcours is running on http://127.0.0.1:\(port)
                          curl http://127.0.0.1:\(port)/healthz
                          curl http://127.0.0.1:\(port)/readyz
                          curl http://127.0.0.1:\(port)/openapi.yaml     (the API, under /v1; docs/api.md)
                        Tenants: \(Self.demoTenants.map(\.id).joined(separator: ", ")) (keys in \(dataFolder.path)/demo-keys.txt)
                        Mail:    \(mailFolder.path)/*.eml (each one is also summed up here, with its link)
                        A whole journey with curl: docs/walkthrough.md
                        Edit workflows/ or examples/ and save: the definitions are checked and redeployed.
                        Ctrl-C to stop.

                        """)
                })
            try await application.runService()
        }
    }

    /// Creates the demo tenants that do not exist yet and deploys the workflows (and their examples) to each.
    func setUpTenants(runtime: Runtime, dataFolder: URL) async throws {
        var newKeys: [String] = []
        for tenant in Self.demoTenants {
            if !(try await runtime.tenantExists(tenant.id)) {
                let key = try await runtime.createTenant(id: tenant.id, name: tenant.name)
                newKeys.append("\(tenant.id)\t\(key)")
                say("tenant \(tenant.id) created; administrator key: \(key)")
            }
            await DesignWatcher.deploy(runtime: runtime, tenant: tenant)
        }
        if !newKeys.isEmpty {
            let file = dataFolder.appendingPathComponent("demo-keys.txt")
            let previous = (try? String(contentsOf: file, encoding: .utf8)) ?? ""
            try (previous + newKeys.joined(separator: "\n") + "\n").write(to: file, atomically: true, encoding: .utf8)
            try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: file.path)
        }
    }

    /// The key sealing queued secrets: kept in the data folder (mode 0600) so mail queued before a restart opens.
    func secretKey(in folder: URL) throws -> ServerKey {
        let file = folder.appendingPathComponent("secret.key")
        if let text = try? String(contentsOf: file, encoding: .utf8) { return try ServerKey(base64: text) }
        let key = SecretSealer.newKeyBase64()
        // Created readable by its owner only before the key is written: never a moment with wider permissions.
        let descriptor = open(file.path, O_WRONLY | O_CREAT | O_EXCL, 0o600)
        guard descriptor >= 0 else { throw RuntimeError(.invalidInput, "cannot create \(file.path)") }
        let handle = FileHandle(fileDescriptor: descriptor, closeOnDealloc: true)
        try handle.write(contentsOf: Data(key.utf8))
        try handle.close()
        return try ServerKey(base64: key)
    }
}

/// Redeploys the demo tenants when a file under workflows/ or examples/ changes (polling, once a second).
struct DesignWatcher: Service {
    let runtime: Runtime
    let tenants: [(id: String, name: String, examples: String?)]

    func run() async throws {
        var last = Self.snapshot()
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            try? await Task.sleep(for: .seconds(1))
            let current = Self.snapshot()
            guard current != last else { continue }
            last = current
            say("change detected: checking and redeploying …")
            for tenant in tenants { await Self.deploy(runtime: runtime, tenant: tenant) }
        }
    }

    /// Modification times of the YAML files under workflows/ and examples/.
    static func snapshot() -> [String: Date] {
        var result: [String: Date] = [:]
        for folder in ["workflows", "examples"] {
            for file in (FileManager.default.enumerator(atPath: folder)?.allObjects as? [String] ?? [])
            where file.hasSuffix(".yaml") || file.hasSuffix(".yml") {
                let path = (folder as NSString).appendingPathComponent(file)
                result[path] = (try? FileManager.default.attributesOfItem(atPath: path))?[.modificationDate] as? Date
            }
        }
        return result
    }

    /// Deploys workflows/ (and the tenant's example folder); prints what changed, or the checker's errors.
    static func deploy(runtime: Runtime, tenant: (id: String, name: String, examples: String?)) async {
        let folders = ["workflows"] + (tenant.examples.map { [$0] } ?? [])
        do {
            let sources = try RuntimeFactory.sources(folders.filter { FileManager.default.fileExists(atPath: $0) })
            let result = try await runtime.deploy(tenant: tenant.id, sources: sources)
            let created = result.processes.filter(\.created)
            if !created.isEmpty {
                say(
                    "\(tenant.id): deployed "
                        + created.map { "\($0.process) v\($0.version)" }.joined(separator: ", "))
            }
        } catch let error as RuntimeError {
            say("\(tenant.id): not deployed — \(error.message)")
            for diagnostic in error.diagnostics where diagnostic.severity == .error { say("  \(diagnostic)") }
        } catch {
            say("\(tenant.id): not deployed — \(error)")
        }
    }
}

/// Development mail: each message is written as an `.eml` file and summed up on the console — recipients, subject
/// and the e-mailed link, if any — so that a journey can be followed from a terminal. `parcours dev` only: links
/// are secrets.
struct DevMailTransport: MailTransport {
    let folder: EMLFolderTransport

    func send(_ message: MailMessage) async throws {
        try await folder.send(message)
        var line = "mail to \(message.to.joined(separator: ", ")): \(message.subject)"
        if let start = message.textBody.range(of: "http://"),
            message.textBody[start.lowerBound...].contains("/links/")
        {
            let link = message.textBody[start.lowerBound...].prefix { !$0.isWhitespace }
            line += "\n  link: \(link)"
        }
        say(line)
    }
}
