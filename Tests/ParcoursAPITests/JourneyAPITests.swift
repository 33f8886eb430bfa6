import Foundation
import Logging
import ParcoursAPI
import ParcoursAPITestSupport
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import Testing

/// Checks a problem document: status, content type, the RFC 9457 members, the code, and the request id.
@discardableResult
func expectProblem(
    _ result: HTTPResult, _ status: Int, code: String, field: String? = nil,
    sourceLocation: Testing.SourceLocation = #_sourceLocation
) -> Value {
    #expect(result.status == status, "\(result)", sourceLocation: sourceLocation)
    #expect(result.contentType == "application/problem+json", "\(result)", sourceLocation: sourceLocation)
    let document = result.json
    #expect(document[member: "code"].stringValue == code, "\(result)", sourceLocation: sourceLocation)
    #expect(
        document[member: "type"].stringValue == "urn:parcours:problem:\(code)", "\(result)",
        sourceLocation: sourceLocation)
    #expect(document[member: "status"].numberValue == Double(status), sourceLocation: sourceLocation)
    #expect(document[member: "title"].stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(document[member: "detail"].stringValue?.isEmpty == false, sourceLocation: sourceLocation)
    #expect(
        document[member: "request_id"].stringValue == result.headers["x-request-id"], "\(result)",
        sourceLocation: sourceLocation)
    if let field {
        let fields = (document[member: "errors"].listValue ?? []).compactMap { $0[member: "field"].stringValue }
        #expect(fields.contains(field), "\(result)", sourceLocation: sourceLocation)
    }
    return document
}

let siret = "73282932000074"

@Suite("API: journeys", .serialized)
struct JourneyAPITests {
    @Test func anInstanceIsStartedReadSentAnEventAndItsHistoryFollows() async throws {
        try await APIHarness.with { api in
            try await api.tenant("acme")
            let started = try await api.request("POST", "/v1/tenants/acme/processes/signup/instances", json: [:])
            #expect(started.status == 201, "\(started)")
            let id = try #require(started.json[member: "id"].stringValue)
            #expect(started.headers["location"] == "/v1/tenants/acme/instances/\(id)")
            #expect(started.json[member: "state"].stringValue == "identify")
            let events = started.json[member: "waiting"][member: "events"].listValue ?? []
            let submit = try #require(events.first { $0[member: "name"].stringValue == "submit" })
            let fields = (submit[member: "fields"].listValue ?? []).compactMap { $0[member: "name"].stringValue }
            #expect(fields == ["login_email", "login_email_confirmation", "siret"])

            let read = try await api.request("GET", "/v1/tenants/acme/instances/\(id)")
            #expect(read.status == 200)
            #expect(read.json[member: "id"].stringValue == id)

            // A refused payload: one error per offending field, nothing changes.
            let refused = try await api.request(
                "POST", "/v1/tenants/acme/instances/\(id)/events/submit", json: ["login_email": "not an e-mail"])
            expectProblem(refused, 422, code: "invalid_payload", field: "login_email")
            expectProblem(refused, 422, code: "invalid_payload", field: "siret")

            let sent = try await api.request(
                "POST", "/v1/tenants/acme/instances/\(id)/events/submit",
                json: [
                    "login_email": "marc@example.org", "login_email_confirmation": "marc@example.org",
                    "siret": .string(siret),
                ])
            #expect(sent.status == 200, "\(sent)")
            #expect(sent.json[member: "state"].stringValue != "identify")
            #expect(sent.json[member: "revision"].numberValue == 2)

            let history = try await api.request("GET", "/v1/tenants/acme/instances/\(id)/history")
            #expect(history.status == 200)
            let kinds = (history.json[member: "items"].listValue ?? []).compactMap { $0[member: "kind"].stringValue }
            #expect(kinds.count >= 3, "\(history)")
            #expect(kinds.contains("transition"), "\(history)")
        }
    }

    @Test func errorsAreProblemDocumentsWithTheirCode() async throws {
        try await APIHarness.with { api in
            try await api.tenant("acme")
            expectProblem(try await api.request("GET", "/v1/nothing-here"), 404, code: "not_found")
            let wrongMethod = try await api.request("PUT", "/v1/tenants/acme/tasks/t-1", json: [:])
            expectProblem(wrongMethod, 405, code: "method_not_allowed")
            #expect(wrongMethod.headers["allow"] == "GET", "\(wrongMethod)")
            expectProblem(try await api.request("GET", "/v1/tenants/acme/instances/nope"), 404, code: "not_found")
            let notJSON = try await api.request(
                "POST", "/v1/tenants/acme/processes/signup/instances", rawBody: "{not json")
            expectProblem(notJSON, 400, code: "invalid_input", field: "body")
            // The problem says what is wrong and where.
            let detail = notJSON.json[member: "detail"].stringValue ?? ""
            #expect(detail.contains("a member name in quotes expected at byte 1"), "\(notJSON)")
            expectProblem(
                try await api.request("POST", "/v1/tenants/acme/processes/signup/instances", rawBody: "[1]"), 400,
                code: "invalid_input", field: "body")
            expectProblem(
                try await api.request("POST", "/v1/tenants/acme/processes/nothing/instances", json: [:]), 401,
                code: "unauthenticated")
            let anonymousStart = try await api.request(
                "POST", "/v1/tenants/acme/processes/attach_test/instances", json: [:])
            expectProblem(anonymousStart, 401, code: "unauthenticated")
            #expect(anonymousStart.headers["www-authenticate"]?.hasPrefix("Bearer") == true)
            expectProblem(
                try await api.request("POST", "/v1/tenants/nobody/processes/signup/instances", json: [:]), 404,
                code: "not_found")
            let started = try await api.request("POST", "/v1/tenants/acme/processes/signup/instances", json: [:])
            let id = try #require(started.json[member: "id"].stringValue)
            expectProblem(
                try await api.request("POST", "/v1/tenants/acme/instances/\(id)/events/confirm", json: [:]), 409,
                code: "unexpected_event")
            expectProblem(
                try await api.request(
                    "POST", "/v1/tenants/acme/instances/\(id)/events/submit", json: [:],
                    headers: ["Idempotency-Key": String(repeating: "k", count: 201)]), 400, code: "invalid_input",
                field: "Idempotency-Key")
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/tasks?status=everything", token: "x"), 401,
                code: "unauthenticated")
            let token = api.domain.openSession(tenant: "acme", account: "acc-1")
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/tasks?status=everything", token: token), 400,
                code: "invalid_input", field: "query.status")
            expectProblem(
                try await api.request("GET", "/v1/tenants/acme/tasks?limit=0", token: token), 400,
                code: "invalid_input", field: "query.limit")
            expectProblem(
                try await api.request(
                    "GET", "/v1/tenants/acme/tasks", headers: ["Authorization": "Basic abc"]), 401,
                code: "unauthenticated")
        }
    }

    @Test func aRetryWithTheSameIdempotencyKeyReplaysTheFirstAnswer() async throws {
        try await APIHarness.with { api in
            try await api.tenant("acme")
            let key = ["Idempotency-Key": "start-1"]
            let first = try await api.request(
                "POST", "/v1/tenants/acme/processes/signup/instances", json: [:], headers: key)
            let second = try await api.request(
                "POST", "/v1/tenants/acme/processes/signup/instances", json: [:], headers: key)
            #expect(first.status == 201 && second.status == 201)
            let id = try #require(first.json[member: "id"].stringValue)
            #expect(second.json[member: "id"].stringValue == id)
            let instances = try await api.runtime.instances(tenant: "acme", process: "signup")
            #expect(instances.count == 1)
            expectProblem(
                try await api.request(
                    "POST", "/v1/tenants/acme/processes/signup/instances", json: ["params": ["x": 1]], headers: key),
                422, code: "idempotency_mismatch", field: "Idempotency-Key")

            let payload: Value = [
                "login_email": "marc@example.org", "login_email_confirmation": "marc@example.org",
                "siret": .string(siret),
            ]
            let eventKey = ["Idempotency-Key": "event-1"]
            let sent = try await api.request(
                "POST", "/v1/tenants/acme/instances/\(id)/events/submit", json: payload, headers: eventKey)
            let replayed = try await api.request(
                "POST", "/v1/tenants/acme/instances/\(id)/events/submit", json: payload, headers: eventKey)
            #expect(sent.status == 200 && replayed.status == 200, "\(sent) \(replayed)")
            #expect(sent.json == replayed.json)
            // The event was applied once.
            #expect(try await api.runtime.instance(tenant: "acme", id: id).revision == 2)
        }
    }

    @Test func theRequestIdIsEchoedOrMade() async throws {
        try await APIHarness.with { api in
            let given = try await api.request("GET", "/healthz", headers: ["X-Request-Id": "trace-42.a_b"])
            #expect(given.status == 200)
            #expect(given.headers["x-request-id"] == "trace-42.a_b")
            let made = try await api.request("GET", "/healthz")
            #expect(made.headers["x-request-id"]?.count == 36)
            let refused = try await api.request("GET", "/healthz", headers: ["X-Request-Id": "bad id with spaces"])
            #expect(refused.headers["x-request-id"] != "bad id with spaces")
            let problem = try await api.request("GET", "/nothing", headers: ["X-Request-Id": "trace-43"])
            #expect(problem.headers["x-request-id"] == "trace-43")
            #expect(problem.json[member: "request_id"].stringValue == "trace-43")
        }
    }

    @Test func theRequestIdIsInTheLogsAndSecretsAreNot() async throws {
        let store = CapturingLogHandler.Store()
        var logger = Logger(label: "parcours.api.test") { _ in CapturingLogHandler(store: store) }
        logger.logLevel = .info
        try await APIHarness.with(configuration: APIConfiguration(accessLogLevel: .info), logger: logger) { api in
            try await api.tenant("acme")
            api.domain.addAccount(tenant: "acme", id: "acc-1", email: "ana@example.org", password: "pw-never-logged")
            _ = try await api.request("GET", "/healthz", headers: ["X-Request-Id": "trace-log-1"])
            let login = try await api.request(
                "POST", "/v1/tenants/acme/sessions", json: ["email": "ana@example.org", "password": "pw-never-logged"],
                headers: ["X-Request-Id": "trace-log-2"])
            let token = try #require(login.json[member: "token"].stringValue)
            let link = api.domain.issueLink(tenant: "acme", purpose: .activation, instance: "i-1", event: "activate")
            _ = try await api.request("GET", "/v1/tenants/acme/links/\(link)", token: token)
            let lines = store.all
            #expect(
                lines.contains {
                    $0.metadata["request_id"] == "trace-log-1" && $0.message.contains("GET /healthz 200")
                }, "\(lines.map(\.message))")
            #expect(lines.contains { $0.metadata["request_id"] == "trace-log-2" && $0.message == "session opened" })
            #expect(lines.contains { $0.message.contains("/v1/tenants/{tenant}/links/{token}") })
            let everything = lines.map { "\($0.message) \($0.metadata)" }.joined(separator: "\n")
            #expect(!everything.contains("pw-never-logged"))
            #expect(!everything.contains(token))
            #expect(!everything.contains(link))
        }
    }

    @Test func metricsAreInThePrometheusTextFormat() async throws {
        try await APIHarness.with { api in
            _ = try await api.request("GET", "/healthz")
            _ = try await api.request("GET", "/readyz")
            let metrics = try await api.request("GET", "/metrics")
            #expect(metrics.status == 200)
            #expect(metrics.contentType.hasPrefix("text/plain; version=0.0.4"))
            #expect(metrics.text.contains("# TYPE hb_requests counter"), "\(metrics.text.prefix(2000))")
            #expect(metrics.text.contains("http_route=\"/healthz\""), "\(metrics.text.prefix(2000))")
            #expect(metrics.text.contains("http_server_request_duration"), "\(metrics.text.prefix(2000))")
        }
    }

    @Test func theCaptchaIsAChallengeWithAnImage() async throws {
        try await APIHarness.with { api in
            try await api.tenant("acme")
            let captcha = try await api.request("POST", "/v1/tenants/acme/captcha")
            #expect(captcha.status == 201)
            #expect(captcha.json[member: "id"].stringValue?.isEmpty == false)
            #expect(captcha.json[member: "image"].stringValue?.hasPrefix("<svg") == true)
            #expect(captcha.json[member: "expires_at"].stringValue == "2026-01-01T00:05:00Z")
        }
    }
}
