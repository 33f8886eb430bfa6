import Foundation
import Logging
import ParcoursAPI
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import ParcoursTestSupport
import PostgresNIO
import ServiceLifecycle
import Synchronization

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif

/// A real server for tests on the in-memory domain double: a fresh migrated database, a runtime whose actions answer
/// their catalogue examples and whose tasks go to the managers of ``InMemoryDomain``, and the API listening on an
/// ephemeral port of 127.0.0.1.
public typealias APIHarness = HTTPHarness<InMemoryDomain>

/// A real server on a fresh migrated database, with a domain: the in-memory double (``APIHarness``) or the real
/// signup domain (``SignupAPIHarness``).
public struct HTTPHarness<Domain: DomainServices>: Sendable {
    public let baseURL: String
    public let runtime: Runtime
    public let domain: Domain
    public let clock: ManualClock
    /// The test database, as its owner (to look behind row-level security, or to run the CLI on it).
    public let superuser: DatabaseConfiguration
    /// Every answer of ``request(_:_:token:json:rawBody:headers:)``, checked against docs/openapi.yaml at the end.
    public let recorder = ResponseRecorder()
    /// The mail ``deliverMail()`` handed over.
    public let mailbox = Mailbox()

    public static var root: URL { HarnessFiles.root }
    public static var start: Date { HarnessFiles.start }
    public static var catalog: ActionCatalog { HarnessFiles.catalog }
    public static var attachmentTest: (file: String, text: String) { HarnessFiles.attachmentTest }

    /// Runs `body` with the API served on `runtime` and `domain`, then stops the server and checks every answer
    /// received against docs/openapi.yaml.
    static func serve(
        runtime: Runtime, domain: Domain, clock: ManualClock, superuser: DatabaseConfiguration, port: Int,
        configuration: APIConfiguration,
        logger: Logger, _ body: @Sendable (HTTPHarness) async throws -> Void
    ) async throws {
        let (ports, continuation) = AsyncStream<Int>.makeStream()
        let application = ParcoursServer.application(
            runtime: runtime, domain: domain, host: "127.0.0.1", port: port, services: [], logger: logger, clock: clock,
            configuration: configuration, onServerRunning: { port in continuation.yield(port) })
        let services = ServiceGroup(
            configuration: .init(services: [application], gracefulShutdownSignals: [], logger: logger))
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await runtime.client.run() }
            defer { group.cancelAll() }
            let server = Task { try await services.run() }
            var port = 0
            for await value in ports {
                port = value
                break
            }
            let harness = HTTPHarness(
                baseURL: "http://127.0.0.1:\(port)", runtime: runtime, domain: domain, clock: clock,
                superuser: superuser)
            let outcome: Result<Void, any Error>
            do {
                try await body(harness)
                outcome = .success(())
            } catch {
                outcome = .failure(error)
            }
            // Stop the server gracefully (open connections are closed), then the database client.
            await services.triggerGracefulShutdown()
            _ = await server.result
            try outcome.get()
            // Every answer the test received must match the document's schemas.
            let problems = try harness.recorder.problems()
            if !problems.isEmpty {
                throw HarnessError(
                    "\(problems.count) answers do not match docs/openapi.yaml:\n" + problems.joined(separator: "\n"))
            }
        }
    }
}

/// The files and fixed values the harnesses share.
public enum HarnessFiles {
    public static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    public static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    public static let catalog: ActionCatalog = {
        var workspace = Workspace()
        if let text = try? String(contentsOf: root.appendingPathComponent("workflows/actions.yaml"), encoding: .utf8) {
            workspace.add(source: text, file: "workflows/actions.yaml")
        }
        return workspace.catalog
    }()

    /// An attachment-like process: a task for the managers of `structure`, which `requester` may not decide.
    public static let attachmentTest = (
        file: "attach-test.yaml",
        text: """
        process: attach_test
        start: decide
        params:
          structure: { type: string, required: true }
          requester: { type: string, required: true }
        states:
          decide:
            approval:
              title: "Rattachement à {{ context.structure }}"
              assignees: { resolver: structure.managers, with: { structure_id: context.structure } }
              requester: context.requester
              outcomes:
                approve: approved
                reject:
                  goto: refused
                  comment: required
          approved:
            final: approved
          refused:
            final: refused
        """
    )
}

extension HTTPHarness where Domain == InMemoryDomain {
    /// Runs `body` with a running server on the in-memory domain, then stops it and closes the database client.
    public static func with(
        port: Int = 0, configuration: APIConfiguration = APIConfiguration(accessLogLevel: .debug),
        logger configuredLogger: Logger? = nil, _ body: @Sendable (APIHarness) async throws -> Void
    ) async throws {
        var logger = configuredLogger ?? Logger(label: "parcours.api.test")
        if configuredLogger == nil { logger.logLevel = .warning }
        let superuser = try await TestPostgres.freshDatabase(template: try await TestPostgres.migratedTemplate())
        let database = superuser.with(username: ServerRole.name, password: nil)
        let client = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
        let clock = ManualClock(start)
        let domain = InMemoryDomain(clock: clock)
        let examples = CatalogExamples(catalog: catalog)
        let runtime = Runtime(
            client: client, catalog: catalog, clock: clock, actions: examples, assignees: domain, sealer: .random(),
            logger: logger)
        try await serve(
            runtime: runtime, domain: domain, clock: clock, superuser: superuser, port: port,
            configuration: configuration, logger: logger,
            body)
    }
}

extension HTTPHarness {
    /// Creates a tenant, deploys workflows/ and the test process to it, and returns its administrator key.
    @discardableResult
    public func tenant(_ id: String) async throws -> String {
        let key = try await runtime.createTenant(id: id, name: id.uppercased())
        var sources: [(file: String, text: String)] = []
        let folder = Self.root.appendingPathComponent("workflows")
        for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
        where file.hasSuffix(".yaml") {
            sources.append(
                ("workflows/\(file)", try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)))
        }
        sources.append(Self.attachmentTest)
        _ = try await runtime.deploy(tenant: id, sources: sources)
        return key
    }

    // MARK: - HTTP

    /// Sends a request and reads the whole answer.
    public func request(
        _ method: String, _ path: String, token: String? = nil, json: Value? = nil, rawBody: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> HTTPResult {
        let result = try await HTTPResult.send(
            method, baseURL + path, token: token, json: json, rawBody: rawBody, headers: headers)
        recorder.record(method: method, path: path, result: result)
        return result
    }
}

/// A failure of the harness itself, with its explanation.
public struct HarnessError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// An HTTP answer: status, headers (names lower-cased), body.
public struct HTTPResult: Sendable, CustomStringConvertible {
    public var status: Int
    public var headers: [String: String]
    public var body: Data

    public var text: String { String(decoding: body, as: UTF8.self) }
    /// The body as JSON (`.null` when it is not).
    public var json: Value { (try? Value.parseJSON(text)) ?? .null }
    public var contentType: String { headers["content-type"] ?? "" }
    public var description: String { "\(status) \(text)" }

    static let session: URLSession = {
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = 30
        return URLSession(configuration: configuration)
    }()

    public static func send(
        _ method: String, _ url: String, token: String? = nil, json: Value? = nil, rawBody: String? = nil,
        headers: [String: String] = [:]
    ) async throws -> HTTPResult {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = method
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(json.jsonText().utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        } else if let rawBody {
            request.httpBody = Data(rawBody.utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        let (data, response) = try await session.data(for: request)
        let http = response as! HTTPURLResponse
        var fields: [String: String] = [:]
        for (name, value) in http.allHeaderFields {
            if let name = name as? String, let value = value as? String { fields[name.lowercased()] = value }
        }
        return HTTPResult(status: http.statusCode, headers: fields, body: data)
    }
}

/// A log handler that keeps every line, for tests that check what is logged (and what never is).
public struct CapturingLogHandler: LogHandler {
    public struct Line: Sendable {
        public var level: Logger.Level
        public var message: String
        public var metadata: [String: String]
    }

    /// The lines logged so far.
    public final class Store: Sendable {
        let lines = Mutex<[Line]>([])
        public init() {}
        public var all: [Line] { lines.withLock { $0 } }
    }

    public let store: Store
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public init(store: Store) { self.store = store }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = self.metadata.merging(event.metadata ?? [:]) { _, new in new }
        store.lines.withLock {
            $0.append(
                Line(level: event.level, message: event.message.description, metadata: merged.mapValues { "\($0)" }))
        }
    }
}
