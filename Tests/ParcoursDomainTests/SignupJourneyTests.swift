import Foundation
import ParcoursDSL
import ParcoursRuntime
import ParcoursTestSupport
import Testing

@testable import ParcoursDomain

/// Test data of the journeys: people, passwords, answers.
enum People {
    static let louise = Person(email: "louise@dressing.example", first: "Louise", last: "Martin")
    static let paul = Person(email: "paul@dressing.example", first: "Paul", last: "Durand")
    static let eva = Person(email: "eva@handel.example", first: "Eva", last: "Schmidt")

    struct Person: Sendable {
        var email: String
        var first: String
        var last: String
        var password: String { "Motdepasse-\(first)-2026!" }
        var answer: String { "Le Jardin des \(first)" }
    }
}

/// The four signup journeys of guide 004, end to end through the runtime with the real actions on PostgreSQL.
@Suite("signup journeys on PostgreSQL")
struct SignupJourneyTests {
    /// Identify with a SIRET, then the personal information and the captcha; returns the instance at its next step.
    static func identify(_ f: DomainFixture, _ person: People.Person, siret: String) async throws -> InstanceView {
        let signup = try await f.start("signup")
        return try await f.send(
            signup.id, "submit",
            [
                "login_email": .string(person.email), "login_email_confirmation": .string(person.email),
                "siret": .string(siret),
            ])
    }

    static func personalInfo(_ f: DomainFixture, _ id: String, _ person: People.Person, captcha: String = "PASS")
        async throws -> InstanceView
    {
        try await f.send(
            id, "submit",
            [
                "last_name": .string(person.last), "first_name": .string(person.first), "phone": "+33 6 12 34 56 78",
                "accept_conditions": "ACCEPTED", "captcha": .string(captcha),
            ])
    }

    /// Activates through the link of the activation e-mail.
    static func activate(_ f: DomainFixture, _ person: People.Person) async throws -> InstanceView {
        try await f.deliverMail()
        let link = try f.lastLink(to: person.email)
        return try await f.follow(
            link,
            [
                "password": .string(person.password), "password_confirmation": .string(person.password),
                "secret_question": "Mon jardin préféré ?", "secret_answer": .string(person.answer),
            ])
    }

    /// Path 1: Louise creates LE DRESSING DE LOUISE from its SIRET and becomes its primary manager.
    static func createDressing(_ f: DomainFixture) async throws -> (signup: String, structure: String) {
        var view = try await identify(f, People.louise, siret: "799 549 860 00010")
        #expect(view.state == "new_structure")
        // The form is prefilled from the directory.
        let fields = view.value[member: "waiting"][member: "events"]
        #expect("\(fields)".contains("LE DRESSING DE LOUISE"))
        view = try await f.send(
            view.id, "submit",
            [
                "name": "LE DRESSING DE LOUISE", "address": "13 B AV JOSEPH JAN", "postcode": "35170", "city": "BRUZ",
                "country": "France",
            ])
        view = try await personalInfo(f, view.id, People.louise)
        #expect(view.state == "workspaces")
        view = try await f.send(view.id, "submit", ["workspaces": ["FACTURES_EMISES", "ENGAGEMENTS"]])
        view = try await f.send(view.id, "confirm")
        #expect(view.state == "activate")
        let activation = try #require(view.subprocessId)
        let activated = try await activate(f, People.louise)
        #expect(activated.id == activation)
        #expect(activated.status == "finished")
        let signup = try await f.view(view.id)
        #expect(signup.state == "primary_manager")
        let structure = try #require(signup.value[member: "output"][member: "structure_id"].stringValue)
        return (signup.id, structure)
    }

    @Test("path 1: SIRET, new structure — prefilled from the directory, activated, primary manager")
    func siretNewStructure() async throws {
        try await DomainFixture.with { f in
            let (_, structure) = try await Self.createDressing(f)
            let rows = try await f.superuserQuery(
                """
                SELECT s.identifier || '|' || s.name || '|' || m.role || '|' || a.status || '|' || a.contact_email
                FROM structures s JOIN memberships m USING (tenant_id, structure_id)
                JOIN accounts a USING (tenant_id, account_id) WHERE s.structure_id = '\(structure)'
                """)
            #expect(rows == ["79954986000010|LE DRESSING DE LOUISE|primary_manager|active|louise@dressing.example"])
            let workspaces = try await f.superuserQuery(
                "SELECT workspace FROM structure_workspaces WHERE structure_id = '\(structure)' ORDER BY 1")
            #expect(workspaces == ["ENGAGEMENTS", "FACTURES_EMISES"])
            // The account can log in; the session sees the structure.
            let session = try await f.domain.login(
                tenant: DomainFixture.tenant, email: "LOUISE@dressing.example", password: People.louise.password,
                source: "198.51.100.7")
            let principal = try await f.domain.authenticate(tenant: DomainFixture.tenant, token: session.token)
            let seen = try await f.domain.structure(
                tenant: DomainFixture.tenant, id: structure, visibleTo: principal.accountId)
            #expect(seen[member: "name"] == "LE DRESSING DE LOUISE")
            #expect(seen[member: "your_role"] == "primary_manager")
            // The mail of the guide's table: account created, activation link.
            let subjects = f.mailbox.messages.map(\.subject)
            #expect(subjects.contains("Activez votre compte utilisateur"))
            #expect(subjects.count == 2)
        }
    }

    @Test("path 1, unhappy: an unknown or closed SIRET, a taken login e-mail, a wrong captcha")
    func siretUnhappyPaths() async throws {
        try await DomainFixture.with { f in
            var view = try await Self.identify(f, People.paul, siret: "73282932000074")
            #expect(view.state == "siret_unknown")
            view = try await Self.identify(f, People.paul, siret: "41007919800025")  // closed (examples/sirene)
            #expect(view.state == "siret_unknown")
            _ = try await Self.createDressing(f)
            view = try await Self.identify(f, People.louise, siret: "79954986000010")
            #expect(view.state == "already_registered")
            #expect(view.status == "finished")
            // A wrong captcha brings the form back, and creates nothing.
            view = try await Self.identify(f, People.paul, siret: "79954986000010")
            #expect(view.state == "existing_structure")
            view = try await f.send(view.id, "confirm")
            view = try await Self.personalInfo(f, view.id, People.paul, captcha: "WRONG")
            #expect(view.state == "personal_info")
            #expect(try await f.superuserQuery("SELECT count(*)::text FROM accounts") == ["1"])
        }
    }

    @Test("path 2: no SIRET, an EU structure by its VAT number, primary manager")
    func noSiretNewStructure() async throws {
        try await DomainFixture.with { f in
            var view = try await f.start("signup")
            view = try await f.send(
                view.id, "no_siret",
                ["login_email": .string(People.eva.email), "login_email_confirmation": .string(People.eva.email)])
            #expect(view.state == "choose_type")
            view = try await f.send(view.id, "submit", ["structure_type": "UE_HORS_FRANCE"])
            view = try await f.send(view.id, "submit", ["vat": "DE 136 695 976"])
            #expect(view.state == "no_siret_structure")
            view = try await f.send(
                view.id, "submit",
                [
                    "name": "Handel GmbH", "address": "Unter den Linden 1", "postcode": "10117", "city": "Berlin",
                    "country": "Allemagne",
                ])
            view = try await Self.personalInfo(f, view.id, People.eva)
            view = try await f.send(
                view.id, "submit", ["workspaces": ["FACTURES_EMISES", "MEMOIRES_FRAIS_JUSTICE"], "dume": true])
            #expect(view.state == "justice_provider")
            view = try await f.send(
                view.id, "submit", ["provider_category": "Traducteur", "provider_regime": "Entreprise"])
            view = try await f.send(view.id, "confirm")
            _ = try await Self.activate(f, People.eva)
            let signup = try await f.view(view.id)
            #expect(signup.state == "primary_manager")
            let rows = try await f.superuserQuery(
                """
                SELECT identifier_type || '|' || identifier || '|' || dume || '|' || payment_requests || '|'
                    || provider_category FROM structures
                """)
            #expect(rows == ["UE_HORS_FRANCE|DE136695976|true|true|Traducteur"])
        }
    }

    @Test("path 3: SIRET, existing structure — attachment approved by its manager, refused with a reason")
    func siretExistingStructure() async throws {
        try await DomainFixture.with { f in
            let (_, structure) = try await Self.createDressing(f)
            let louise = try await f.domain.login(
                tenant: DomainFixture.tenant, email: People.louise.email, password: People.louise.password,
                source: "198.51.100.7")
            let manager = try await f.domain.authenticate(tenant: DomainFixture.tenant, token: louise.token)

            var view = try await Self.identify(f, People.paul, siret: "79954986000010")
            #expect(view.state == "existing_structure")
            view = try await f.send(view.id, "confirm")
            view = try await Self.personalInfo(f, view.id, People.paul)
            #expect(view.state == "summary")  // an existing structure keeps its workspaces
            view = try await f.send(view.id, "confirm")
            _ = try await Self.activate(f, People.paul)
            view = try await f.view(view.id)
            #expect(view.state == "request_attachment")
            let attachment = try await f.view(try #require(view.subprocessId))
            let taskId = try #require(attachment.taskId)

            // The managers are told; Paul sees nothing of the structure yet.
            let sent = try await f.deliverMail()
            #expect(sent.contains { $0.to == [People.louise.email] })
            let paulSession = try await f.domain.login(
                tenant: DomainFixture.tenant, email: People.paul.email, password: People.paul.password,
                source: "198.51.100.8")
            let paul = try await f.domain.authenticate(tenant: DomainFixture.tenant, token: paulSession.token)
            await #expect(throws: DomainError.self) {
                _ = try await f.domain.structure(tenant: DomainFixture.tenant, id: structure, visibleTo: paul.accountId)
            }
            #expect(
                try await f.domain.isManager(
                    tenant: DomainFixture.tenant, account: manager.accountId, structure: structure))
            #expect(
                !(try await f.domain.isManager(
                    tenant: DomainFixture.tenant, account: paul.accountId, structure: structure)))

            // The task is Louise's; Paul may not decide his own request.
            let task = try await f.runtime.task(tenant: DomainFixture.tenant, id: taskId)
            #expect(task.candidates == [manager.accountId])
            #expect(task.structureId == structure)
            await #expect(throws: RuntimeError.self) {
                _ = try await f.runtime.decide(
                    tenant: DomainFixture.tenant, task: taskId, outcome: "approve", comment: nil,
                    by: .account(paul.accountId))
            }
            _ = try await f.runtime.decide(
                tenant: DomainFixture.tenant, task: taskId, outcome: "approve", comment: nil,
                by: .account(manager.accountId))
            view = try await f.view(view.id)
            #expect(view.state == "attached")
            let seen = try await f.domain.structure(
                tenant: DomainFixture.tenant, id: structure, visibleTo: paul.accountId)
            #expect(seen[member: "your_role"] == "member")
            #expect(seen[member: "workspaces"] == ["ENGAGEMENTS", "FACTURES_EMISES"])
            let approved = try await f.deliverMail()
            #expect(approved.contains { $0.to == [People.paul.email] })

            // Louise makes Paul a secondary manager: he may decide requests too.
            try await TestPostgres.withConnection(to: f.superuser) { connection in
                try await TestPostgres.execute(
                    "UPDATE memberships SET role = 'secondary_manager' WHERE account_id = '\(paul.accountId)'",
                    on: connection)
            }

            // Eva asks too (from her own signup) and is refused by Paul with a reason she is told.
            var eva = try await Self.identify(f, People.eva, siret: "79954986000010")
            eva = try await f.send(eva.id, "confirm")
            eva = try await Self.personalInfo(f, eva.id, People.eva)
            eva = try await f.send(eva.id, "confirm")
            _ = try await Self.activate(f, People.eva)
            eva = try await f.view(eva.id)
            let evaAttachment = try await f.view(try #require(eva.subprocessId))
            let evaTask = try #require(evaAttachment.taskId)
            let evaTaskView = try await f.runtime.task(tenant: DomainFixture.tenant, id: evaTask)
            #expect(evaTaskView.candidates == [manager.accountId, paul.accountId])
            _ = try await f.runtime.decide(
                tenant: DomainFixture.tenant, task: evaTask, outcome: "reject",
                comment: "Nous ne connaissons pas cette personne", by: .account(paul.accountId))
            eva = try await f.view(eva.id)
            #expect(eva.state == "attachment_refused")
            let refusal = try await f.deliverMail()
            let told = try #require(refusal.first { $0.to == [People.eva.email] })
            #expect(told.textBody.contains("Nous ne connaissons pas cette personne"))
            let statuses = try await f.superuserQuery(
                "SELECT status || '|' || coalesce(reason, '') FROM attachment_requests ORDER BY requested_at")
            #expect(statuses == ["approved|", "refused|Nous ne connaissons pas cette personne"])
        }
    }

    @Test("path 4: no SIRET, existing structure — account without attachment, then a request from « My account »")
    func noSiretExistingStructure() async throws {
        try await DomainFixture.with { f in
            // Eva creates a TAHITI structure (path 2) …
            var view = try await f.start("signup")
            view = try await f.send(
                view.id, "no_siret",
                ["login_email": .string(People.eva.email), "login_email_confirmation": .string(People.eva.email)])
            view = try await f.send(view.id, "submit", ["structure_type": "TAHITI"])
            view = try await f.send(view.id, "submit", ["tahiti": "A12345"])
            view = try await f.send(
                view.id, "submit",
                [
                    "name": "Perles de Papeete", "address": "1 rue du Port", "postcode": "98714", "city": "Papeete",
                    "country": "Polynésie française",
                ])
            view = try await Self.personalInfo(f, view.id, People.eva)
            view = try await f.send(view.id, "submit", [:])
            view = try await f.send(view.id, "confirm")
            _ = try await Self.activate(f, People.eva)
            let created = try await f.view(view.id)
            let structure = try #require(created.value[member: "output"][member: "structure_id"].stringValue)

            // … Paul finds it by its number: his account is created without attachment.
            var paul = try await f.start("signup")
            paul = try await f.send(
                paul.id, "no_siret",
                ["login_email": .string(People.paul.email), "login_email_confirmation": .string(People.paul.email)])
            paul = try await f.send(paul.id, "submit", ["structure_type": "TAHITI"])
            paul = try await f.send(paul.id, "submit", ["tahiti": "a12345"])
            #expect(paul.state == "existing_no_siret")
            paul = try await f.send(paul.id, "confirm")
            paul = try await Self.personalInfo(f, paul.id, People.paul)
            paul = try await f.send(paul.id, "confirm")
            _ = try await Self.activate(f, People.paul)
            paul = try await f.view(paul.id)
            #expect(paul.state == "not_attached")
            let paulAccount = try #require(paul.value[member: "output"][member: "account_id"].stringValue)
            #expect(
                try await f.superuserQuery("SELECT count(*)::text FROM memberships WHERE account_id = '\(paulAccount)'")
                    == ["0"])

            // Later, from « My account », he asks; Eva approves.
            let request = try await f.start(
                "attachment",
                [
                    "account_id": .string(paulAccount), "structure_id": .string(structure),
                    "structure_identifier": "A12345", "structure_name": "Perles de Papeete",
                    "requester_name": "Paul Durand", "requester_email": .string(People.paul.email),
                ])
            let taskId = try #require(request.taskId)
            let eva = try await f.domain.login(
                tenant: DomainFixture.tenant, email: People.eva.email, password: People.eva.password, source: "x")
            let evaAccount = try await f.domain.authenticate(tenant: DomainFixture.tenant, token: eva.token).accountId
            _ = try await f.runtime.decide(
                tenant: DomainFixture.tenant, task: taskId, outcome: "approve", comment: nil, by: .account(evaAccount))
            #expect(try await f.view(request.id).state == "approved")
            #expect(
                try await f.superuserQuery("SELECT role FROM memberships WHERE account_id = '\(paulAccount)'") == [
                    "member"
                ])
            // Asking again is refused: already a member.
            let again = try await f.start(
                "attachment",
                [
                    "account_id": .string(paulAccount), "structure_id": .string(structure),
                    "structure_identifier": "A12345", "structure_name": "Perles de Papeete",
                    "requester_name": "Paul Durand", "requester_email": .string(People.paul.email),
                ])
            #expect(again.state == "not_allowed")
        }
    }
}
