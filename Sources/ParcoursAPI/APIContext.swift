import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import Synchronization

/// The request context of the API: Hummingbird's core storage, the request id (echoed as `X-Request-Id` and put in
/// the logger's metadata) and the client's address (for the admin-key attempt limit).
public struct APIContext: RequestContext {
    public var coreContext: CoreRequestContextStorage
    /// The id of this request: the client's `X-Request-Id` when it is usable, else a new one.
    public var requestId: String
    /// The client's IP address, or `unknown`.
    public var source: String

    public init(source: ApplicationRequestContextSource) {
        coreContext = .init(source: source)
        requestId = ""
        self.source = source.channel.remoteAddress?.ipAddress ?? "unknown"
    }

    /// Request bodies are small JSON documents; definitions for a deployment are the largest.
    public var maxUploadSize: Int { 4 * 1024 * 1024 }
}

/// Sets the request id: takes a well-formed `X-Request-Id` from the client (1–128 characters of `A-Z a-z 0-9 . _ -`)
/// or makes one, puts it in the logger's metadata (`request_id`) and echoes it on the response, errors included.
struct RequestIdMiddleware: RouterMiddleware {
    typealias Context = APIContext

    static let header = HTTPField.Name("X-Request-Id")!

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        var context = context
        let offered = request.headers[Self.header]
        let id = offered.flatMap { Self.isUsable($0) ? $0 : nil } ?? UUID().uuidString.lowercased()
        context.requestId = id
        context.logger[metadataKey: "request_id"] = .string(id)
        var response = try await next(request, context)
        response.headers[Self.header] = id
        return response
    }

    static func isUsable(_ id: String) -> Bool {
        guard (1...128).contains(id.utf8.count) else { return false }
        return id.unicodeScalars.allSatisfy {
            ("a"..."z").contains($0) || ("A"..."Z").contains($0) || ("0"..."9").contains($0) || $0 == "-"
                || $0 == "_" || $0 == "."
        }
    }
}

/// Turns every error into an RFC 9457 problem document (`application/problem+json`) carrying the request id.
/// Errors that are not the API's own are logged and answered with a 500 that reveals nothing.
struct ProblemMiddleware: RouterMiddleware {
    typealias Context = APIContext
    /// The routes, to answer 405 (with `Allow`) rather than 404 for a known path with another method.
    let routes: RouteTable

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        do {
            return try await next(request, context)
        } catch let error as HTTPError where error.status == .notFound {
            // Hummingbird's own 404: no route for this path, or none for this method.
            let allowed = routes.methods(for: request.uri.path)
            guard !allowed.isEmpty, !allowed.contains(request.method.rawValue) else {
                return APIProblem(error).response(requestId: context.requestId)
            }
            var problem = APIProblem(
                .methodNotAllowed, code: "method_not_allowed", title: "Method not allowed",
                detail: "\(request.method) is not allowed here; use \(allowed.joined(separator: ", "))")
            problem.headers[.allow] = allowed.joined(separator: ", ")
            return problem.response(requestId: context.requestId)
        } catch {
            let problem = APIProblem(error)
            if problem.status.code >= 500 {
                // The route's pattern, not the path: a path may hold a link's token.
                context.logger.error(
                    "request failed",
                    metadata: ["error": "\(error)", "route": "\(context.endpointPath ?? "unknown route")"])
            }
            return problem.response(requestId: context.requestId)
        }
    }
}

/// The router's routes as path patterns, filled once the routes are added: which methods a path accepts.
final class RouteTable: Sendable {
    private let patterns = Mutex<[(method: String, segments: [Substring])]>([])

    func set(_ routes: [(method: String, path: String)]) {
        patterns.withLock { $0 = routes.map { ($0.method, $0.path.split(separator: "/")) } }
    }

    /// The methods of the routes whose pattern matches `path` (a `{name}` segment matches any segment).
    func methods(for path: String) -> [String] {
        let segments = path.split(separator: "/")
        return patterns.withLock { patterns in
            Set(
                patterns.filter { pattern in
                    pattern.segments.count == segments.count
                        && zip(pattern.segments, segments).allSatisfy { $0.hasPrefix("{") || $0 == $1 }
                }.map(\.method)
            ).sorted()
        }
    }
}
