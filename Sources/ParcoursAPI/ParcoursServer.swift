import Foundation
import HTTPTypes
import Hummingbird
import Logging
import Metrics
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import PostgresNIO
import Prometheus
import ServiceLifecycle

/// What the API lets through, besides the routes themselves.
public struct APIConfiguration: Sendable {
    /// Processes anyone may start without a session (the caller then holds the instance's random id, a capability).
    public var anonymousProcesses: Set<String>
    /// Failed administrator-key attempts allowed per client address within `adminFailureWindow` before 429.
    public var adminFailureLimit: Int
    /// The window of `adminFailureLimit`, in seconds.
    public var adminFailureWindow: TimeInterval
    /// The level of the one-line access log of each request (route template, status, duration, request id).
    public var accessLogLevel: Logger.Level

    public init(
        anonymousProcesses: Set<String> = ["signup", "password_reset"], adminFailureLimit: Int = 10,
        adminFailureWindow: TimeInterval = 900, accessLogLevel: Logger.Level = .info
    ) {
        self.anonymousProcesses = anonymousProcesses
        self.adminFailureLimit = adminFailureLimit
        self.adminFailureWindow = adminFailureWindow
        self.accessLogLevel = accessLogLevel
    }
}

/// The HTTP server of `parcours serve` and `parcours dev`: the JSON API under `/v1/tenants/{tenant}/…` (journeys,
/// links, sessions, tasks, tenant administration), `/healthz`, `/readyz`, `/metrics` and `/openapi.yaml`.
/// docs/openapi.yaml describes every route; docs/api.md explains them.
public enum ParcoursServer {
    /// The router with every route, shared by the server and the tests.
    ///
    /// - Parameters:
    ///   - runtime: the durable runtime (instances, tasks, deployments).
    ///   - domain: the signup domain's sessions, links, captcha and membership checks.
    ///   - clock: where the admin-key attempt limit reads the time (a manual clock in tests).
    ///   - configuration: anonymous processes and limits.
    public static func router(
        runtime: Runtime, domain: any DomainServices, clock: any RuntimeClock = SystemClock(),
        configuration: APIConfiguration = APIConfiguration()
    ) -> Router<APIContext> {
        APIMetrics.bootstrap()
        let router = Router(context: APIContext.self)
        router.middlewares.add(RequestIdMiddleware())
        router.middlewares.add(AccessLogMiddleware(level: configuration.accessLogLevel))
        router.middlewares.add(MetricsMiddleware())
        let routes = RouteTable()
        router.middlewares.add(ProblemMiddleware(routes: routes))
        addOperationalRoutes(to: router, runtime: runtime)
        let api = API(
            runtime: runtime, domain: domain, configuration: configuration,
            adminLimiter: AttemptLimiter(
                limit: configuration.adminFailureLimit, window: configuration.adminFailureWindow, clock: clock))
        api.addRoutes(to: router.group("v1/tenants/:tenant"))
        routes.set(router.routes.map { ($0.method.rawValue, $0.path.description) })
        return router
    }

    /// The application: HTTP on `host:port` (0: any free port, reported to `onServerRunning`), plus `services`
    /// (the database client, the workers) run alongside and shut down gracefully with it.
    public static func application(
        runtime: Runtime, domain: any DomainServices, host: String, port: Int, services: [any Service],
        logger: Logger, clock: any RuntimeClock = SystemClock(), configuration: APIConfiguration = APIConfiguration(),
        onServerRunning: @escaping @Sendable (Int) async -> Void = { _ in }
    ) -> some ApplicationProtocol {
        Application(
            router: router(runtime: runtime, domain: domain, clock: clock, configuration: configuration),
            configuration: .init(address: .hostname(host, port: port), serverName: "parcours"),
            services: services,
            onServerRunning: { channel in await onServerRunning(channel.localAddress?.port ?? port) },
            logger: logger)
    }

    /// The OpenAPI 3.1 document served at `/openapi.yaml` (docs/openapi.yaml, compiled in).
    public static var openAPIDocument: String {
        String(decoding: PackageResources.openapi_yaml, as: UTF8.self)
    }

    static func addOperationalRoutes(to router: Router<APIContext>, runtime: Runtime) {
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
                throw APIProblem(
                    .serviceUnavailable, code: "not_ready", title: "Not ready", detail: "the database does not answer")
            }
        }
        router.get("metrics") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: .init(byteBuffer: ByteBuffer(bytes: APIMetrics.registry.emitToBuffer())))
        }
        router.get("openapi.yaml") { _, _ in
            Response(
                status: .ok, headers: [.contentType: "application/yaml"],
                body: .init(byteBuffer: ByteBuffer(bytes: PackageResources.openapi_yaml)))
        }
    }

    /// A JSON response of `value`.
    static func json(_ value: Value, status: HTTPResponse.Status = .ok, headers: HTTPFields = [:]) -> Response {
        var fields = headers
        fields[.contentType] = "application/json"
        return Response(status: status, headers: fields, body: .init(byteBuffer: ByteBuffer(string: value.jsonText())))
    }
}

/// The Prometheus registry behind `/metrics`. swift-metrics is bootstrapped once per process with it, so
/// Hummingbird's `MetricsMiddleware` (requests, durations, errors per route) and any other swift-metrics user land
/// there.
public enum APIMetrics {
    /// The registry `/metrics` emits.
    public static let registry = PrometheusCollectorRegistry()

    private static let bootstrapped: Bool = {
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return true
    }()

    /// Bootstraps swift-metrics with ``registry`` (once; later calls do nothing).
    public static func bootstrap() { _ = bootstrapped }
}

/// One line per request: method, route template (never the path itself, which may hold a link token), status,
/// duration; the logger carries the request id.
struct AccessLogMiddleware: RouterMiddleware {
    typealias Context = APIContext
    let level: Logger.Level

    func handle(_ request: Request, context: APIContext, next: (Request, APIContext) async throws -> Response)
        async throws -> Response
    {
        let start = ContinuousClock.now
        let response = try await next(request, context)
        let elapsed = ContinuousClock.now - start
        let milliseconds = Double(elapsed.components.attoseconds) / 1e15 + Double(elapsed.components.seconds) * 1000
        context.logger.log(
            level: level, "\(request.method) \(context.endpointPath ?? "unknown route") \(response.status.code)",
            metadata: ["duration_ms": .string(String(format: "%.1f", milliseconds))])
        return response
    }
}
