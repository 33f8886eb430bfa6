import Foundation
import ParcoursRuntime
import ParcoursTestSupport
import PostgresNIO
import Testing

@testable import ParcoursDomain

@Suite("passwords, answers, tokens")
struct SecurityPrimitiveTests {
    @Test("scrypt hashes: salted, self-describing, verified, upgraded when weaker")
    func passwordHashes() throws {
        let hasher = PasswordHasher.fastForTests
        let first = try hasher.hash("Correct-Horse-42!")
        let second = try hasher.hash("Correct-Horse-42!")
        #expect(first != second)  // a salt each
        #expect(first.hasPrefix("$scrypt$ln=4,r=8,p=1$"))
        #expect(!first.contains("Correct-Horse"))
        #expect(hasher.verify("Correct-Horse-42!", against: first))
        #expect(!hasher.verify("correct-horse-42!", against: first))
        #expect(!hasher.verify("Correct-Horse-42!", against: "$scrypt$ln=4,r=8,p=1$garbage"))
        #expect(!hasher.verify("Correct-Horse-42!", against: "plain text"))
        // A hash keeps its own parameters: a stronger hasher still verifies it, and asks for an upgrade.
        let stronger = PasswordHasher(logRounds: 5, blockSize: 8, parallelism: 1)
        #expect(stronger.verify("Correct-Horse-42!", against: first))
        #expect(stronger.needsUpgrade(first))
        #expect(!hasher.needsUpgrade(first))
        #expect(PasswordHasher.standard.logRounds >= 15)
    }

    @Test(
        "secret answers compare as a person types them again",
        arguments: [
            ("Le Jardin des Plantes", "  le   jardin DES plantes "),
            ("École Jules-Ferry", "ecole jules ferry"),
            ("Saint-Étienne", "SAINT ETIENNE."),
        ])
    func answerNormalization(stored: String, typed: String) {
        #expect(SecretAnswer.normalize(stored) == SecretAnswer.normalize(typed))
    }

    @Test("different answers stay different")
    func answersDiffer() {
        #expect(SecretAnswer.normalize("Paris") != SecretAnswer.normalize("Pari"))
        #expect(SecretAnswer.normalize("rouge vert") != SecretAnswer.normalize("rougevert"))
    }

    @Test("tokens: 256 random bits, URL-safe; only their SHA-256 is stored")
    func tokens() {
        let tokens = (0..<200).map { _ in Tokens.random() }
        #expect(Set(tokens).count == 200)
        for token in tokens {
            #expect(token.count == 43)
            #expect(token.allSatisfy { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
        }
        #expect(Tokens.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(Tokens.identifier(prefix: "acc").count == 4 + 32)
    }

    @Test("keyed hashes depend on the key and the purpose")
    func keyedHashes() {
        let one = KeyedHasher.random()
        let two = KeyedHasher.random()
        #expect(one.hash("a@b.example", purpose: "login-email") == one.hash("a@b.example", purpose: "login-email"))
        #expect(one.hash("a@b.example", purpose: "login-email") != two.hash("a@b.example", purpose: "login-email"))
        #expect(one.hash("a@b.example", purpose: "login-email") != one.hash("a@b.example", purpose: "captcha"))
        #expect((0..<6).contains(one.pick("x", purpose: "decoy", among: 6)))
    }

    @Test("constant-time comparison")
    func constantTime() {
        #expect(constantTimeEquals(Array("abc".utf8), Array("abc".utf8)))
        #expect(!constantTimeEquals(Array("abc".utf8), Array("abd".utf8)))
        #expect(!constantTimeEquals(Array("abc".utf8), Array("abcd".utf8)))
    }
}

@Suite("the image captcha")
struct ImageCaptchaTests {
    @Test("a challenge answers once: right, then used; wrong answers and late answers fail; tenants are apart")
    func challengeLifecycle() async throws {
        let superuser = try await TestPostgres.freshDatabase(template: try await TestPostgres.migratedTemplate())
        let captcha = ImageCaptcha(hasher: .random(), logger: TestPostgres.logger)
        let now = Date(timeIntervalSince1970: 1_767_225_600)
        try await TestPostgres.withConnection(to: superuser) { connection in
            try await TestPostgres.execute(
                "INSERT INTO tenants (tenant_id, name) VALUES ('a', 'A'), ('b', 'B')", on: connection)
        }
        let server = superuser.with(username: ServerRole.name, password: nil)
        try await TestPostgres.withConnection(to: server) { connection in
            func inTenant<T>(_ tenant: String, _ body: () async throws -> T) async throws -> T {
                try await TestPostgres.execute(
                    "SELECT set_config('parcours.tenant', '\(tenant)', false)", on: connection)
                return try await body()
            }
            let (challenge, answer) = try await inTenant("a") {
                try await captcha.issue(tenant: "a", on: connection, now: now)
            }
            #expect(answer.count == 6)
            #expect(challenge.image.hasPrefix("<svg"))
            // Drawn as dots: no text an application could copy out of the image.
            #expect(!challenge.image.contains("<text"))
            #expect(!challenge.image.contains(answer))
            #expect(answer.allSatisfy { ImageCaptcha.glyphs[$0] != nil })
            #expect(challenge.expiresAt == now.addingTimeInterval(600))
            // Another tenant cannot use it.
            #expect(
                !(try await inTenant("b") {
                    try await captcha.verify(
                        response: "\(challenge.id):\(answer)", tenant: "b", on: connection, now: now)
                }))
            // Right (case and spaces do not matter), then used up.
            let typed = "\(challenge.id): \(answer.lowercased())"
            #expect(
                try await inTenant("a") {
                    try await captcha.verify(response: typed, tenant: "a", on: connection, now: now)
                })
            #expect(
                !(try await inTenant("a") {
                    try await captcha.verify(response: typed, tenant: "a", on: connection, now: now)
                }))
            // A wrong answer uses the challenge up too.
            let (second, right) = try await inTenant("a") {
                try await captcha.issue(tenant: "a", on: connection, now: now)
            }
            #expect(
                !(try await inTenant("a") {
                    try await captcha.verify(response: "\(second.id):XXXXXX", tenant: "a", on: connection, now: now)
                }))
            #expect(
                !(try await inTenant("a") {
                    try await captcha.verify(response: "\(second.id):\(right)", tenant: "a", on: connection, now: now)
                }))
            // Too late.
            let (third, thirdAnswer) = try await inTenant("a") {
                try await captcha.issue(tenant: "a", on: connection, now: now)
            }
            let late = now.addingTimeInterval(601)
            #expect(
                !(try await inTenant("a") {
                    try await captcha.verify(
                        response: "\(third.id):\(thirdAnswer)", tenant: "a", on: connection,
                        now: late)
                }))
            // Garbage.
            #expect(
                !(try await inTenant("a") {
                    try await captcha.verify(response: "no separator", tenant: "a", on: connection, now: now)
                }))
            // Only a keyed hash of the characters is stored.
            let stored = try await inTenant("a") {
                let rows = try await connection.query(
                    "SELECT answer_hash FROM captcha_challenges", logger: TestPostgres.logger)
                var hashes: [String] = []
                for try await (hash) in rows.decode(String.self) { hashes.append(hash) }
                return hashes
            }
            #expect(stored.count == 3)
            #expect(!stored.contains(answer))
            #expect(stored.allSatisfy { $0.count == 64 })
        }
    }
}

@Suite("domain tables under row-level security")
struct DomainIsolationTests {
    @Test("a query that forgets its tenant sees and changes nothing of another tenant's accounts")
    func crossTenantAccessFails() async throws {
        try await DomainFixture.with { f in
            _ = try await SignupJourneyTests.createDressing(f)
            _ = try await f.runtime.createTenant(id: "other", name: "Other")
            let seen = try await f.runtime.inTenant("other") { connection in
                let rows = try await connection.query(
                    "SELECT count(*) FROM accounts, structures, memberships", logger: TestPostgres.logger)
                var count = -1
                for try await (value) in rows.decode(Int.self) { count = value }
                return count
            }
            #expect(seen == 0)
            try await f.runtime.inTenant("other") { connection in
                try await connection.run("UPDATE accounts SET status = 'closed'", logger: TestPostgres.logger)
                try await connection.run("DELETE FROM memberships", logger: TestPostgres.logger)
            }
            #expect(try await f.superuserQuery("SELECT status FROM accounts") == ["active"])
            #expect(try await f.superuserQuery("SELECT count(*)::text FROM memberships") == ["1"])
            await #expect(throws: (any Error).self) {
                try await f.runtime.inTenant("other") { connection in
                    try await connection.run(
                        """
                        INSERT INTO sessions (tenant_id, session_id, token_hash, account_id, created_at, expires_at)
                        VALUES ('acme', 's', 'h', 'a', now(), now())
                        """, logger: TestPostgres.logger)
                }
            }
        }
    }
}
