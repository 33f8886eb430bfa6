import Foundation
import ParcoursAPI
import ParcoursAPITestSupport
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import Testing

/// The journeys of guide 004 driven only through the HTTP API, on the real signup domain and PostgreSQL: what an
/// integrator's front end does.
@Suite("API: the signup journeys on the real domain", .serialized)
struct SignupJourneyAPITests {
    typealias Harness = SignupAPIHarness

    struct Person {
        var email: String
        var first: String
        var last: String
        var password: String { "Motdepasse-\(first)-2026!" }
    }

    static let louise = Person(email: "louise@dressing.example", first: "Louise", last: "Martin")
    static let paul = Person(email: "paul@dressing.example", first: "Paul", last: "Durand")
    static let eva = Person(email: "eva@perles.example", first: "Eva", last: "Teriitahi")

    /// Sends an event and expects a 200; returns the instance.
    @discardableResult
    static func send(_ h: Harness, _ id: String, _ event: String, _ payload: Value = [:], token: String? = nil)
        async throws -> Value
    {
        let result = try await h.request(
            "POST", "/v1/tenants/acme/instances/\(id)/events/\(event)", token: token, json: payload)
        #expect(result.status == 200, "\(event): \(result)")
        return result.json
    }

    static func start(_ h: Harness, _ process: String, _ params: Value = [:], token: String? = nil) async throws
        -> Value
    {
        let result = try await h.request(
            "POST", "/v1/tenants/acme/processes/\(process)/instances", token: token, json: ["params": params])
        #expect(result.status == 201, "\(result)")
        return result.json
    }

    @discardableResult
    static func personalInfo(_ h: Harness, _ id: String, _ person: Person) async throws -> Value {
        try await send(
            h, id, "submit",
            [
                "last_name": .string(person.last), "first_name": .string(person.first),
                "accept_conditions": "ACCEPTED", "captcha": .string(try await h.solveCaptcha()),
            ])
    }

    /// Follows the activation link of the last e-mail: the form first, then the password and secret question.
    static func activate(_ h: Harness, _ person: Person) async throws {
        try await h.deliverMail()
        let token = try h.lastLinkToken(to: person.email)
        let form = try await h.request("GET", "/v1/tenants/acme/links/\(token)")
        #expect(form.status == 200, "\(form)")
        #expect(form.json[member: "purpose"] == "activation")
        let activation = form.json[member: "instance"][member: "id"].stringValue ?? ""
        // The generic route refuses the link's event: the e-mail must be read.
        let bypass = try await h.request(
            "POST", "/v1/tenants/acme/instances/\(activation)/events/activate",
            json: ["password": .string(person.password)])
        expectProblem(bypass, 403, code: "link_required")
        let done = try await h.request(
            "POST", "/v1/tenants/acme/links/\(token)",
            json: [
                "password": .string(person.password), "password_confirmation": .string(person.password),
                "secret_question": "Mon jardin ?", "secret_answer": "Les roses",
            ])
        #expect(done.status == 200, "\(done)")
        #expect(done.json[member: "state"] == "activated")
        let again = try await h.request("GET", "/v1/tenants/acme/links/\(token)")
        expectProblem(again, 409, code: "link_used")
    }

    static func login(_ h: Harness, _ person: Person) async throws -> String {
        let result = try await h.request(
            "POST", "/v1/tenants/acme/sessions",
            json: ["email": .string(person.email), "password": .string(person.password)])
        #expect(result.status == 201, "\(result)")
        return result.json[member: "token"].stringValue ?? ""
    }

    /// Path 1 for Louise: returns her token and the structure's id.
    static func louiseCreatesHerStructure(_ h: Harness) async throws -> (token: String, structure: String) {
        var view = try await start(h, "signup")
        let id = view[member: "id"].stringValue ?? ""
        view = try await send(
            h, id, "submit",
            [
                "login_email": .string(louise.email), "login_email_confirmation": .string(louise.email),
                "siret": "799 549 860 00010",
            ])
        #expect(view[member: "state"] == "new_structure")
        #expect("\(view[member: "waiting"])".contains("LE DRESSING DE LOUISE"))  // prefilled from the directory
        view = try await send(
            h, id, "submit",
            [
                "name": "LE DRESSING DE LOUISE", "address": "13 B AV JOSEPH JAN", "postcode": "35170", "city": "BRUZ",
                "country": "France",
            ])
        view = try await personalInfo(h, id, louise)
        #expect(view[member: "state"] == "workspaces", "\(view)")
        view = try await send(h, id, "submit", ["workspaces": ["FACTURES_EMISES"]])
        view = try await send(h, id, "confirm")
        try await activate(h, louise)
        let finished = try await h.request("GET", "/v1/tenants/acme/instances/\(id)")
        #expect(finished.json[member: "state"] == "primary_manager")
        let structure = finished.json[member: "output"][member: "structure_id"].stringValue ?? ""
        return (try await login(h, louise), structure)
    }

    @Test("paths 1 and 3: a structure from its SIRET, then an attachment approved by its manager with the API")
    func siretJourneysAndApproval() async throws {
        try await Harness.withSignupDomain { h in
            let (louiseToken, structure) = try await Self.louiseCreatesHerStructure(h)
            let me = try await h.request("GET", "/v1/tenants/acme/me", token: louiseToken)
            #expect(me.status == 200, "\(me)")
            #expect(me.json[member: "structures"].listValue?.first?[member: "role"] == "primary_manager")

            // Path 3: Paul joins the existing structure.
            var view = try await Self.start(h, "signup")
            let id = view[member: "id"].stringValue ?? ""
            view = try await Self.send(
                h, id, "submit",
                [
                    "login_email": .string(Self.paul.email), "login_email_confirmation": .string(Self.paul.email),
                    "siret": "79954986000010",
                ])
            #expect(view[member: "state"] == "existing_structure")
            view = try await Self.send(h, id, "confirm")
            view = try await Self.personalInfo(h, id, Self.paul)
            view = try await Self.send(h, id, "confirm")
            try await Self.activate(h, Self.paul)
            let paulToken = try await Self.login(h, Self.paul)
            // Before approval Paul sees nothing of the structure.
            let hidden = try await h.request("GET", "/v1/tenants/acme/structures/\(structure)", token: paulToken)
            expectProblem(hidden, 403, code: "forbidden")
            // Paul has no task to decide; Louise has his request.
            let paulTasks = try await h.request("GET", "/v1/tenants/acme/tasks", token: paulToken)
            #expect(paulTasks.json[member: "items"].listValue?.isEmpty == true, "\(paulTasks)")
            let tasks = try await h.request(
                "GET", "/v1/tenants/acme/tasks?structure=\(structure)", token: louiseToken)
            #expect(tasks.status == 200, "\(tasks)")
            let task = try #require(tasks.json[member: "items"].listValue?.first)
            let taskId = task[member: "id"].stringValue ?? ""
            let own = try await h.request("POST", "/v1/tenants/acme/tasks/\(taskId)/approve", token: paulToken)
            #expect([403, 404].contains(own.status), "\(own)")
            let approved = try await h.request(
                "POST", "/v1/tenants/acme/tasks/\(taskId)/approve", token: louiseToken, json: [:])
            #expect(approved.status == 200, "\(approved)")
            let visible = try await h.request("GET", "/v1/tenants/acme/structures/\(structure)", token: paulToken)
            #expect(visible.status == 200, "\(visible)")
            #expect(visible.json[member: "your_role"] == "member")
            let signup = try await h.request("GET", "/v1/tenants/acme/instances/\(id)")
            #expect(signup.json[member: "state"] == "attached")
            let decidedTwice = try await h.request(
                "POST", "/v1/tenants/acme/tasks/\(taskId)/approve", token: louiseToken, json: [:])
            expectProblem(decidedTwice, 409, code: "conflict")
        }
    }

    @Test("paths 2 and 4: no SIRET, a new structure; then an account without attachment that asks from its session")
    func noSiretJourneys() async throws {
        try await Harness.withSignupDomain { h in
            // Path 2: Eva's TAHITI structure.
            var view = try await Self.start(h, "signup")
            let eva = view[member: "id"].stringValue ?? ""
            try await Self.send(
                h, eva, "no_siret",
                ["login_email": .string(Self.eva.email), "login_email_confirmation": .string(Self.eva.email)])
            try await Self.send(h, eva, "submit", ["structure_type": "TAHITI"])
            try await Self.send(h, eva, "submit", ["tahiti": "A12345"])
            try await Self.send(
                h, eva, "submit",
                [
                    "name": "Perles de Papeete", "address": "1 rue du Port", "postcode": "98714", "city": "Papeete",
                    "country": "Polynésie française",
                ])
            try await Self.personalInfo(h, eva, Self.eva)
            try await Self.send(h, eva, "submit", [:])
            try await Self.send(h, eva, "confirm")
            try await Self.activate(h, Self.eva)
            view = try await h.request("GET", "/v1/tenants/acme/instances/\(eva)").json
            #expect(view[member: "state"] == "primary_manager")
            let structure = view[member: "output"][member: "structure_id"].stringValue ?? ""

            // Path 4: Paul finds it by its number; his account is created without attachment.
            let paul = try await Self.start(h, "signup")[member: "id"].stringValue ?? ""
            try await Self.send(
                h, paul, "no_siret",
                ["login_email": .string(Self.paul.email), "login_email_confirmation": .string(Self.paul.email)])
            try await Self.send(h, paul, "submit", ["structure_type": "TAHITI"])
            view = try await Self.send(h, paul, "submit", ["tahiti": "a12345"])
            #expect(view[member: "state"] == "existing_no_siret")
            try await Self.send(h, paul, "confirm")
            try await Self.personalInfo(h, paul, Self.paul)
            try await Self.send(h, paul, "confirm")
            try await Self.activate(h, Self.paul)
            view = try await h.request("GET", "/v1/tenants/acme/instances/\(paul)").json
            #expect(view[member: "state"] == "not_attached")
            let paulAccount = view[member: "output"][member: "account_id"].stringValue ?? ""

            // From « My account »: the attachment needs a session, for his own account only.
            let params: Value = [
                "account_id": .string(paulAccount), "structure_id": .string(structure),
                "structure_identifier": "A12345", "structure_name": "Perles de Papeete",
                "requester_name": "Paul Durand", "requester_email": .string(Self.paul.email),
            ]
            let anonymous = try await h.request(
                "POST", "/v1/tenants/acme/processes/attachment/instances", json: ["params": params])
            expectProblem(anonymous, 401, code: "unauthenticated")
            let evaToken = try await Self.login(h, Self.eva)
            let forSomeoneElse = try await h.request(
                "POST", "/v1/tenants/acme/processes/attachment/instances", token: evaToken, json: ["params": params])
            expectProblem(forSomeoneElse, 403, code: "forbidden")
            let paulToken = try await Self.login(h, Self.paul)
            let request = try await Self.start(h, "attachment", params, token: paulToken)
            #expect(request[member: "state"] == "await_decision")
            let tasks = try await h.request("GET", "/v1/tenants/acme/tasks", token: evaToken)
            let taskId = tasks.json[member: "items"].listValue?.first?[member: "id"].stringValue ?? ""
            let refused = try await h.request(
                "POST", "/v1/tenants/acme/tasks/\(taskId)/reject", token: evaToken,
                json: ["comment": "Inconnu de nos services"])
            #expect(refused.status == 200, "\(refused)")
            let ended = try await h.request(
                "GET", "/v1/tenants/acme/instances/\(request[member: "id"].stringValue ?? "")")
            #expect(ended.json[member: "state"] == "refused")
            let told = try await h.deliverMail()
            #expect(told.contains { $0.to == [Self.paul.email] && $0.textBody.contains("Inconnu de nos services") })
        }
    }

    @Test("password reset through the API: captcha, question, e-mailed link, new password, login")
    func passwordReset() async throws {
        try await Harness.withSignupDomain { h in
            _ = try await Self.louiseCreatesHerStructure(h)
            let reset = try await Self.start(h, "password_reset")[member: "id"].stringValue ?? ""
            var view = try await Self.send(
                h, reset, "submit",
                ["login_email": .string(Self.louise.email), "captcha": .string(try await h.solveCaptcha())])
            #expect(view[member: "state"] == "question")
            #expect("\(view)".contains("Mon jardin ?"))
            view = try await Self.send(h, reset, "answer", ["answer": "les ROSES"])
            #expect(view[member: "state"] == "new_password")
            try await h.deliverMail()
            let token = try h.lastLinkToken(to: Self.louise.email)
            let bypass = try await h.request(
                "POST", "/v1/tenants/acme/instances/\(reset)/events/submit", json: ["password": "x"])
            expectProblem(bypass, 403, code: "link_required")
            let newPassword = "Un-Nouveau-Secret-7"
            let done = try await h.request(
                "POST", "/v1/tenants/acme/links/\(token)",
                json: [
                    "password": .string(newPassword), "password_confirmation": .string(newPassword),
                    "secret_question": "Ma couleur ?", "secret_answer": "Vert",
                ])
            #expect(done.json[member: "state"] == "done", "\(done)")
            let old = try await h.request(
                "POST", "/v1/tenants/acme/sessions",
                json: ["email": .string(Self.louise.email), "password": .string(Self.louise.password)])
            expectProblem(old, 401, code: "invalid_credentials")
            let fresh = try await h.request(
                "POST", "/v1/tenants/acme/sessions",
                json: ["email": .string(Self.louise.email), "password": .string(newPassword)])
            #expect(fresh.status == 201, "\(fresh)")
        }
    }
}
