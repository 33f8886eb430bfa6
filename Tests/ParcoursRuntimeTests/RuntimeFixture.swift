import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import ParcoursTestSupport
import PostgresNIO
import Testing

@testable import ParcoursRuntime

/// A migrated database of its own, a runtime connected to it as the server role, and a manual clock.
struct RuntimeFixture: Sendable {
    let runtime: Runtime
    let clock: ManualClock
    let database: DatabaseConfiguration
    let superuser: DatabaseConfiguration
    let logger: Logger

    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

    /// The catalogue of workflows/, plus the test processes' own actions.
    static let catalog: ActionCatalog = {
        var workspace = Workspace()
        if let text = try? String(contentsOf: root.appendingPathComponent("workflows/actions.yaml"), encoding: .utf8) {
            workspace.add(source: text, file: "workflows/actions.yaml")
        }
        workspace.add(source: testCatalog, file: "test-actions.yaml")
        return workspace.catalog
    }()

    static let testCatalog = """
        actions:
          test.issue_link:
            input: { account: { type: string, required: true } }
            output: { link: secret }
            example: { link: "https://example.org/activate/SECRET-TOKEN-123" }
        assignees:
          test.managers:
            input: { structure_id: { type: string, required: true } }
            example: [manager-1, manager-2]
        """

    /// Runs `body` with a fresh database and a running client, and closes everything afterwards.
    static func with(
        actions: (any ActionPerforming)? = nil, _ body: @Sendable (RuntimeFixture) async throws -> Void
    ) async throws {
        let logger = Logger(label: "parcours.test")
        let superuser = try await TestPostgres.freshDatabase(template: try await migratedTemplate())
        let database = superuser.with(username: ServerRole.name, password: nil)
        let client = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
        let clock = ManualClock(start)
        let examples = CatalogExamples(catalog: catalog)
        let runtime = Runtime(
            client: client, catalog: catalog, clock: clock, actions: actions ?? examples, assignees: examples,
            sealer: .random(), logger: logger)
        let fixture = RuntimeFixture(
            runtime: runtime, clock: clock, database: database, superuser: superuser, logger: logger)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            try await body(fixture)
        }
    }

    /// The migrated template database, built once per test process.
    static func migratedTemplate() async throws -> String {
        try await TestPostgres.migratedTemplate()
    }

    /// Runs SQL as the superuser (to look behind row-level security in tests).
    func superuserQuery(_ sql: String) async throws -> [String] {
        let connection = try await PostgresConnection.connect(
            configuration: try superuser.connectionConfiguration(), id: 2, logger: logger)
        var result: [String] = []
        do {
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: logger)
            for try await (text) in rows.decode(String?.self) { result.append(text ?? "") }
        } catch {
            try? await connection.close()
            throw error
        }
        try await connection.close()
        return result
    }

    /// Creates a tenant and deploys sources to it.
    func tenant(_ id: String, deploying sources: [(file: String, text: String)] = []) async throws {
        _ = try await runtime.createTenant(id: id, name: id.uppercased())
        if !sources.isEmpty { _ = try await runtime.deploy(tenant: id, sources: sources) }
    }
}

/// Small processes for runtime tests.
enum TestProcesses {
    static let counter = (
        file: "counter.yaml",
        text: """
        process: counter
        start: counting
        context:
          count: number
        states:
          counting:
            set: { count: "context.count ?? 0" }
            on:
              bump:
                goto: counting
                set: { count: "(context.count ?? 0) + 1" }
              stop:
                goto: done
          done:
            final: success
        """
    )

    static let approval = (
        file: "approval.yaml",
        text: """
        process: approval
        start: ask
        params:
          requester: { type: string, required: true }
        context:
          reason: string?
        notifications:
          activation:
            params: { link: secret }
            subject: Activez votre compte
            body: "Cliquez : {{ link }}"
          refused:
            params: { reason: string }
            subject: Refus
            body: "Motif : {{ reason }}"
        states:
          ask:
            on:
              submit:
                fields:
                  email: { type: email, required: true }
                  password: { type: password, required: true }
                goto: issue
          issue:
            action: test.issue_link
            with: { account: context.email }
            goto: decide
            notify:
              - template: activation
                to: context.email
                with: { link: result.link }
          decide:
            approval:
              title: "Rattacher {{ context.email }}"
              assignees: { resolver: test.managers, with: { structure_id: "'s-1'" } }
              requester: context.requester
              outcomes:
                approve: approved
                reject:
                  goto: refused
                  comment: required
                  set: { reason: decision.comment }
            timers:
              - after: P7D
                escalate: { resolver: test.managers, with: { structure_id: "'admins'" } }
              - after: P30D
                goto: expired
          approved:
            final: approved
          refused:
            final: refused
            notify:
              - template: refused
                to: context.email
                with: { reason: context.reason }
          expired:
            final: expired
        """
    )
}
