import Foundation
import ParcoursAPI
import ParcoursAPITestSupport
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import Testing

/// Who calls, in the authorization matrix of the task routes.
enum Caller: String, CaseIterable, CustomStringConvertible {
    case manager = "manager of the structure"
    case otherManager = "manager of another structure"
    case member = "plain member"
    case requester
    case otherTenant = "token of another tenant"
    case noToken = "no token"
    case expired = "expired token"
    case revoked = "revoked token"

    var description: String { rawValue }
}

/// The people and tokens of the matrix: structure s-1 (manager acc-a, member acc-m), structure s-2 (manager acc-b),
/// the requester acc-r; tenant `other` also has an acc-a.
struct Cast {
    let tokens: [Caller: String]

    static func make(_ api: APIHarness) -> Cast {
        let domain = api.domain
        domain.addManager(tenant: "acme", structure: "s-1", account: "acc-a")
        domain.addMember(tenant: "acme", structure: "s-1", account: "acc-m")
        domain.addManager(tenant: "acme", structure: "s-2", account: "acc-b")
        domain.addManager(tenant: "other", structure: "s-1", account: "acc-a")
        let expired = domain.openSession(tenant: "acme", account: "acc-a", ttl: 1)
        let revoked = domain.openSession(tenant: "acme", account: "acc-a")
        domain.markRevoked(revoked)
        return Cast(tokens: [
            .manager: domain.openSession(tenant: "acme", account: "acc-a"),
            .otherManager: domain.openSession(tenant: "acme", account: "acc-b"),
            .member: domain.openSession(tenant: "acme", account: "acc-m"),
            .requester: domain.openSession(tenant: "acme", account: "acc-r"),
            .otherTenant: domain.openSession(tenant: "other", account: "acc-a"),
            .expired: expired,
            .revoked: revoked,
        ])
    }
}

@Suite("API: task authorization matrix", .serialized)
struct TaskAuthorizationTests {
    /// Expected status per caller, and the problem code when it is not 200.
    static let list: [Caller: (Int, String?)] = [
        .manager: (200, nil), .otherManager: (200, nil), .member: (200, nil), .requester: (200, nil),
        .otherTenant: (401, "unauthenticated"), .noToken: (401, "unauthenticated"),
        .expired: (401, "session_expired"), .revoked: (401, "session_revoked"),
    ]
    /// Show, approve and reject share their matrix.
    static let single: [Caller: (Int, String?)] = [
        .manager: (200, nil), .otherManager: (403, "forbidden"), .member: (403, "forbidden"),
        .requester: (403, "forbidden"), .otherTenant: (401, "unauthenticated"), .noToken: (401, "unauthenticated"),
        .expired: (401, "session_expired"), .revoked: (401, "session_revoked"),
    ]

    func startTask(_ api: APIHarness, structure: String = "s-1", requester: String = "acc-r") async throws -> String {
        let instance = try await api.runtime.start(
            tenant: "acme", process: "attach_test",
            params: ["structure": .string(structure), "requester": .string(requester)])
        return try #require(instance.taskId)
    }

    func check(_ result: HTTPResult, _ expected: (Int, String?), _ caller: Caller, _ route: String) {
        if let code = expected.1 {
            expectProblem(result, expected.0, code: code)
        } else {
            #expect(result.status == expected.0, "\(route) as \(caller): \(result)")
        }
    }

    @Test func listAndShow() async throws {
        try await APIHarness.with { api in
            try await api.tenant("acme")
            try await api.tenant("other")
            let cast = Cast.make(api)
            api.clock.advance(by: 2)
            let task = try await startTask(api)
            for caller in Caller.allCases {
                let token = cast.tokens[caller]
                let listed = try await api.request("GET", "/v1/tenants/acme/tasks", token: token)
                check(listed, Self.list[caller]!, caller, "list")
                if listed.status == 200 {
                    let ids = (listed.json[member: "items"].listValue ?? []).compactMap { $0[member: "id"].stringValue }
                    #expect(ids == (caller == .manager ? [task] : []), "list as \(caller): \(listed)")
                }
                let shown = try await api.request("GET", "/v1/tenants/acme/tasks/\(task)", token: token)
                check(shown, Self.single[caller]!, caller, "show")
                if shown.status == 200 { #expect(shown.json[member: "id"].stringValue == task) }
            }
            // Filters and pages.
            let token = cast.tokens[.manager]!
            _ = try await startTask(api)
            _ = try await startTask(api, structure: "s-2")
            let first = try await api.request("GET", "/v1/tenants/acme/tasks?limit=1&structure=s-1", token: token)
            #expect(first.json[member: "items"].listValue?.count == 1)
            let next = try #require(
                first.json[member: "next"].stringValue?.addingPercentEncoding(withAllowedCharacters: .alphanumerics))
            let second = try await api.request(
                "GET", "/v1/tenants/acme/tasks?limit=1&structure=s-1&after=\(next)", token: token)
            #expect(second.json[member: "items"].listValue?.count == 1)
            #expect(second.json[member: "next"].isNull)
            let decided = try await api.request("GET", "/v1/tenants/acme/tasks?status=decided", token: token)
            #expect(decided.json[member: "items"].listValue?.isEmpty == true)
            // A manager who stops managing the structure no longer sees its tasks.
            api.domain.removeManager(tenant: "acme", structure: "s-1", account: "acc-a")
            let after = try await api.request("GET", "/v1/tenants/acme/tasks", token: token)
            #expect(after.json[member: "items"].listValue?.isEmpty == true)
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/tasks/\(task)", token: token), 403, code: "forbidden")
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/tasks/nope", token: cast.tokens[.member]), 404,
                code: "not_found")
        }
    }

    @Test(arguments: ["approve", "reject"])
    func decide(_ route: String) async throws {
        try await APIHarness.with { api in
            try await api.tenant("acme")
            try await api.tenant("other")
            let cast = Cast.make(api)
            api.clock.advance(by: 2)
            let task = try await startTask(api)
            let body: Value = ["comment": "Inconnu de nos services"]
            for caller in Caller.allCases where caller != .manager {
                let result = try await api.request(
                    "POST", "/v1/tenants/acme/tasks/\(task)/\(route)", token: cast.tokens[caller], json: body)
                check(result, Self.single[caller]!, caller, route)
            }
            #expect(try await api.runtime.task(tenant: "acme", id: task).status == "open")
            let token = cast.tokens[.manager]!
            if route == "reject" {
                expectProblem(
                    try await api.request("POST", "/v1/tenants/acme/tasks/\(task)/reject", token: token, json: [:]),
                    400, code: "invalid_input", field: "comment")
            }
            let decided = try await api.request(
                "POST", "/v1/tenants/acme/tasks/\(task)/\(route)", token: token, json: body,
                headers: ["Idempotency-Key": "decide-1"])
            #expect(decided.status == 200, "\(decided)")
            #expect(decided.json[member: "status"].stringValue == "decided")
            #expect(decided.json[member: "outcome"].stringValue == route)
            #expect(decided.json[member: "decided_by"].stringValue == "acc-a")
            let replay = try await api.request(
                "POST", "/v1/tenants/acme/tasks/\(task)/\(route)", token: token, json: body,
                headers: ["Idempotency-Key": "decide-1"])
            #expect(replay.status == 200)
            expectProblem(
                try await api.request("POST", "/v1/tenants/acme/tasks/\(task)/\(route)", token: token, json: body),
                409, code: "conflict")
            let instance = try await api.runtime.instance(
                tenant: "acme", id: try await api.runtime.task(tenant: "acme", id: task).instanceId)
            #expect(instance.state == (route == "approve" ? "approved" : "refused"))

            // A manager who asked to join may not decide their own request: the runtime refuses.
            let own = try await startTask(api, requester: "acc-a")
            expectProblem(
                try await api.request("POST", "/v1/tenants/acme/tasks/\(own)/\(route)", token: token, json: body),
                403, code: "forbidden")
        }
    }
}
