import Foundation
import Logging
import ParcoursAPI
import ParcoursAPITestSupport
import ParcoursDSL
import ParcoursRuntime
import PostgresNIO
import Testing
import Yams

@Suite("API: the OpenAPI document")
struct OpenAPIDocumentTests {
    static let documentURL = APIHarness.root.appendingPathComponent("docs/openapi.yaml")

    /// The router's routes as `METHOD /path/{param}`.
    static func routerOperations() throws -> Set<String> {
        let logger = Logger(label: "parcours.test")
        // Never run: the router only needs a runtime to capture.
        let client = PostgresClient(
            configuration: .init(
                host: "127.0.0.1", port: 1, username: "nobody", password: nil, database: nil, tls: .disable),
            backgroundLogger: logger)
        let examples = CatalogExamples(catalog: APIHarness.catalog)
        let runtime = Runtime(
            client: client, catalog: APIHarness.catalog, actions: examples, assignees: examples, sealer: .random(),
            logger: logger)
        let router = ParcoursServer.router(
            runtime: runtime, domain: InMemoryDomain(clock: ManualClock(APIHarness.start)))
        return Set(
            router.routes.map { route in
                let path = route.path.description
                return "\(route.method.rawValue) \(path.hasPrefix("/") ? path : "/" + path)"
            })
    }

    /// The document's operations as `METHOD /path/{param}`.
    static func documentOperations() throws -> Set<String> {
        let text = try String(contentsOf: documentURL, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let paths = try #require(document["paths"] as? [String: Any])
        var operations: Set<String> = []
        for (path, item) in paths {
            for method in (item as? [String: Any] ?? [:]).keys
            where ["get", "post", "put", "patch", "delete"].contains(method) {
                operations.insert("\(method.uppercased()) \(path)")
            }
        }
        return operations
    }

    @Test func everyRouteIsDocumentedAndEveryDocumentedRouteExists() throws {
        let routes = try Self.routerOperations()
        let documented = try Self.documentOperations()
        #expect(routes.count > 20)
        #expect(routes.subtracting(documented).sorted() == [], "routes missing from docs/openapi.yaml")
        #expect(documented.subtracting(routes).sorted() == [], "documented routes the router does not have")
    }

    @Test func theServedDocumentIsTheCommittedOne() throws {
        let committed = try String(contentsOf: Self.documentURL, encoding: .utf8)
        #expect(ParcoursServer.openAPIDocument == committed)
        #expect(committed.hasPrefix("openapi: 3.1.0"))
    }

    /// Every `$ref` points at something, and every operation documents its answers.
    @Test func theDocumentIsConsistent() throws {
        let text = try String(contentsOf: Self.documentURL, encoding: .utf8)
        let document = try #require(try Yams.load(yaml: text) as? [String: Any])
        let components = try #require(document["components"] as? [String: Any])
        var references: Set<String> = []
        func collect(_ node: Any) {
            if let object = node as? [String: Any] {
                if let reference = object["$ref"] as? String { references.insert(reference) }
                object.values.forEach(collect)
            } else if let list = node as? [Any] {
                list.forEach(collect)
            }
        }
        collect(document)
        for reference in references {
            let parts = reference.split(separator: "/").map(String.init)
            #expect(parts.count == 4 && parts[0] == "#" && parts[1] == "components", "\(reference)")
            let section = components[parts[2]] as? [String: Any]
            #expect(section?[parts[3]] != nil, "dangling \(reference)")
        }
        let paths = try #require(document["paths"] as? [String: Any])
        for (path, item) in paths {
            for (method, operation) in item as? [String: Any] ?? [:] where method != "parameters" {
                let responses = (operation as? [String: Any])?["responses"] as? [String: Any]
                #expect(responses?.isEmpty == false, "\(method) \(path) has no responses")
                let operationId = (operation as? [String: Any])?["operationId"] as? String
                #expect(operationId != nil, "\(method) \(path) has no operationId")
            }
        }
    }

    /// The checker of the tests' answers finds what does not match (every API test runs it on its answers).
    @Test func theResponseCheckerFindsWhatDoesNotMatch() throws {
        let recorder = ResponseRecorder()
        recorder.record(
            method: "GET", path: "/v1/tenants/acme/tasks/t-1", status: 200, contentType: "application/json",
            body: #"{"id": 42}"#)
        recorder.record(
            method: "GET", path: "/v1/tenants/acme/tasks?limit=1", status: 418, contentType: "application/json",
            body: "{}")
        recorder.record(
            method: "DELETE", path: "/v1/tenants/acme/sessions/current", status: 204, contentType: "", body: "")
        recorder.record(
            method: "GET", path: "/healthz", status: 200, contentType: "application/json", body: #"{"status":"ok"}"#)
        let problems = try recorder.problems()
        #expect(problems.contains { $0.contains("GET /v1/tenants/acme/tasks/t-1 200") && $0.contains("42") })
        #expect(problems.contains { $0.contains("418: status not documented") })
        #expect(problems.count >= 2 && !problems.contains { $0.contains("healthz") || $0.contains("DELETE") })
    }
}
