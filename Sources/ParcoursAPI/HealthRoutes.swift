import Foundation
import Hummingbird
import Logging
import ParcoursRuntime
import PostgresNIO
import ServiceLifecycle

/// The HTTP server of `parcours serve` and `parcours dev`. Issue 5 adds the API under `/v1`; for now it answers
/// `/healthz` (the process is up) and `/readyz` (the database answers).
public enum ParcoursServer {
    /// The router with every route, shared by the server and tests.
    public static func router(runtime: Runtime) -> Router<BasicRequestContext> {
        let router = Router()
        router.get("healthz") { _, _ in
            json(["status": "ok"])
        }
        router.get("readyz") { _, _ in
            do {
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await runtime.client.query("SELECT 1", logger: runtime.logger) }
                    group.addTask {
                        try await Task.sleep(for: .seconds(2))
                        throw CancellationError()
                    }
                    try await group.next()
                    group.cancelAll()
                }
                return json(["status": "ready", "database": "ok"])
            } catch {
                return problem(
                    status: .serviceUnavailable, title: "Not ready", detail: "the database does not answer")
            }
        }
        return router
    }

    /// The application: HTTP on `host:port`, plus `services` (the database client, the workers) run alongside and
    /// shut down gracefully with it.
    public static func application(
        runtime: Runtime, host: String, port: Int, services: [any Service], logger: Logger,
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(runtime: runtime),
            configuration: .init(address: .hostname(host, port: port), serverName: "parcours"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    static func json(_ object: [String: String], status: HTTPResponse.Status = .ok) -> Response {
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// An RFC 9457 problem document.
    static func problem(status: HTTPResponse.Status, title: String, detail: String) -> Response {
        let object: [String: Any] = ["type": "about:blank", "title": title, "status": status.code, "detail": detail]
        let data = (try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data()
        return Response(
            status: status, headers: [.contentType: "application/problem+json"],
            body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }
}
