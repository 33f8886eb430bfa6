import ArgumentParser
import Foundation
import Logging
import ParcoursRuntime

/// `parcours tenant create ID`.
struct TenantCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tenant", abstract: "Manage tenants.", subcommands: [Create.self])

    struct Create: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Create a tenant and print its administrator key (shown once: only its hash is kept).")

        @Argument(help: "The tenant id: lower-case letters, digits, '-' and '_'.")
        var id: String

        @Option(help: "A display name (default: the id).")
        var name: String?

        @OptionGroup var database: DatabaseOptions

        @Option(name: .customLong("actions"), help: "The action catalogue (default: workflows/actions.yaml).")
        var catalog: String?

        func run() async throws {
            let logger = Logger(label: "parcours")
            let runtime = try await RuntimeFactory.make(
                configuration: try database.configuration(), catalogPath: catalog, key: .random(),
                publicURL: "http://localhost", logger: logger
            ).runtime
            let key = try await withClient(runtime) {
                do { return try await runtime.createTenant(id: id, name: name ?? id) } catch { throw fail(error) }
            }
            print("tenant \(id) created")
            print("administrator key (shown once, keep it safe): \(key)")
        }
    }
}

/// `parcours deploy --tenant T PATH…`.
struct DeployCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deploy",
        abstract: "Check definitions and store a new version of each one that changed.",
        discussion: """
            The same checks as `parcours validate` run first; nothing is stored when one fails. Tenant files
            (`tenant: ID`) naming this tenant replace its settings overrides. Running instances keep their version.
            """)

    @Option(help: "The tenant to deploy to.")
    var tenant: String

    @Argument(help: "Files or folders.")
    var paths: [String]

    @OptionGroup var database: DatabaseOptions

    @Option(name: .customLong("actions"), help: "The action catalogue (default: workflows/actions.yaml).")
    var catalog: String?

    func run() async throws {
        let logger = Logger(label: "parcours")
        let sources = try RuntimeFactory.sources(paths)
        let runtime = try await RuntimeFactory.make(
            configuration: try database.configuration(), catalogPath: catalog, key: .random(),
            publicURL: "http://localhost", logger: logger
        ).runtime
        let result = try await withClient(runtime) {
            do { return try await runtime.deploy(tenant: tenant, sources: sources) } catch { throw fail(error) }
        }
        for process in result.processes {
            print("\(process.process): version \(process.version)\(process.created ? " (new)" : " (unchanged)")")
        }
        for process in result.settingsApplied { print("\(process): tenant settings applied") }
    }
}
