import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import PostgresNIO
import Testing

@testable import ParcoursRuntime

@Suite("Runtime on PostgreSQL")
struct RuntimeTests {
    @Test func tenantsGetAKeyShownOnceAndStoredAsAHash() async throws {
        try await RuntimeFixture.with { fixture in
            let key = try await fixture.runtime.createTenant(id: "acme", name: "ACME")
            #expect(key.hasPrefix("pk_acme_"))
            #expect(try await fixture.runtime.tenant(forAdminKey: key) == "acme")
            #expect(try await fixture.runtime.tenant(forAdminKey: key + "x") == nil)
            let stored = try await fixture.superuserQuery("SELECT key_hash FROM tenant_keys")
            #expect(stored.count == 1 && !stored[0].contains(key))
            await #expect(throws: RuntimeError.self) {
                _ = try await fixture.runtime.createTenant(id: "acme", name: "x")
            }
            await #expect(throws: RuntimeError.self) {
                _ = try await fixture.runtime.createTenant(id: "Bad Name", name: "x")
            }
        }
    }

    @Test func deployChecksFirstAndVersionsOnlyChanges() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme")
            let broken = (
                file: "broken.yaml", text: "process: broken\nstart: nowhere\nstates:\n  a:\n    final: success\n"
            )
            do {
                _ = try await fixture.runtime.deploy(tenant: "acme", sources: [broken])
                Issue.record("a broken definition was deployed")
            } catch let error as RuntimeError {
                #expect(error.code == .invalidDefinition)
                #expect(
                    error.diagnostics.map(\.description).contains(
                        "broken.yaml:2:8: error: the start state 'nowhere' is not defined"))
            }
            #expect(try await fixture.runtime.versions(tenant: "acme").isEmpty)
            let first = try await fixture.runtime.deploy(tenant: "acme", sources: [TestProcesses.counter])
            #expect(first.processes == [DeployedProcess(process: "counter", version: 1, created: true)])
            let again = try await fixture.runtime.deploy(tenant: "acme", sources: [TestProcesses.counter])
            #expect(again.processes == [DeployedProcess(process: "counter", version: 1, created: false)])
            let started = try await fixture.runtime.start(tenant: "acme", process: "counter", params: [:])
            let changed = (
                file: "counter.yaml", text: TestProcesses.counter.text + "\n# a comment changes the content\n"
            )
            let second = try await fixture.runtime.deploy(tenant: "acme", sources: [changed])
            #expect(second.processes == [DeployedProcess(process: "counter", version: 2, created: true)])
            // The running instance keeps the version it started with.
            let view = try await fixture.runtime.instance(tenant: "acme", id: started.id)
            #expect(view.value[member: "version"] == 1)
            let newer = try await fixture.runtime.start(tenant: "acme", process: "counter", params: [:])
            #expect(newer.value[member: "version"] == 2)
        }
    }

    @Test func aTenantFileOverridesTheSettingsOfItsTenantOnly() async throws {
        try await RuntimeFixture.with { fixture in
            let process = (
                file: "wait.yaml",
                text: """
                process: wait
                start: waiting
                settings:
                  validity: P30D
                states:
                  waiting:
                    on:
                      go: { goto: done }
                    timers:
                      - after: settings.validity
                        goto: done
                  done:
                    final: success
                """
            )
            let tenantFile = (file: "acme.yaml", text: "tenant: acme\nsettings:\n  wait:\n    validity: P2D\n")
            try await fixture.tenant("acme")
            try await fixture.tenant("other")
            let result = try await fixture.runtime.deploy(tenant: "acme", sources: [process, tenantFile])
            #expect(result.settingsApplied == ["wait"])
            _ = try await fixture.runtime.deploy(tenant: "other", sources: [process, tenantFile])
            let acme = try await fixture.runtime.start(tenant: "acme", process: "wait", params: [:])
            let other = try await fixture.runtime.start(tenant: "other", process: "wait", params: [:])
            let acmeDue = acme.value[member: "waiting"][member: "timers"].listValue?.first?[member: "due_at"]
            let otherDue = other.value[member: "waiting"][member: "timers"].listValue?.first?[member: "due_at"]
            #expect(acmeDue == .date(RuntimeFixture.start.addingTimeInterval(2 * 86_400)))
            #expect(otherDue == .date(RuntimeFixture.start.addingTimeInterval(30 * 86_400)))
        }
    }

    @Test func eventsApplyAndRejectedOnesChangeNothing() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.approval])
            let started = try await fixture.runtime.start(
                tenant: "acme", process: "approval", params: ["requester": "u-1"])
            #expect(started.state == "ask")
            #expect(started.expectedEvents == ["submit"])
            do {
                _ = try await fixture.runtime.send(
                    tenant: "acme", instance: started.id, event: "submit", payload: ["email": "nope"])
                Issue.record("an invalid payload was accepted")
            } catch let error as RuntimeError {
                #expect(error.code == .rejected)
                #expect(Set(error.rejection?.fieldErrors.map(\.field) ?? []) == ["email", "password"])
            }
            let unchanged = try await fixture.runtime.instance(tenant: "acme", id: started.id)
            #expect(unchanged.revision == started.revision)
            let sent = try await fixture.runtime.send(
                tenant: "acme", instance: started.id, event: "submit",
                payload: ["email": "Ann@Example.org", "password": "Correct-Horse-42"], actor: "u-1")
            #expect(sent.state == "decide")
            #expect(sent.taskId != nil)
            let history = try await fixture.runtime.history(tenant: "acme", instance: started.id)
            #expect(history.map(\.kind).starts(with: ["event", "transition", "event", "transition", "action"]))
            #expect(history.contains { $0.kind == "task_opened" })
            #expect(history.contains { $0.details[member: "password"] == "***" })
        }
    }

    /// The pool keeps no keep-alive (`DatabaseConfiguration.clientConfiguration()`): connections the server closed
    /// while idle are dropped or, when one is lent before its close is noticed, its transaction begins on another.
    @Test func eventsGoOnAfterTheServerClosedEveryIdleConnection() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.counter])
            let started = try await fixture.runtime.start(tenant: "acme", process: "counter", params: [:])
            for round in 1...3 {
                // Several connections in the pool, then all of them closed by the server.
                try await withThrowingTaskGroup(of: Void.self) { group in
                    for _ in 0..<4 {
                        group.addTask {
                            try await fixture.runtime.inTenant("acme") { connection in
                                try await connection.run("SELECT pg_sleep(0.05)", logger: fixture.logger)
                            }
                        }
                    }
                    try await group.waitForAll()
                }
                let closed = try await fixture.superuserQuery(
                    """
                    SELECT pg_terminate_backend(pid)::text FROM pg_stat_activity
                    WHERE usename = '\(ServerRole.name)' AND datname = current_database()
                    """)
                #expect(!closed.isEmpty && closed.allSatisfy { $0 == "true" })
                let sent = try await fixture.runtime.send(
                    tenant: "acme", instance: started.id, event: "bump", payload: [:])
                #expect(sent.context["count"] == .number(Double(round)))
            }
        }
    }

    @Test func secretsNeverReachTheDatabaseInClear() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.approval])
            let started = try await fixture.runtime.start(
                tenant: "acme", process: "approval", params: ["requester": "u-1"])
            _ = try await fixture.runtime.send(
                tenant: "acme", instance: started.id, event: "submit",
                payload: ["email": "ann@example.org", "password": "Correct-Horse-42"])
            let tables = ["instances", "history", "tasks", "timers", "outbox", "idempotency_keys"]
            for table in tables {
                let dump = try await fixture.superuserQuery(
                    "SELECT coalesce(string_agg(t::text, ' '), '') FROM \(table) t")
                #expect(!dump.joined().contains("Correct-Horse-42"), "password in \(table)")
                #expect(!dump.joined().contains("SECRET-TOKEN-123"), "token in \(table)")
            }
            // The activation link waits in the outbox sealed, and opens with the runtime's key.
            let sealed = try await fixture.superuserQuery(
                "SELECT sealed_params FROM outbox WHERE template = 'activation'")
            let opened = try fixture.runtime.sealer.open(try #require(sealed.first))
            #expect(opened[member: "link"] == "https://example.org/activate/SECRET-TOKEN-123")
        }
    }

    @Test func rowLevelSecurityHidesOtherTenantsEvenWithoutAFilter() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.counter])
            try await fixture.tenant("other", deploying: [TestProcesses.counter])
            _ = try await fixture.runtime.start(tenant: "acme", process: "counter", params: [:])
            _ = try await fixture.runtime.start(tenant: "other", process: "counter", params: [:])
            let client = fixture.runtime.client
            let logger = fixture.logger
            // No tenant set: nothing is visible.
            let noTenant = try await client.withTransaction(logger: logger) { connection in
                try await Self.count("SELECT count(*) FROM instances", on: connection)
            }
            #expect(noTenant == 0)
            // Tenant acme set: a query without any tenant filter sees acme's rows only, and cannot touch other's.
            try await client.withTransaction(logger: logger) { connection in
                try await connection.query("SELECT set_config('parcours.tenant', 'acme', true)", logger: logger)
                #expect(try await Self.count("SELECT count(*) FROM instances", on: connection) == 1)
                #expect(try await Self.count("SELECT count(*) FROM definitions", on: connection) == 1)
                let updated = try await Self.count(
                    "WITH u AS (UPDATE instances SET state = 'hacked' WHERE tenant_id = 'other' RETURNING 1) SELECT count(*) FROM u",
                    on: connection)
                #expect(updated == 0)
            }
            // Writing a row for another tenant is refused by the policy.
            await #expect(throws: (any Error).self) {
                try await client.withTransaction(logger: logger) { connection in
                    try await connection.query("SELECT set_config('parcours.tenant', 'acme', true)", logger: logger)
                    try await connection.query(
                        "INSERT INTO tenant_settings (tenant_id, process, settings) VALUES ('other', 'counter', '{}')",
                        logger: logger)
                }
            }
            let otherStates = try await fixture.superuserQuery(
                "SELECT state FROM instances WHERE tenant_id = 'other'")
            #expect(otherStates == ["counting"])
            // The server role neither owns the tables nor bypasses row-level security.
            let role = try await fixture.superuserQuery(
                "SELECT rolbypassrls::text || rolsuper::text FROM pg_roles WHERE rolname = 'parcours_server'")
            #expect(role == ["falsefalse"])
            let owners = try await fixture.superuserQuery(
                "SELECT DISTINCT tableowner FROM pg_tables WHERE schemaname = 'public' AND tablename = 'instances'")
            #expect(owners != ["parcours_server"])
        }
    }

    static func count(_ sql: String, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: Logger(label: "count"))
        for try await (value) in rows.decode(Int.self) { return value }
        return -1
    }

    @Test func idempotencyKeysReplayTheFirstResult() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.counter])
            let first = try await fixture.runtime.start(
                tenant: "acme", process: "counter", params: [:], idempotencyKey: "k1")
            let replay = try await fixture.runtime.start(
                tenant: "acme", process: "counter", params: [:], idempotencyKey: "k1")
            #expect(first == replay)
            #expect(try await fixture.runtime.instances(tenant: "acme").count == 1)
            let bumped = try await fixture.runtime.send(
                tenant: "acme", instance: first.id, event: "bump", payload: [:], idempotencyKey: "k2")
            let bumpedAgain = try await fixture.runtime.send(
                tenant: "acme", instance: first.id, event: "bump", payload: [:], idempotencyKey: "k2")
            #expect(bumped == bumpedAgain)
            #expect(try await fixture.runtime.instance(tenant: "acme", id: first.id).context["count"] == 1)
            do {
                _ = try await fixture.runtime.send(
                    tenant: "acme", instance: first.id, event: "stop", payload: [:], idempotencyKey: "k2")
                Issue.record("a reused key with another request was accepted")
            } catch let error as RuntimeError {
                #expect(error.code == .idempotencyMismatch)
            }
        }
    }

    @Test func concurrentEventsOnOneInstanceAreNeitherLostNorDoubled() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.counter])
            let started = try await fixture.runtime.start(tenant: "acme", process: "counter", params: [:])
            let runtime = fixture.runtime
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<24 {
                    group.addTask {
                        _ = try await runtime.send(tenant: "acme", instance: started.id, event: "bump", payload: [:])
                    }
                }
                try await group.waitForAll()
            }
            let view = try await runtime.instance(tenant: "acme", id: started.id)
            #expect(view.context["count"] == 24)
            #expect(view.revision == started.revision + 24)
        }
    }
}
