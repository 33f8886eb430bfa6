import Foundation
import ParcoursAPITestSupport
import ParcoursDSL
import ParcoursRuntime
import ParcoursTestSupport
import Testing

/// `parcours account resend-activation`: support re-sends an activation link.
@Suite("account commands", .serialized)
struct AccountCommandTests {
    @Test func resendActivationQueuesAFreshLinkAndRetiresTheOldOne() async throws {
        try await SignupAPIHarness.withSignupDomain { h in
            // Paul signs up (a private individual: the shortest path) and stops before activating.
            let base = "/v1/tenants/acme"
            let started = try await h.request("POST", "\(base)/processes/signup/instances", json: ["params": [:]])
            let id = try #require(started.json[member: "id"].stringValue)
            let steps: [(String, Value)] = [
                ("no_siret", ["login_email": "paul@example.org", "login_email_confirmation": "paul@example.org"]),
                ("submit", ["structure_type": "PARTICULIER"]),
                (
                    "submit",
                    [
                        "name": "Durand Paul", "address": "2 place du Marché", "postcode": "75001", "city": "Paris",
                        "country": "France",
                    ]
                ),
                (
                    "submit",
                    [
                        "last_name": "Durand", "first_name": "Paul", "accept_conditions": "ACCEPTED",
                        "captcha": .string(try await h.solveCaptcha()),
                    ]
                ),
                ("submit", [:]),
                ("confirm", [:]),
            ]
            for (event, payload) in steps {
                let result = try await h.request("POST", "\(base)/instances/\(id)/events/\(event)", json: payload)
                #expect(result.status == 200, "\(event): \(result)")
            }
            let links = "SELECT count(*)::text FROM links"
            let live = "SELECT count(*)::text FROM links WHERE replaced_at IS NULL AND used_at IS NULL"
            #expect(try await Self.query(links, h) == "1")

            let server = h.superuser.with(username: ServerRole.name, password: nil).unredactedURL
            let environment = ["PARCOURS_SECRET_KEY": SecretSealer.newKeyBase64(), "DATABASE_URL": server]
            let resent = try CLI.run(
                ["account", "resend-activation", "--tenant", "acme", "--email", "PAUL@example.org"],
                environment: environment)
            #expect(resent.status == 0, "\(resent.stderr)")
            #expect(resent.stdout.contains("a fresh activation link is queued for account acc-"))
            #expect(try await Self.query(links, h) == "2")
            #expect(try await Self.query(live, h) == "1")
            #expect(try await Self.query("SELECT count(*)::text FROM outbox WHERE status = 'pending'", h) != "0")

            let unknown = try CLI.run(
                ["account", "resend-activation", "--tenant", "acme", "--email", "nobody@example.org"],
                environment: environment)
            #expect(unknown.status == 1)
            #expect(unknown.stderr.contains("no account nobody@example.org"), "\(unknown.stderr)")

            let both = try CLI.run(
                ["account", "resend-activation", "--tenant", "acme", "--email", "a@b.example", "--account", "x"],
                environment: environment)
            #expect(both.status == 64)
            #expect(both.stderr.contains("give either --account or --email"))

            let noKey = try CLI.run(
                ["account", "resend-activation", "--tenant", "acme", "--email", "paul@example.org"],
                environment: ["DATABASE_URL": server, "PARCOURS_SECRET_KEY": ""])
            #expect(noKey.status == 1)
            #expect(noKey.stderr.contains("PARCOURS_SECRET_KEY"))
        }
    }

    static func query(_ sql: String, _ h: SignupAPIHarness) async throws -> String {
        try await TestPostgres.withConnection(to: h.superuser) { connection in
            let rows = try await connection.query(.init(unsafeSQL: sql), logger: TestPostgres.logger)
            var value = ""
            for try await (text) in rows.decode(String.self) { value = text }
            return value
        }
    }
}
