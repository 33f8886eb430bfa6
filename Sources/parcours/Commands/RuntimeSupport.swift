import ArgumentParser
import Foundation
import Logging
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import PostgresNIO

/// `--database-url`, else `DATABASE_URL`, else the `PG*` variables.
struct DatabaseOptions: ParsableArguments {
    @Option(
        name: .customLong("database-url"),
        help: "postgres://user:password@host:port/database (default: DATABASE_URL, then the PG* variables).")
    var databaseURL: String?

    func configuration() throws -> DatabaseConfiguration {
        do {
            return try DatabaseConfiguration.resolve(url: databaseURL, environment: ProcessInfo.processInfo.environment)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
    }
}

enum RuntimeFactory {
    /// Checks the database answers (the real cause within seconds, instead of PostgresClient's minute of retries),
    /// then builds the runtime with the signup domain's actions, and the domain's services on it (what the API
    /// needs). The caller runs `runtime.client`.
    static func make(
        configuration: DatabaseConfiguration, catalogPath: String?, key: ServerKey, publicURL: String,
        captcha: CaptchaMode = .image, logger: Logger
    ) async throws -> (runtime: Runtime, domain: SignupDomain) {
        do {
            try await DatabaseCheck.verify(configuration, logger: logger)
        } catch {
            printError("error: \(error)")
            throw ExitCode(1)
        }
        let catalog = try loadCatalog(catalogPath)
        let missing =
            Set(catalog.actions.keys).subtracting(SignupActions.actionNames).sorted()
            + Set(catalog.resolvers.keys).subtracting(SignupActions.resolverNames).sorted()
        guard missing.isEmpty else {
            printError(
                "error: the catalogue names actions or resolvers with no implementation: \(missing.joined(separator: ", "))"
            )
            throw ExitCode(1)
        }
        let clientConfiguration = configuration.clientConfiguration()
        let client = PostgresClient(configuration: clientConfiguration, backgroundLogger: logger)
        let domain = DomainConfiguration(publicURL: publicURL, keyedHasher: key.keyedHasher)
        let verifier = captcha.verifier(key: key, logger: logger)
        let actions = SignupActions(
            configuration: domain, captcha: verifier, directory: DirectoryLookup(), logger: logger)
        // The runtime holds most of the pool between its uses; four connections stay for the domain's and the
        // API's own queries.
        let runtime = Runtime(
            client: client, catalog: catalog, actions: actions, assignees: actions, sealer: key.sealer, logger: logger,
            heldConnections: max(0, clientConfiguration.options.maximumConnections - 4))
        return (runtime, SignupDomain(runtime: runtime, configuration: domain, captcha: verifier))
    }

    static func loadCatalog(_ path: String?) throws -> ActionCatalog {
        let workspace = Workspace.load(paths: [], catalogPath: path)
        let problems = workspace.diagnostics.filter { $0.severity == .error }
        guard workspace.hasCatalog, problems.isEmpty else {
            for problem in problems { printError(problem.description) }
            printError("error: no usable action catalogue: pass --actions FILE or run from the project folder")
            throw ExitCode(1)
        }
        return workspace.catalog
    }

    /// `PARCOURS_SECRET_KEY` (32 random bytes, base64): seals the secrets of queued e-mails and keys the domain's
    /// hashes.
    static func keyFromEnvironment() throws -> ServerKey {
        guard let text = ProcessInfo.processInfo.environment["PARCOURS_SECRET_KEY"], !text.isEmpty else {
            printError(
                "error: set PARCOURS_SECRET_KEY to 32 random bytes in base64 (e.g. `openssl rand -base64 32`): it seals the secrets of queued e-mails"
            )
            throw ExitCode(1)
        }
        do { return try ServerKey(base64: text) } catch {
            printError("error: PARCOURS_SECRET_KEY: \(error)")
            throw ExitCode(1)
        }
    }

    /// Reads the YAML files under `paths` (folders recursively), as `deploy` sends them.
    static func sources(_ paths: [String]) throws -> [(file: String, text: String)] {
        var result: [(String, String)] = []
        for path in paths {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                printError("error: \(path): no such file or folder")
                throw ExitCode(1)
            }
            var files = [path]
            if isDirectory.boolValue {
                files = (FileManager.default.enumerator(atPath: path)?.allObjects as? [String] ?? [])
                    .filter { $0.hasSuffix(".yaml") || $0.hasSuffix(".yml") }.sorted()
                    .map { (path as NSString).appendingPathComponent($0) }
            }
            for file in files {
                let text = try String(contentsOfFile: file, encoding: .utf8)
                result.append((file, text))
            }
        }
        return result
    }

    /// The mail transport named on the command line: `log`, `eml:FOLDER` or `smtp://host:port`.
    static func transport(_ text: String, logger: Logger) throws -> any MailTransport {
        if text == "log" { return LogMailTransport(logger: logger) }
        if text.hasPrefix("eml:") {
            return EMLFolderTransport(folder: URL(fileURLWithPath: String(text.dropFirst(4))))
        }
        if text.hasPrefix("smtp://") { return SMTPTransport(configuration: try SMTPConfiguration.parse(url: text)) }
        printError("error: --mail must be log, eml:FOLDER or smtp://host:port, not '\(text)'")
        throw ExitCode(1)
    }
}

/// Prints a runtime error for a person and exits with 1.
func fail(_ error: any Error) -> ExitCode {
    if let error = error as? RuntimeError {
        printError(error.diagnostics.isEmpty ? "error: \(error.message)" : error.description)
    } else {
        printError("error: \(error)")
    }
    return ExitCode(1)
}

/// Runs `body` while the client's connection pool runs.
func withClient<T: Sendable>(_ runtime: Runtime, _ body: @Sendable () async throws -> T) async throws -> T {
    try await withThrowingTaskGroup(of: T?.self) { group in
        group.addTask {
            await runtime.client.run()
            return nil
        }
        defer {
            // The held leases go back before the pool shuts down.
            runtime.lender.shutDown()
            group.cancelAll()
        }
        return try await body()
    }
}
