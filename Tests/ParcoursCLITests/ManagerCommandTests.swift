import Foundation
import ParcoursAPITestSupport
import ParcoursDSL
import Testing

/// Runs `parcours` off the concurrency pool, so the in-process server keeps answering while the command waits.
func runCLI(_ arguments: [String], stdin: String? = nil, environment: [String: String]) async throws -> CLIResult {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            continuation.resume(with: Result { try CLI.run(arguments, stdin: stdin, environment: environment) })
        }
    }
}

@Suite("Managers' CLI against a running server", .serialized)
struct ManagerCommandTests {
    @Test func loginListShowApproveRejectAndTheirFailures() async throws {
        try await APIHarness.with { api in
            try await api.tenant("acme")
            api.domain.addAccount(tenant: "acme", id: "acc-a", email: "ana@example.org", password: "s3cret pass")
            api.domain.addManager(tenant: "acme", structure: "s-1", account: "acc-a")
            let first = try #require(
                try await api.runtime.start(
                    tenant: "acme", process: "attach_test", params: ["structure": "s-1", "requester": "acc-r"]
                ).taskId)
            let second = try #require(
                try await api.runtime.start(
                    tenant: "acme", process: "attach_test", params: ["structure": "s-1", "requester": "acc-s"]
                ).taskId)
            let notMine = try #require(
                try await api.runtime.start(
                    tenant: "acme", process: "attach_test", params: ["structure": "s-2", "requester": "acc-r"]
                ).taskId)

            let config = try CLI.temporaryFolder()
            defer { try? FileManager.default.removeItem(at: config) }
            let environment = [
                "XDG_CONFIG_HOME": config.path, "PARCOURS_SERVER": "", "PARCOURS_TENANT": "", "PARCOURS_TOKEN": "",
            ]

            let notLoggedIn = try await runCLI(["tasks", "list"], environment: environment)
            #expect(notLoggedIn.status == 3, "\(notLoggedIn)")
            #expect(notLoggedIn.stderr.contains("not logged in"))

            let wrong = try await runCLI(
                [
                    "login", "--server", api.baseURL, "--tenant", "acme", "--email", "ana@example.org",
                    "--password-stdin",
                ],
                stdin: "nope\n", environment: environment)
            #expect(wrong.status == 3, "\(wrong)")
            #expect(wrong.stderr.contains("wrong e-mail or password"))

            let login = try await runCLI(
                ["login", "--server", api.baseURL, "--tenant", "acme", "--password-stdin"],
                stdin: "ana@example.org\ns3cret pass\n", environment: environment)
            #expect(login.status == 0, "\(login)")
            #expect(login.stdout.contains("Logged in to acme"))
            #expect(!login.stdout.contains("s3cret") && !login.stderr.contains("s3cret"))
            let file = config.appendingPathComponent("parcours/session.json")
            let attributes = try FileManager.default.attributesOfItem(atPath: file.path)
            #expect((attributes[.posixPermissions] as? NSNumber)?.intValue == 0o600)
            let stored = try Value.parseJSON(String(contentsOf: file, encoding: .utf8))
            #expect(stored[member: "tenant"].stringValue == "acme")
            #expect(stored[member: "server"].stringValue == api.baseURL)
            #expect(stored[member: "token"].stringValue?.isEmpty == false)

            let list = try await runCLI(["tasks", "list"], environment: environment)
            #expect(list.status == 0, "\(list)")
            #expect(list.stdout.hasPrefix("ID"))
            #expect(list.stdout.contains(first) && list.stdout.contains(second))
            #expect(!list.stdout.contains(notMine))
            let json = try await runCLI(["tasks", "list", "--json"], environment: environment)
            #expect(try Value.parseJSON(json.stdout).listValue?.count == 2, "\(json)")

            let show = try await runCLI(["tasks", "show", first], environment: environment)
            #expect(show.status == 0, "\(show)")
            #expect(show.stdout.contains("Rattachement à s-1"))
            let forbidden = try await runCLI(["tasks", "show", notMine], environment: environment)
            #expect(forbidden.status == 4, "\(forbidden)")
            #expect(forbidden.stderr.contains("is not yours"))
            let missing = try await runCLI(["tasks", "show", "nope"], environment: environment)
            #expect(missing.status == 6, "\(missing)")

            let usage = try await runCLI(["tasks", "reject", second], environment: environment)
            #expect(usage.status == 64, "\(usage)")
            #expect(usage.stderr.contains("--comment"))

            let approved = try await runCLI(["tasks", "approve", first], environment: environment)
            #expect(approved.status == 0, "\(approved)")
            #expect(approved.stdout.contains("approved"))
            let again = try await runCLI(["tasks", "approve", first], environment: environment)
            #expect(again.status == 5, "\(again)")
            #expect(again.stderr.contains("already decided"), "\(again)")
            let rejected = try await runCLI(
                ["tasks", "reject", second, "--comment", "Inconnu", "--json"], environment: environment)
            #expect(rejected.status == 0, "\(rejected)")
            #expect(try Value.parseJSON(rejected.stdout)[member: "outcome"].stringValue == "reject")

            // The environment overrides the stored session.
            let token = api.domain.openSession(tenant: "acme", account: "acc-a")
            let fromEnvironment = try await runCLI(
                ["tasks", "list", "--status", "decided"],
                environment: [
                    "XDG_CONFIG_HOME": "/nonexistent", "PARCOURS_SERVER": api.baseURL, "PARCOURS_TENANT": "acme",
                    "PARCOURS_TOKEN": token,
                ])
            #expect(fromEnvironment.status == 0, "\(fromEnvironment)")
            #expect(fromEnvironment.stdout.contains(first) && fromEnvironment.stdout.contains(second))

            api.clock.advance(by: 7200)
            let expired = try await runCLI(["tasks", "list"], environment: environment)
            #expect(expired.status == 3, "\(expired)")
            #expect(expired.stderr.contains("your session has expired"), "\(expired)")

            let logout = try await runCLI(["logout"], environment: environment)
            #expect(logout.status == 0, "\(logout)")
            #expect(!FileManager.default.fileExists(atPath: file.path))
        }
    }
}

extension CLIResult: CustomStringConvertible {
    var description: String { "exit \(status)\nstdout: \(stdout)\nstderr: \(stderr)" }
}
