import Foundation
import ParcoursDSL
import ParcoursRuntime
import ParcoursTestSupport
import PostgresNIO
import Testing

@testable import ParcoursDomain

/// Activation, login, password reset and the account's life, end to end through the runtime on PostgreSQL.
@Suite("account journeys on PostgreSQL")
struct AccountJourneyTests {
    typealias Journeys = SignupJourneyTests

    /// Signs Paul up on path 2 (PARTICULIER) and stops before activation; returns the signup instance.
    static func signUpWithoutActivating(_ f: DomainFixture, _ person: People.Person = People.paul) async throws
        -> InstanceView
    {
        var view = try await f.start("signup")
        view = try await f.send(
            view.id, "no_siret",
            ["login_email": .string(person.email), "login_email_confirmation": .string(person.email)])
        view = try await f.send(view.id, "submit", ["structure_type": "PARTICULIER"])
        view = try await f.send(
            view.id, "submit",
            [
                "name": .string("\(person.last) \(person.first)"), "address": "2 place du Marché", "postcode": "75001",
                "city": "Paris", "country": "France",
            ])
        view = try await Journeys.personalInfo(f, view.id, person)
        view = try await f.send(view.id, "submit", [:])
        view = try await f.send(view.id, "confirm")
        #expect(view.state == "activate")
        try await f.deliverMail()
        return view
    }

    static let activation: [String: Value] = [
        "password": .string(People.paul.password), "password_confirmation": .string(People.paul.password),
        "secret_question": "Mon jardin préféré ?", "secret_answer": .string(People.paul.answer),
    ]

    @Test("activation: the link works once; a weak password is refused and changes nothing; the account can log in")
    func activationOnce() async throws {
        try await DomainFixture.with { f in
            let signup = try await Self.signUpWithoutActivating(f)
            let link = try f.lastLink(to: People.paul.email)
            #expect(Tokens.random().count == 43)  // 256-bit tokens
            // Nobody logs in before activation.
            await #expect(throws: DomainError(.invalidCredentials, "wrong e-mail or password")) {
                _ = try await f.domain.login(
                    tenant: DomainFixture.tenant, email: People.paul.email, password: People.paul.password,
                    source: "a")
            }
            // The link shows the activation form.
            let target = try await f.domain.link(tenant: DomainFixture.tenant, token: DomainFixture.token(of: link))
            #expect(target.purpose == .activation)
            #expect(target.event == "activate")
            #expect(target.expiresAt == DomainFixture.start.addingTimeInterval(30 * 86_400))
            #expect(
                try await f.domain.requiresLink(
                    tenant: DomainFixture.tenant, instance: target.instanceId, event: "activate"))
            // The tenant's policy: 12 characters, 3 classes.
            var weak = Self.activation
            weak["password"] = "court1A!"
            weak["password_confirmation"] = "court1A!"
            await #expect(throws: RuntimeError.self) { _ = try await f.follow(link, weak) }
            let activated = try await f.follow(link, Self.activation)
            #expect(activated.state == "activated")
            // A sub-process stays closed to the generic route (its links and administrators drive it) …
            #expect(
                try await f.domain.requiresLink(
                    tenant: DomainFixture.tenant, instance: target.instanceId, event: "resend"))
            // … while a top-level instance's events are open unless a live link names them.
            #expect(
                !(try await f.domain.requiresLink(tenant: DomainFixture.tenant, instance: signup.id, event: "submit")))
            // Used: a second visit is refused with a clear message.
            await #expect(throws: DomainError(.linkUsed, "this link was used already")) {
                _ = try await f.domain.link(tenant: DomainFixture.tenant, token: DomainFixture.token(of: link))
            }
            await #expect(throws: DomainError(.linkUnknown, "this link is unknown")) {
                _ = try await f.domain.link(tenant: DomainFixture.tenant, token: Tokens.random())
            }
            #expect(try await f.view(signup.id).state == "primary_manager")
            let stored = try await f.superuserQuery("SELECT password_hash FROM accounts")
            #expect(stored.first?.hasPrefix("$scrypt$ln=4,r=8,p=1$") == true)
            _ = try await f.domain.login(
                tenant: DomainFixture.tenant, email: People.paul.email, password: People.paul.password, source: "a")
        }
    }

    @Test("activation: after 30 days the link is refused; support re-sends a fresh one and the old one stops working")
    func activationExpiredAndResent() async throws {
        try await DomainFixture.with { f in
            _ = try await Self.signUpWithoutActivating(f)
            let first = try f.lastLink(to: People.paul.email)
            try await f.advance(days: 31)
            await #expect(throws: DomainError.self) { _ = try await f.follow(first, Self.activation) }
            do {
                _ = try await f.domain.link(tenant: DomainFixture.tenant, token: DomainFixture.token(of: first))
                Issue.record("an expired link was accepted")
            } catch let error as DomainError {
                #expect(error.code == .linkExpired)
                #expect(error.message.hasPrefix("this link expired on 2026-01-31"))
            }
            let account = try #require(try await f.superuserQuery("SELECT account_id FROM accounts").first)
            let activation = try await f.domain.activationInstance(tenant: DomainFixture.tenant, account: account)
            #expect(try await f.view(activation).state == "link_expired")
            _ = try await f.send(activation, "resend", actor: "admin:support")
            try await f.deliverMail()
            let second = try f.lastLink(to: People.paul.email)
            #expect(second != first)
            // A re-send before expiry replaces the link too.
            _ = try await f.send(activation, "resend", actor: "admin:support")
            try await f.deliverMail()
            let third = try f.lastLink(to: People.paul.email)
            do {
                _ = try await f.domain.link(tenant: DomainFixture.tenant, token: DomainFixture.token(of: second))
                Issue.record("a replaced link was accepted")
            } catch let error as DomainError {
                #expect(error.code == .linkUsed)
            }
            #expect(try await f.follow(third, Self.activation).state == "activated")
        }
    }

    @Test("login: wrong passwords are limited per account and per source; sessions expire and are revoked by logout")
    func loginLimitsAndSessions() async throws {
        try await DomainFixture.with { f in
            _ = try await Self.signUpWithoutActivating(f)
            _ = try await f.follow(try f.lastLink(to: People.paul.email), Self.activation)
            let tenant = DomainFixture.tenant
            for _ in 0..<5 {
                await #expect(throws: DomainError(.invalidCredentials, "wrong e-mail or password")) {
                    _ = try await f.domain.login(
                        tenant: tenant, email: People.paul.email, password: "Mauvais-mot-de-passe-1", source: "s1")
                }
            }
            // The right password no longer opens the account for a while …
            do {
                _ = try await f.domain.login(
                    tenant: tenant, email: People.paul.email, password: People.paul.password, source: "s2")
                Issue.record("a login went through after 5 failures")
            } catch let error as DomainError {
                #expect(error.code == .tooManyAttempts)
                #expect((1...900).contains(error.retryAfter ?? 0))
            }
            // … then it does.
            f.clock.advance(by: 16 * 60)
            let session = try await f.domain.login(
                tenant: tenant, email: People.paul.email, password: People.paul.password, source: "s2")
            #expect(session.expiresAt == f.clock.now().addingTimeInterval(8 * 3600))
            #expect(
                try await f.domain.authenticate(tenant: tenant, token: session.token).accountId == session.accountId)
            // Unknown e-mails count per source: 20 failures from one address block it for every account.
            for index in 0..<20 {
                _ = try? await f.domain.login(
                    tenant: tenant, email: "nobody\(index)@example.org", password: "x", source: "203.0.113.9")
            }
            await #expect(throws: DomainError.self) {
                _ = try await f.domain.login(
                    tenant: tenant, email: People.paul.email, password: People.paul.password, source: "203.0.113.9")
            }
            // Another tenant knows nothing of the session.
            _ = try await f.runtime.createTenant(id: "other", name: "Other")
            await #expect(throws: DomainError(.unauthenticated, "the token is not a session of this tenant")) {
                _ = try await f.domain.authenticate(tenant: "other", token: session.token)
            }
            // Expiry, then logout.
            f.clock.advance(by: 8 * 3600)
            await #expect(throws: DomainError(.sessionExpired, "the session expired: log in again")) {
                _ = try await f.domain.authenticate(tenant: tenant, token: session.token)
            }
            let second = try await f.domain.login(
                tenant: tenant, email: People.paul.email, password: People.paul.password, source: "s2")
            try await f.domain.logout(tenant: tenant, token: second.token)
            try await f.domain.logout(tenant: tenant, token: second.token)
            await #expect(throws: DomainError(.sessionRevoked, "the session was closed: log in again")) {
                _ = try await f.domain.authenticate(tenant: tenant, token: second.token)
            }
        }
    }

    @Test("login: a hash made with weaker parameters is upgraded at the next login")
    func passwordHashUpgrade() async throws {
        try await DomainFixture.with { f in
            _ = try await Self.signUpWithoutActivating(f)
            _ = try await f.follow(try f.lastLink(to: People.paul.email), Self.activation)
            let weak = try PasswordHasher(logRounds: 2, blockSize: 8, parallelism: 1).hash(People.paul.password)
            try await TestPostgres.withConnection(to: f.superuser) { connection in
                try await TestPostgres.execute("UPDATE accounts SET password_hash = '\(weak)'", on: connection)
            }
            _ = try await f.domain.login(
                tenant: DomainFixture.tenant, email: People.paul.email, password: People.paul.password, source: "s")
            let stored = try await f.superuserQuery("SELECT password_hash FROM accounts")
            #expect(stored.first?.hasPrefix("$scrypt$ln=4,") == true)
        }
    }

    /// Starts a forgotten-password journey for `email` up to the secret question.
    static func beginReset(_ f: DomainFixture, _ email: String) async throws -> InstanceView {
        let reset = try await f.start("password_reset")
        var view = try await f.send(reset.id, "submit", ["login_email": .string(email), "captcha": "WRONG"])
        #expect(view.state == "identify")
        view = try await f.send(reset.id, "submit", ["login_email": .string(email), "captcha": "PASS"])
        #expect(view.state == "question")
        return view
    }

    @Test("password reset: question, answer, a single-use link by e-mail, new password; the old one and sessions end")
    func passwordReset() async throws {
        try await DomainFixture.with { f in
            _ = try await Self.signUpWithoutActivating(f)
            _ = try await f.follow(try f.lastLink(to: People.paul.email), Self.activation)
            let tenant = DomainFixture.tenant
            let before = try await f.domain.login(
                tenant: tenant, email: People.paul.email, password: People.paul.password, source: "s")
            var view = try await Self.beginReset(f, People.paul.email)
            #expect("\(view.value)".contains("Mon jardin préféré ?"))
            view = try await f.send(view.id, "answer", ["answer": "mauvaise réponse"])
            #expect(view.state == "question")
            // Case, accents and spaces do not matter.
            view = try await f.send(view.id, "answer", ["answer": "  le JARDIN des paul "])
            #expect(view.state == "new_password")
            try await f.deliverMail()
            let link = try f.lastLink(to: People.paul.email)
            // The new-password form is reached through the link only.
            #expect(try await f.domain.requiresLink(tenant: tenant, instance: view.id, event: "submit"))
            let newPassword = "Nouveau-Secret-2027?"
            let form: [String: Value] = [
                "password": .string(newPassword), "password_confirmation": .string(newPassword),
                "secret_question": "Ma couleur ?", "secret_answer": "Vert d'eau",
            ]
            // Without the link, the step is refused even when no live link names it any more: a second request
            // replaced this one's link, which only the victim's mailbox holds.
            let second = try await Self.beginReset(f, People.paul.email)
            _ = try await f.send(second.id, "answer", ["answer": .string(People.paul.answer)])
            #expect(!(try await f.domain.requiresLink(tenant: tenant, instance: view.id, event: "submit")))
            await #expect(throws: RuntimeError.self) { _ = try await f.send(view.id, "submit", form) }
            await #expect(throws: RuntimeError.self) {
                _ = try await f.send(view.id, "submit", form, actor: "link:" + Tokens.digest(Tokens.random()))
            }
            do {
                _ = try await f.follow(link, form)
                Issue.record("a replaced link was accepted")
            } catch let error as DomainError {
                #expect(error.code == .linkUsed)
            }
            // The newer request's link works, once.
            try await f.deliverMail()
            let secondLink = try f.lastLink(to: People.paul.email)
            view = try await f.follow(secondLink, form)
            #expect(view.state == "done")
            await #expect(throws: DomainError.self) { _ = try await f.follow(secondLink, [:]) }
            await #expect(throws: DomainError(.sessionRevoked, "the session was closed: log in again")) {
                _ = try await f.domain.authenticate(tenant: tenant, token: before.token)
            }
            await #expect(throws: DomainError.self) {
                _ = try await f.domain.login(
                    tenant: tenant, email: People.paul.email, password: People.paul.password, source: "s")
            }
            _ = try await f.domain.login(tenant: tenant, email: People.paul.email, password: newPassword, source: "s")
            let subjects = f.mailbox.messages.map(\.subject)
            #expect(subjects.contains("Procédure de mot de passe oublié"))
            #expect(subjects.contains("Modification de votre mot de passe"))
        }
    }

    @Test("password reset: an unknown e-mail takes the same path, sends nothing, and locks after 5 wrong answers")
    func passwordResetRevealsNothing() async throws {
        try await DomainFixture.with { f in
            _ = try await Self.signUpWithoutActivating(f)
            _ = try await f.follow(try f.lastLink(to: People.paul.email), Self.activation)
            let known = try await Self.beginReset(f, People.paul.email)
            let unknown = try await Self.beginReset(f, "personne@nulle-part.example")
            #expect(known.state == unknown.state)
            #expect(known.expectedEvents == unknown.expectedEvents)
            // The decoy question is stable for an address.
            let again = try await Self.beginReset(f, "PERSONNE@nulle-part.example")
            #expect(
                unknown.value[member: "context"][member: "reset_question"]
                    == again.value[member: "context"][member: "reset_question"])
            // Nothing in either view tells them apart: no recipients are kept.
            #expect(!"\(known.value)".contains("recipients"))
            #expect(Set(known.context.keys) == Set(unknown.context.keys))
            let sent = try await f.deliverMail()
            #expect(!sent.contains { $0.to.contains("personne@nulle-part.example") })
            // Wrong answers are counted per e-mail across requests: the fifth locks.
            var view = unknown
            for _ in 0..<4 {
                view = try await f.send(view.id, "answer", ["answer": "peut-être"])
                #expect(view.state == "question")
            }
            view = try await f.send(view.id, "answer", ["answer": "peut-être"])
            #expect(view.state == "locked")
            #expect(try await f.send(again.id, "answer", ["answer": "autre"]).state == "locked")
            // Paul's own address is not affected.
            #expect(
                try await f.send(known.id, "answer", ["answer": .string(People.paul.answer)]).state == "new_password")
        }
    }

    @Test("my account: contact e-mail change told to both addresses; deactivation, reactivation by link, closing")
    func accountLife() async throws {
        try await DomainFixture.with { f in
            _ = try await Self.signUpWithoutActivating(f)
            _ = try await f.follow(try f.lastLink(to: People.paul.email), Self.activation)
            let account = try #require(try await f.superuserQuery("SELECT account_id FROM accounts").first)
            var view = try await f.start(
                "account",
                [
                    "account_id": .string(account), "login_email": .string(People.paul.email), "first_name": "Paul",
                    "last_name": "Durand",
                ])
            view = try await f.send(
                view.id, "change_contact_email",
                [
                    "new_contact_email": "paul.durand@perso.example",
                    "new_contact_email_confirmation": "paul.durand@perso.example",
                ])
            let changed = try await f.deliverMail()
            #expect(Set(changed.flatMap(\.to)) == [People.paul.email, "paul.durand@perso.example"])
            let session = try await f.domain.login(
                tenant: DomainFixture.tenant, email: People.paul.email, password: People.paul.password, source: "s")
            view = try await f.send(view.id, "deactivate", ["initiator": "USER"])
            #expect(view.state == "deactivated")
            await #expect(throws: DomainError.self) {
                _ = try await f.domain.authenticate(tenant: DomainFixture.tenant, token: session.token)
            }
            let deactivated = try await f.deliverMail()
            #expect(deactivated.map(\.to) == [[People.paul.email]])  // the login e-mail
            view = try await f.send(view.id, "request_reactivation")
            try await f.deliverMail()
            let link = try f.lastLink(to: "paul.durand@perso.example")  // the contact e-mail
            view = try await f.follow(link, [:])
            #expect(view.state == "active")
            let reactivated = try await f.deliverMail()
            #expect(reactivated.map(\.to) == [["paul.durand@perso.example"]])
            _ = try await f.domain.login(
                tenant: DomainFixture.tenant, email: People.paul.email, password: People.paul.password, source: "s")
        }
    }

    @Test("a tenant rule in YAML (the CEA variant) forbids attaching to the customer's own structure")
    func tenantRuleForbidsAttachment() async throws {
        try await DomainFixture.with { f in
            _ = try await f.runtime.createTenant(id: "cea", name: "CEA")
            let deployed = try await f.runtime.deploy(
                tenant: "cea", sources: try DomainFixture.sources("workflows") + DomainFixture.sources("examples/cea"))
            #expect(deployed.settingsApplied.contains("attachment"))
            let params: [String: Value] = [
                "account_id": "acc-x", "structure_id": "str-cea", "structure_identifier": "77568501900017",
                "structure_name": "CEA", "requester_name": "Paul Durand", "requester_email": .string(People.paul.email),
            ]
            let request = try await f.runtime.start(tenant: "cea", process: "attachment", params: params)
            #expect(request.state == "forbidden")
            #expect(request.outcome == "not_allowed")
            // Without the rule (tenant acme), the same identifier goes on to the usual checks.
            let (_, structure) = try await Journeys.createDressing(f)
            let louise = try #require(try await f.superuserQuery("SELECT account_id FROM accounts").first)
            var mine = params
            mine["account_id"] = .string(louise)
            mine["structure_id"] = .string(structure)
            let elsewhere = try await f.start("attachment", mine)
            #expect(elsewhere.state == "not_allowed")  // already a member: past the tenant rule
            #expect(try await f.superuserQuery("SELECT count(*)::text FROM attachment_requests") == ["0"])

            // The rule sees the identifier the caller gives: naming a structure with another one than its own is
            // refused, so the rule cannot be dodged.
            _ = try await Self.signUpWithoutActivating(f)
            let paul = try #require(
                try await f.superuserQuery(
                    "SELECT account_id FROM accounts WHERE login_email = '\(People.paul.email)'"
                ).first)
            var disguised = mine
            disguised["account_id"] = .string(paul)
            disguised["structure_identifier"] = "12345678200010"
            #expect(try await f.start("attachment", disguised).state == "not_allowed")
            #expect(try await f.superuserQuery("SELECT count(*)::text FROM attachment_requests") == ["0"])
            disguised["structure_identifier"] = "799 549 860 00010"
            #expect(try await f.start("attachment", disguised).state == "await_decision")
        }
    }
}
