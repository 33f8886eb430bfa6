import ArgumentParser
import Foundation
import Logging
import ParcoursAPI
import ParcoursRuntime

/// `parcours serve --database-url URL`: the HTTP server and the workers.
struct ServeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "serve",
        abstract: "Run the HTTP server and the workers (timers, mail) over one PostgreSQL database.",
        discussion: """
            Several `serve` processes may share one database: they split the work with FOR UPDATE SKIP LOCKED and
            wake each other with LISTEN/NOTIFY. SIGINT or SIGTERM stops accepting requests, finishes the work in
            progress, then exits. PARCOURS_SECRET_KEY (32 random bytes, base64) must be set.
            """)

    @OptionGroup var database: DatabaseOptions

    @Option(help: "The address to listen on.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on.")
    var port = 8080

    @Option(help: "Where mail goes: log, eml:FOLDER or smtp://user:password@host:port.")
    var mail = "log"

    @Option(name: .customLong("mail-from"), help: "The sender of notifications.")
    var mailFrom = "Parcours <no-reply@parcours.localhost>"

    @Option(name: .customLong("actions"), help: "The action catalogue (default: workflows/actions.yaml).")
    var catalog: String?

    @Option(
        name: .customLong("public-url"),
        help: "The address e-mailed links start with (default: PARCOURS_PUBLIC_URL, else http://HOST:PORT).")
    var publicURL: String?

    func run() async throws {
        var configuredLogger = Logger(label: "parcours")
        configuredLogger.logLevel = .info
        let logger = configuredLogger
        let configuration = try database.configuration()
        let (runtime, domain) = try await RuntimeFactory.make(
            configuration: configuration, catalogPath: catalog, key: try RuntimeFactory.keyFromEnvironment(),
            publicURL: publicURL ?? ProcessInfo.processInfo.environment["PARCOURS_PUBLIC_URL"]
                ?? "http://\(host):\(port)",
            logger: logger)
        let workers = RuntimeWorkers(
            runtime: runtime, transport: try RuntimeFactory.transport(mail, logger: logger),
            mail: MailSettings(from: mailFrom), listenConfiguration: try configuration.connectionConfiguration())
        let application = ParcoursServer.application(
            runtime: runtime, domain: domain, host: host, port: port,
            services: [runtime.client, runtime.lender, workers], logger: logger,
            onServerRunning: { port in
                logger.info("parcours serving on http://\(host):\(port) (database \(configuration.redacted))")
            })
        try await application.runService()
    }
}
