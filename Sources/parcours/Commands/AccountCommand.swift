import ArgumentParser
import Foundation
import Logging
import ParcoursDomain
import ParcoursRuntime

/// `parcours account resend-activation --tenant T (--account ID | --email E)`: support re-sends an activation link.
struct AccountCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "account", abstract: "Support's operations on accounts.", subcommands: [ResendActivation.self])

    struct ResendActivation: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "resend-activation",
            abstract: "Send a fresh activation link to an account that is not activated yet.",
            discussion: """
                The account's earlier links stop working; the new one is valid for the activation process's
                `activation_validity` (30 days by default). The e-mail is queued in the database and sent by a
                running `serve` (or `dev`): PARCOURS_SECRET_KEY must be the one that server uses (for `parcours dev`,
                the content of .parcours/secret.key), and --public-url the address its links start with.
                """)

        @Option(help: "The tenant of the account.")
        var tenant: String

        @Option(help: "The account id.")
        var account: String?

        @Option(help: "The account's login e-mail (instead of --account).")
        var email: String?

        @Option(
            name: .customLong("public-url"),
            help: "The address links start with (default: PARCOURS_PUBLIC_URL, else http://127.0.0.1:8080).")
        var publicURL: String?

        @OptionGroup var database: DatabaseOptions

        @Option(name: .customLong("actions"), help: "The action catalogue (default: workflows/actions.yaml).")
        var catalog: String?

        func validate() throws {
            guard (account == nil) != (email == nil) else {
                throw ValidationError("give either --account or --email")
            }
        }

        func run() async throws {
            let logger = Logger(label: "parcours")
            let (runtime, domain) = try await RuntimeFactory.make(
                configuration: try database.configuration(), catalogPath: catalog,
                key: try RuntimeFactory.keyFromEnvironment(),
                publicURL: publicURL ?? ProcessInfo.processInfo.environment["PARCOURS_PUBLIC_URL"]
                    ?? "http://127.0.0.1:8080",
                logger: logger)
            let (account, email, tenant) = (self.account, self.email, self.tenant)
            let sentTo = try await withClient(runtime) {
                do {
                    let id = try await domain.accountId(tenant: tenant, account: account, loginEmail: email)
                    let instance = try await domain.activationInstance(tenant: tenant, account: id)
                    _ = try await runtime.send(
                        tenant: tenant, instance: instance, event: "resend", payload: [:], actor: "admin:cli")
                    return id
                } catch let error as DomainError {
                    printError("error: \(error.message)")
                    throw ExitCode(1)
                } catch {
                    throw fail(error)
                }
            }
            print("a fresh activation link is queued for account \(sentTo); earlier links no longer work")
        }
    }
}
