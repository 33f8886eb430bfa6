import Foundation
import HTTPTypes
import Hummingbird
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime

/// The `/v1/tenants/{tenant}` routes and what they share: the runtime, the domain, the limits.
struct API: Sendable {
    let runtime: Runtime
    let domain: any DomainServices
    let configuration: APIConfiguration
    let adminLimiter: AttemptLimiter

    static let idempotencyHeader = HTTPField.Name("Idempotency-Key")!

    func addRoutes(to group: RouterGroup<APIContext>) {
        addJourneyRoutes(to: group)
        addSessionRoutes(to: group)
        addTaskRoutes(to: group)
        addAdminRoutes(to: group.group("admin"))
    }

    // MARK: - Request helpers

    /// The tenant of the path.
    static func tenant(_ context: APIContext) throws -> String {
        try context.parameters.require("tenant")
    }

    /// A path parameter.
    static func parameter(_ name: String, _ context: APIContext) throws -> String {
        let raw = try context.parameters.require(name)
        return raw.removingPercentEncoding ?? raw
    }

    /// The JSON object of the body (an empty body is an empty object): 400 when it is not a JSON object.
    static func body(_ request: Request, context: APIContext) async throws -> [String: Value] {
        let buffer = try await request.body.collect(upTo: context.maxUploadSize)
        if buffer.readableBytes == 0 { return [:] }
        let value: Value
        do {
            value = try JSONText.parse(buffer.readableBytesView, tagged: false)
        } catch {
            throw APIProblem.invalid("body", "is not valid JSON (\(error.message) at byte \(error.offset))")
        }
        guard case .object(let members) = value else {
            throw APIProblem.invalid("body", "must be a JSON object")
        }
        return members
    }

    /// A string member of a body, required or not.
    static func string(_ body: [String: Value], _ name: String, required: Bool = true) throws -> String? {
        switch body[name] {
        case nil, .null?:
            if required { throw APIProblem.invalid(name, "is required") }
            return nil
        case .string(let text)?:
            if required && text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw APIProblem.invalid(name, "must not be empty")
            }
            return text
        default:
            throw APIProblem.invalid(name, "must be a string")
        }
    }

    /// An object member of a body (absent: empty).
    static func object(_ body: [String: Value], _ name: String) throws -> [String: Value] {
        switch body[name] {
        case nil: return [:]
        case .object(let members)?: return members
        default: throw APIProblem.invalid(name, "must be a JSON object")
        }
    }

    /// The `Idempotency-Key` header, scoped to whoever sends it (so two callers never share a key): nil when absent.
    static func idempotencyKey(_ request: Request, scope: String) throws -> String? {
        guard let key = request.headers[idempotencyHeader] else { return nil }
        guard (1...200).contains(key.utf8.count), key.unicodeScalars.allSatisfy({ $0.value >= 0x21 && $0.value < 0x7F })
        else {
            throw APIProblem.invalid("Idempotency-Key", "must be 1 to 200 visible ASCII characters")
        }
        return "\(scope)|\(key)"
    }

    /// A query parameter as given (`?status=` is the empty string, not an absent parameter).
    static func query(_ request: Request, _ name: String) -> String? {
        request.uri.queryParameters.get(name)
    }

    /// `limit` from the query: an integer in `range`, else 400.
    static func limit(_ request: Request, default value: Int, range: ClosedRange<Int>) throws -> Int {
        guard let text = query(request, "limit") else { return value }
        guard let limit = Int(text), range.contains(limit) else {
            throw APIProblem.invalid(
                "query.limit", "must be an integer from \(range.lowerBound) to \(range.upperBound)")
        }
        return limit
    }

    /// A page of items.
    static func page(_ items: [Value], next: String? = nil) -> Value {
        ["items": .list(items), "next": next.map(Value.string) ?? .null]
    }

    static func created(_ value: Value, location: String) -> Response {
        ParcoursServer.json(value, status: .created, headers: [.location: location])
    }
}
