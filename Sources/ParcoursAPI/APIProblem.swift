import Foundation
import HTTPTypes
import Hummingbird
import ParcoursDSL
import ParcoursDomain
import ParcoursEngine
import ParcoursRuntime

/// An error answered as an RFC 9457 problem document: `type` (`urn:parcours:problem:<code>`), `title`, `status`,
/// `detail` (a sentence for a person), `code`, `request_id`, and `errors` — the offending fields — when there are.
public struct APIProblem: Error, Sendable {
    /// One offending field: a path such as `email`, `address.city` or `query.limit`.
    public struct Field: Sendable, Hashable {
        public var field: String
        public var message: String

        public init(field: String, message: String) {
            self.field = field
            self.message = message
        }
    }

    public var status: HTTPResponse.Status
    /// A stable, machine-readable code (`not_found`, `session_expired`, `invalid_payload`…).
    public var code: String
    public var title: String
    public var detail: String
    public var errors: [Field]
    /// Seconds to wait, for 429 (sent as `Retry-After`).
    public var retryAfter: Int?
    /// More headers of the answer (`Allow` for 405).
    public var headers: HTTPFields = [:]

    public init(
        _ status: HTTPResponse.Status, code: String, title: String, detail: String, errors: [Field] = [],
        retryAfter: Int? = nil
    ) {
        self.status = status
        self.code = code
        self.title = title
        self.detail = detail
        self.errors = errors
        self.retryAfter = retryAfter
    }

    /// A request that is not well-formed: a missing or invalid field of the body, the query or a header.
    static func invalid(_ field: String, _ message: String) -> APIProblem {
        APIProblem(
            .badRequest, code: "invalid_input", title: "Invalid request", detail: "\(field): \(message)",
            errors: [Field(field: field, message: message)])
    }

    static func unauthenticated(_ detail: String, code: String = "unauthenticated") -> APIProblem {
        APIProblem(.unauthorized, code: code, title: "Authentication required", detail: detail)
    }

    static func forbidden(_ detail: String) -> APIProblem {
        APIProblem(.forbidden, code: "forbidden", title: "Forbidden", detail: detail)
    }

    static func notFound(_ detail: String) -> APIProblem {
        APIProblem(.notFound, code: "not_found", title: "Not found", detail: detail)
    }

    /// The problem of any error: the API's own, the runtime's, the domain's, Hummingbird's; anything else is a 500
    /// that says nothing of its cause (the cause is logged).
    public init(_ error: any Error) {
        switch error {
        case let problem as APIProblem:
            self = problem
        case let error as RuntimeError:
            self = Self.from(error)
        case let error as DomainError:
            self = Self.from(error)
        case let error as HTTPError:
            let status = error.status
            self.init(
                status, code: status == .notFound ? "not_found" : "http_\(status.code)",
                title: status.reasonPhrase,
                detail: error.body ?? (status == .notFound ? "no such route" : status.reasonPhrase))
        default:
            self.init(
                .internalServerError, code: "internal", title: "Internal error",
                detail: "the server failed to answer; the request id identifies it in the logs")
        }
    }

    static func from(_ error: RuntimeError) -> APIProblem {
        switch error.code {
        case .notFound:
            return APIProblem(.notFound, code: "not_found", title: "Not found", detail: error.message)
        case .rejected:
            let rejection = error.rejection
            let fields = (rejection?.fieldErrors ?? []).map { Field(field: $0.field, message: $0.message) }
            switch rejection?.code {
            case .unexpectedEvent?, .finished?:
                return APIProblem(
                    .conflict, code: rejection?.code.rawValue ?? "rejected", title: "Event not expected now",
                    detail: rejection?.message ?? error.message)
            case .invalidPayload?:
                return APIProblem(
                    .unprocessableContent, code: "invalid_payload", title: "Invalid fields",
                    detail: rejection?.message ?? error.message, errors: fields)
            default:
                return APIProblem(
                    .unprocessableContent, code: rejection?.code.rawValue ?? "rejected", title: "Refused",
                    detail: rejection?.message ?? error.message, errors: fields)
            }
        case .invalidDefinition:
            let fields = error.diagnostics.filter { $0.severity == .error }.map {
                Field(field: "\($0.location)", message: $0.message)
            }
            return APIProblem(
                .unprocessableContent, code: "invalid_definition", title: "Definitions refused",
                detail: error.message, errors: fields)
        case .conflict:
            return APIProblem(.conflict, code: "conflict", title: "Conflict", detail: error.message)
        case .idempotencyMismatch:
            return APIProblem(
                .unprocessableContent, code: "idempotency_mismatch", title: "Idempotency key reused",
                detail: error.message, errors: [Field(field: "Idempotency-Key", message: error.message)])
        case .forbidden:
            return APIProblem(.forbidden, code: "forbidden", title: "Forbidden", detail: error.message)
        case .invalidInput:
            return APIProblem(.badRequest, code: "invalid_input", title: "Invalid request", detail: error.message)
        case .actionFailed:
            return APIProblem(
                .badGateway, code: "action_failed", title: "Action failed",
                detail: "an action of the process failed; nothing changed, try again later")
        }
    }

    static func from(_ error: DomainError) -> APIProblem {
        let (status, title): (HTTPResponse.Status, String) =
            switch error.code {
            case .unauthenticated: (.unauthorized, "Authentication required")
            case .sessionExpired: (.unauthorized, "Session expired")
            case .sessionRevoked: (.unauthorized, "Session closed")
            case .invalidCredentials: (.unauthorized, "Wrong e-mail or password")
            case .tooManyAttempts: (.tooManyRequests, "Too many attempts")
            case .linkUnknown: (.notFound, "Unknown link")
            case .linkExpired: (.gone, "Link expired")
            case .linkUsed: (.conflict, "Link already used")
            case .forbidden: (.forbidden, "Forbidden")
            case .notFound: (.notFound, "Not found")
            case .invalidInput: (.badRequest, "Invalid request")
            }
        return APIProblem(
            status, code: error.code.rawValue, title: title, detail: error.message,
            retryAfter: error.code == .tooManyAttempts ? (error.retryAfter ?? 60) : nil)
    }

    /// The JSON members of the document.
    func document(requestId: String) -> Value {
        var object: [String: Value] = [
            "type": .string("urn:parcours:problem:\(code)"), "title": .string(title),
            "status": .number(Double(status.code)), "detail": .string(detail), "code": .string(code),
            "request_id": .string(requestId),
        ]
        if !errors.isEmpty {
            object["errors"] = .list(
                errors.map { ["field": .string($0.field), "message": .string($0.message)] })
        }
        if let retryAfter { object["retry_after"] = .number(Double(retryAfter)) }
        return .object(object)
    }

    /// The response: the document, `Retry-After` for 429, `WWW-Authenticate` for 401.
    func response(requestId: String) -> Response {
        var headers = self.headers
        headers[.contentType] = "application/problem+json"
        if let retryAfter { headers[.retryAfter] = "\(retryAfter)" }
        if status == .unauthorized { headers[.wwwAuthenticate] = "Bearer realm=\"parcours\"" }
        headers[RequestIdMiddleware.header] = requestId
        return Response(
            status: status, headers: headers,
            body: .init(byteBuffer: ByteBuffer(string: document(requestId: requestId).jsonText())))
    }
}
