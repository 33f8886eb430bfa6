import Foundation
import ParcoursAPI
import ParcoursAPITestSupport
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import Testing

let activationParams: [String: Value] = [
    "account_id": "acc-9", "login_email": "lea@example.org", "first_name": "Léa", "last_name": "Martin",
]

let activationPayload: Value = [
    "password": "Correct-Horse-42x", "password_confirmation": "Correct-Horse-42x",
    "secret_question": "Mon premier chat ?", "secret_answer": "Tigrou",
]

@Suite("API: links, sessions, administration", .serialized)
struct LinkSessionAdminAPITests {
    @Test func aLinkShowsItsFormThenSendsItsEventAndTheGenericRouteRefusesIt() async throws {
        try await APIHarness.with { api in
            try await api.tenant("acme")
            let activation = try await api.runtime.start(
                tenant: "acme", process: "activation", params: activationParams)
            #expect(activation.state == "await_activation")
            let token = api.domain.issueLink(
                tenant: "acme", purpose: .activation, instance: activation.id, event: "activate")

            let shown = try await api.request("GET", "/v1/tenants/acme/links/\(token)")
            #expect(shown.status == 200, "\(shown)")
            #expect(shown.json[member: "purpose"].stringValue == "activation")
            #expect(shown.json[member: "event"].stringValue == "activate")
            let events = shown.json[member: "instance"][member: "waiting"][member: "events"].listValue ?? []
            #expect(events.first?[member: "name"].stringValue == "activate")

            expectProblem(
                try await api.request(
                    "POST", "/v1/tenants/acme/instances/\(activation.id)/events/activate", json: activationPayload),
                403, code: "link_required")
            expectProblem(
                try await api.request(
                    "POST", "/v1/tenants/acme/links/\(token)", json: ["password": "short"]), 422,
                code: "invalid_payload", field: "password_confirmation")
            let activated = try await api.request(
                "POST", "/v1/tenants/acme/links/\(token)", json: activationPayload)
            #expect(activated.status == 200, "\(activated)")
            #expect(activated.json[member: "status"].stringValue == "finished")
            // The history never holds the password.
            let history = try await api.request("GET", "/v1/tenants/acme/instances/\(activation.id)/history")
            #expect(!history.text.contains("Correct-Horse-42x"))
            #expect(!history.text.contains("Tigrou"))

            api.domain.markLinkUsed(token)
            expectProblem(try await api.request("GET", "/v1/tenants/acme/links/\(token)"), 409, code: "link_used")
            expectProblem(
                try await api.request("POST", "/v1/tenants/acme/links/\(token)", json: activationPayload), 409,
                code: "link_used")
            expectProblem(try await api.request("GET", "/v1/tenants/acme/links/nope"), 404, code: "link_unknown")
            let short = api.domain.issueLink(
                tenant: "acme", purpose: .activation, instance: activation.id, event: "activate", ttl: 60)
            api.clock.advance(by: 61)
            expectProblem(try await api.request("GET", "/v1/tenants/acme/links/\(short)"), 410, code: "link_expired")
            // A link of another tenant is unknown here.
            let elsewhere = api.domain.issueLink(
                tenant: "other", purpose: .activation, instance: activation.id, event: "activate")
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/links/\(elsewhere)"), 404, code: "link_unknown")
        }
    }

    @Test func loginMeStructuresAndLogout() async throws {
        try await APIHarness.with { api in
            try await api.tenant("acme")
            api.domain.addAccount(tenant: "acme", id: "acc-1", email: "ana@example.org", password: "right password")
            api.domain.addMember(tenant: "acme", structure: "s-1", account: "acc-1")
            expectProblem(
                try await api.request(
                    "POST", "/v1/tenants/acme/sessions", json: ["email": "ana@example.org"]), 400,
                code: "invalid_input", field: "password")
            expectProblem(
                try await api.request(
                    "POST", "/v1/tenants/acme/sessions",
                    json: ["email": "ana@example.org", "password": "wrong"]), 401, code: "invalid_credentials")
            let login = try await api.request(
                "POST", "/v1/tenants/acme/sessions", json: ["email": "ana@example.org", "password": "right password"])
            #expect(login.status == 201, "\(login)")
            let token = try #require(login.json[member: "token"].stringValue)
            #expect(login.json[member: "account_id"].stringValue == "acc-1")

            let me = try await api.request("GET", "/v1/tenants/acme/me", token: token)
            #expect(me.status == 200)
            #expect(me.json[member: "id"].stringValue == "acc-1")
            let structure = try await api.request("GET", "/v1/tenants/acme/structures/s-1", token: token)
            #expect(structure.status == 200)
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/structures/s-2", token: token), 403, code: "forbidden")
            expectProblem(try await api.request("GET", "/v1/tenants/acme/me"), 401, code: "unauthenticated")
            // A token of acme means nothing on another tenant's path.
            expectProblem(
                try await api.request("GET", "/v1/tenants/other/me", token: token), 401, code: "unauthenticated")

            let logout = try await api.request("DELETE", "/v1/tenants/acme/sessions/current", token: token)
            #expect(logout.status == 204)
            #expect(try await api.request("DELETE", "/v1/tenants/acme/sessions/current", token: token).status == 204)
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/me", token: token), 401, code: "session_revoked")

            // The domain limits failed logins: 429 with Retry-After.
            for _ in 0..<5 {
                _ = try await api.request(
                    "POST", "/v1/tenants/acme/sessions", json: ["email": "ana@example.org", "password": "wrong"])
            }
            let limited = try await api.request(
                "POST", "/v1/tenants/acme/sessions", json: ["email": "ana@example.org", "password": "wrong"])
            expectProblem(limited, 429, code: "too_many_attempts")
            #expect(limited.headers["retry-after"] == "300")
        }
    }

    @Test func administrationNeedsTheTenantsOwnKeyAndLimitsFailures() async throws {
        try await APIHarness.with(configuration: APIConfiguration(adminFailureLimit: 3, accessLogLevel: .debug)) {
            api in
            let key = try await api.tenant("acme")
            let otherKey = try await api.tenant("other")
            let versions = try await api.request("GET", "/v1/tenants/acme/admin/versions", token: key)
            #expect(versions.status == 200, "\(versions)")
            let processes = (versions.json[member: "items"].listValue ?? []).compactMap {
                $0[member: "process"].stringValue
            }
            #expect(processes.contains("signup") && processes.contains("attach_test"))

            let deployed = try await api.request(
                "POST", "/v1/tenants/acme/admin/deployments", token: key,
                json: [
                    "files": [
                        [
                            "name": "tiny.yaml",
                            "content":
                                "process: tiny\nstart: a\nstates:\n  a:\n    on:\n      go: { goto: b }\n  b:\n    final: done\n",
                        ]
                    ]
                ])
            #expect(deployed.status == 200, "\(deployed)")
            #expect(deployed.json[member: "processes"].listValue?.first?[member: "process"].stringValue == "tiny")
            expectProblem(
                try await api.request(
                    "POST", "/v1/tenants/acme/admin/deployments", token: key,
                    json: ["files": [["name": "broken.yaml", "content": "process: broken\nstart: nowhere\n"]]]), 422,
                code: "invalid_definition")
            expectProblem(
                try await api.request("POST", "/v1/tenants/acme/admin/deployments", token: key, json: ["files": []]),
                400, code: "invalid_input", field: "files")

            _ = try await api.request("POST", "/v1/tenants/acme/processes/signup/instances", json: [:])
            let instances = try await api.request(
                "GET", "/v1/tenants/acme/admin/instances?process=signup", token: key)
            #expect(instances.status == 200)
            #expect(instances.json[member: "items"].listValue?.count == 1)

            // Re-sending an activation link: the activation's link expired, the administrator sends it again.
            let activation = try await api.runtime.start(
                tenant: "acme", process: "activation", params: activationParams)
            api.domain.setActivationInstance(tenant: "acme", account: "acc-9", instance: activation.id)
            api.clock.advance(by: 31 * 86_400)
            _ = try await api.runtime.fireDueTimers()
            #expect(try await api.runtime.instance(tenant: "acme", id: activation.id).state == "link_expired")
            let resent = try await api.request(
                "POST", "/v1/tenants/acme/admin/accounts/acc-9/activation-link", token: key)
            #expect(resent.status == 200, "\(resent)")
            #expect(resent.json[member: "state"].stringValue == "await_activation")
            expectProblem(
                try await api.request("POST", "/v1/tenants/acme/admin/accounts/acc-0/activation-link", token: key),
                404, code: "not_found")

            // Reassigning a task.
            api.domain.addManager(tenant: "acme", structure: "s-1", account: "acc-m")
            let instance = try await api.runtime.start(
                tenant: "acme", process: "attach_test", params: ["structure": "s-1", "requester": "acc-r"])
            let taskId = try #require(instance.taskId)
            let reassigned = try await api.request(
                "POST", "/v1/tenants/acme/admin/tasks/\(taskId)/reassign", token: key,
                json: ["candidates": ["acc-x", "acc-y"]])
            #expect(reassigned.status == 200, "\(reassigned)")
            #expect(reassigned.json[member: "candidates"] == ["acc-x", "acc-y"])
            let all = try await api.request("GET", "/v1/tenants/acme/admin/tasks", token: key)
            #expect(all.json[member: "items"].listValue?.count == 1)

            // Keys: none, another tenant's, garbage; then the address is blocked, even with the right key.
            expectProblem(try await api.request("GET", "/v1/tenants/acme/admin/versions"), 401, code: "unauthenticated")
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/admin/versions", token: otherKey), 401,
                code: "invalid_admin_key")
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/admin/versions", token: "pk_acme_guess"), 401,
                code: "invalid_admin_key")
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/admin/versions", token: "pk_acme_guess2"), 401,
                code: "invalid_admin_key")
            let blocked = try await api.request("GET", "/v1/tenants/acme/admin/versions", token: key)
            expectProblem(blocked, 429, code: "too_many_attempts")
            #expect(Int(blocked.headers["retry-after"] ?? "") ?? 0 > 0)
            api.clock.advance(by: 901)
            #expect(try await api.request("GET", "/v1/tenants/acme/admin/versions", token: key).status == 200)
        }
    }
}
