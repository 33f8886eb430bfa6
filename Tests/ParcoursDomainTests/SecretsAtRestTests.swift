import Foundation
import ParcoursDSL
import ParcoursRuntime
import ParcoursTestSupport
import Testing

@testable import ParcoursDomain

/// After the journeys, neither the database nor the logs hold a password, a secret answer or a token in clear.
@Suite("secrets at rest")
struct SecretsAtRestTests {
    @Test("a pg_dump of the whole database and every log line hold no password, secret answer or token")
    func dumpAndLogsHoldNoSecret() async throws {
        try await DomainFixture.with { f in
            // Path 1 (Louise), path 3 (Paul, approved), a password reset and a login of each.
            let (_, _) = try await SignupJourneyTests.createDressing(f)
            var paul = try await SignupJourneyTests.identify(f, People.paul, siret: "79954986000010")
            paul = try await f.send(paul.id, "confirm")
            paul = try await SignupJourneyTests.personalInfo(f, paul.id, People.paul)
            paul = try await f.send(paul.id, "confirm")
            _ = try await SignupJourneyTests.activate(f, People.paul)
            let louise = try await f.domain.login(
                tenant: DomainFixture.tenant, email: People.louise.email, password: People.louise.password,
                source: "s")
            let manager = try await f.domain.authenticate(tenant: DomainFixture.tenant, token: louise.token)
            let tasks = try await f.runtime.tasks(tenant: DomainFixture.tenant, candidate: manager.accountId)
            let task = try #require(tasks.items.first)
            _ = try await f.runtime.decide(
                tenant: DomainFixture.tenant, task: task.id, outcome: "approve", comment: nil,
                by: .account(manager.accountId))
            let reset = try await AccountJourneyTests.beginReset(f, People.paul.email)
            _ = try await f.send(reset.id, "answer", ["answer": .string(People.paul.answer)])
            try await f.deliverMail()
            let resetLink = try f.lastLink(to: People.paul.email)
            let newPassword = "Encore-Un-Secret-99%"
            let newAnswer = "Une réponse très secrète"
            _ = try await f.follow(
                resetLink,
                [
                    "password": .string(newPassword), "password_confirmation": .string(newPassword),
                    "secret_question": "Ma question ?", "secret_answer": .string(newAnswer),
                ])
            let paulSession = try await f.domain.login(
                tenant: DomainFixture.tenant, email: People.paul.email, password: newPassword, source: "s")
            let challenge = try await f.domain.captcha(tenant: DomainFixture.tenant)

            // Every secret the journeys handled, in clear.
            let links = f.mailbox.messages.compactMap { message -> String? in
                guard let range = message.textBody.range(of: "/links/") else { return nil }
                return String(
                    message.textBody[range.upperBound...].prefix {
                        $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_"
                    })
            }
            #expect(links.count == 3)  // two activations, one reset
            let secrets: [String] =
                [
                    People.louise.password, People.paul.password, newPassword, People.louise.answer,
                    People.paul.answer, SecretAnswer.normalize(People.paul.answer), newAnswer,
                    SecretAnswer.normalize(newAnswer), louise.token, paulSession.token,
                ] + links
            _ = challenge

            let dump = try Self.pgDump(f.superuser)
            #expect(dump.contains("LE DRESSING DE LOUISE"))  // the dump has the data
            #expect(dump.contains("$scrypt$"))
            let logs = f.logs.text
            #expect(!logs.isEmpty)
            for secret in secrets {
                #expect(!dump.contains(secret), "the database dump holds a secret in clear: \(secret.prefix(6))…")
                #expect(!logs.contains(secret), "the logs hold a secret in clear: \(secret.prefix(6))…")
            }
        }
    }

    /// The plain-SQL dump of the whole database, data included, by `pg_dump`.
    static func pgDump(_ database: DatabaseConfiguration) throws -> String {
        let bin = try #require(EmbeddedPostgres.locateBinaries(), "no PostgreSQL binaries")
        let process = Process()
        process.executableURL = bin.appendingPathComponent("pg_dump")
        var arguments = ["--no-owner", "--dbname", database.database, "--username", database.username]
        if let socket = database.socketDirectory {
            arguments += ["--host", socket, "--port", "\(database.port)"]
        } else {
            arguments += ["--host", database.host, "--port", "\(database.port)"]
        }
        process.arguments = arguments
        var environment = ProcessInfo.processInfo.environment
        if let password = database.password { environment["PGPASSWORD"] = password }
        process.environment = environment
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        let errorText = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "pg_dump failed: \(errorText)")
        return String(decoding: data, as: UTF8.self)
    }
}
