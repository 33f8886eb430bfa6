import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import PostgresNIO
import Testing

@testable import ParcoursRuntime

/// Events whose step only moves the instance are applied in one statement from the instance this process last
/// committed (`Runtime.applyFromCache`, the procedure of db/005_apply_event_call.sql with the statements of
/// db/004_apply_event.sql since db/006); anything else, or a stale entry, takes the locking path. Either way the result must be the same.
@Suite("Runtime: events applied in one statement")
struct ApplyFromCacheTests {
    /// A second runtime on the same database: another `serve` process, with its own cache.
    static func otherRuntime(_ fixture: RuntimeFixture) -> Runtime {
        let examples = CatalogExamples(catalog: RuntimeFixture.catalog)
        return Runtime(
            client: fixture.runtime.client, catalog: RuntimeFixture.catalog, clock: fixture.clock, actions: examples,
            assignees: examples, sealer: fixture.runtime.sealer, logger: fixture.logger)
    }

    static func fromCache(_ runtime: Runtime) -> Int { runtime.eventsAppliedFromCache.load(ordering: .relaxed) }

    /// History numbered 1, 2, 3… with no gap, each event followed by its transition.
    static func expectWellFormedHistory(_ history: [HistoryEntry], events: Int) {
        #expect(history.map(\.seq) == Array(1...history.count))
        let bumps = history.filter { $0.kind == "event" && $0.event == "bump" }
        #expect(bumps.count == events)
        for (index, entry) in history.enumerated() where entry.kind == "event" && entry.event == "bump" {
            #expect(history[index + 1].kind == "transition" && history[index + 1].event == "bump")
        }
    }

    @Test func repeatedEventsApplyInOneStatementAndReadBackAsTheyWereReturned() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.counter])
            let runtime = fixture.runtime
            let started = try await runtime.start(tenant: "acme", process: "counter", params: [:])
            for count in 1...5 {
                let sent = try await runtime.send(
                    tenant: "acme", instance: started.id, event: "bump", payload: [:], actor: "u-1")
                #expect(sent.context["count"] == .number(Double(count)))
                let read = try await runtime.instance(tenant: "acme", id: started.id)
                #expect(read.value == sent.value)
            }
            // The first event found no cache entry (a start does not leave one); the four others used it.
            #expect(Self.fromCache(runtime) == 4)
            let history = try await runtime.history(tenant: "acme", instance: started.id)
            Self.expectWellFormedHistory(history, events: 5)
            #expect(history.filter { $0.event == "bump" }.allSatisfy { $0.actor == "u-1" })
            // Leaving for the final state ends the instance: that takes the locking path, and is applied.
            let stopped = try await runtime.send(tenant: "acme", instance: started.id, event: "stop", payload: [:])
            #expect(stopped.status == "finished")
            #expect(Self.fromCache(runtime) == 4)
        }
    }

    @Test func aStaleEntryNeverApplies() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.counter])
            let first = fixture.runtime
            let second = Self.otherRuntime(fixture)
            let started = try await first.start(tenant: "acme", process: "counter", params: [:])
            // Each runtime's entry is stale whenever the other one has written since.
            for count in 1...8 {
                let runtime = count.isMultiple(of: 2) ? second : first
                let sent = try await runtime.send(tenant: "acme", instance: started.id, event: "bump", payload: [:])
                #expect(sent.context["count"] == .number(Double(count)))
            }
            // Two in a row on the same runtime: the second one may use its entry.
            _ = try await first.send(tenant: "acme", instance: started.id, event: "bump", payload: [:])
            _ = try await first.send(tenant: "acme", instance: started.id, event: "bump", payload: [:])
            #expect(Self.fromCache(first) >= 1)
            let read = try await first.instance(tenant: "acme", id: started.id)
            #expect(read.context["count"] == .number(10))
            Self.expectWellFormedHistory(try await first.history(tenant: "acme", instance: started.id), events: 10)
        }
    }

    @Test func concurrentEventsOnOneInstanceAreEachAppliedOnce() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.counter])
            let runtimes = [fixture.runtime, Self.otherRuntime(fixture)]
            let started = try await fixture.runtime.start(tenant: "acme", process: "counter", params: [:])
            for runtime in runtimes {
                _ = try await runtime.send(tenant: "acme", instance: started.id, event: "bump", payload: [:])
            }
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<24 {
                    group.addTask {
                        _ = try await runtimes[index % 2].send(
                            tenant: "acme", instance: started.id, event: "bump", payload: [:])
                    }
                }
                try await group.waitForAll()
            }
            let read = try await fixture.runtime.instance(tenant: "acme", id: started.id)
            #expect(read.context["count"] == .number(26))
            Self.expectWellFormedHistory(
                try await fixture.runtime.history(tenant: "acme", instance: started.id), events: 26)
        }
    }

    @Test func rejectionsAndStepsWithEffectsTakeTheLockingPath() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.approval, TestProcesses.counter])
            let runtime = fixture.runtime
            let counter = try await runtime.start(tenant: "acme", process: "counter", params: [:])
            _ = try await runtime.send(tenant: "acme", instance: counter.id, event: "bump", payload: [:])
            // An unknown event is rejected against the locked instance, as always.
            await #expect(throws: RuntimeError.self) {
                _ = try await runtime.send(tenant: "acme", instance: counter.id, event: "nope", payload: [:])
            }
            let approval = try await runtime.start(tenant: "acme", process: "approval", params: ["requester": "u-1"])
            let submitted = try await runtime.send(
                tenant: "acme", instance: approval.id, event: "submit",
                payload: ["email": "ann@example.org", "password": "Correct-Horse-42"], actor: "u-1")
            // The step called an action and opened a task: none of it could be one statement.
            #expect(submitted.state == "decide" && submitted.taskId != nil)
            #expect(Self.fromCache(runtime) == 0)
            // A change made by another path (here, straight in the database) makes the entry stale: the event
            // takes the locking path and sees the change.
            _ = try await fixture.superuserQuery(
                """
                UPDATE instances SET context = '{"count": 41}', revision = revision + 1
                WHERE instance_id = '\(counter.id)' RETURNING 'x'
                """)
            let bumped = try await runtime.send(tenant: "acme", instance: counter.id, event: "bump", payload: [:])
            #expect(bumped.context["count"] == .number(42))
            #expect(Self.fromCache(runtime) == 0)
        }
    }

    @Test func aDatabaseWithoutTheFunctionFallsBackToTheLockingPath() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.counter])
            let runtime = fixture.runtime
            let started = try await runtime.start(tenant: "acme", process: "counter", params: [:])
            _ = try await runtime.send(tenant: "acme", instance: started.id, event: "bump", payload: [:])
            // As if this server had started before `parcours migrate` brought db/005.
            _ = try await fixture.superuserQuery(
                """
                ALTER PROCEDURE parcours_apply_event_checked(text, text, bigint, text, text, text, text, text, integer,
                    text, timestamptz, timestamptz[], text[], text[], text[], text[], text[], text[])
                RENAME TO parcours_apply_event_checked_gone
                """)
            for count in 2...4 {
                let sent = try await runtime.send(tenant: "acme", instance: started.id, event: "bump", payload: [:])
                #expect(sent.context["count"] == .number(Double(count)))
            }
            #expect(Self.fromCache(runtime) == 0)
            let unavailable = runtime.applyEventUnavailable.load(ordering: .relaxed)
            #expect(unavailable)
            Self.expectWellFormedHistory(try await runtime.history(tenant: "acme", instance: started.id), events: 4)
        }
    }

    @Test func theStatementRefusesAStaleRevisionAndChangesNothing() async throws {
        try await RuntimeFixture.with { fixture in
            try await fixture.tenant("acme", deploying: [TestProcesses.counter])
            let started = try await fixture.runtime.start(tenant: "acme", process: "counter", params: [:])
            let before = try await fixture.superuserQuery(
                "SELECT revision::text || ' ' || state || ' ' || context::text FROM instances WHERE instance_id = '\(started.id)'"
            )
            let call = """
                CALL parcours_apply_event_checked('acme', '\(started.id)', %@, 'elsewhere', 'waiting', NULL, '{}', '{}', 9,
                    '{"timers": []}', now(), ARRAY[now()], ARRAY['event'], ARRAY['bump'], ARRAY['counting'],
                    ARRAY[NULL]::text[], ARRAY[NULL]::text[], ARRAY['{}'])
                """
            do {
                _ = try await fixture.superuserQuery(call.replacingOccurrences(of: "%@", with: "41"))
                Issue.record("a stale revision was applied")
            } catch {
                #expect(Runtime.sqlState(error) == "40001", "\(String(reflecting: error))")
            }
            let after = try await fixture.superuserQuery(
                "SELECT revision::text || ' ' || state || ' ' || context::text FROM instances WHERE instance_id = '\(started.id)'"
            )
            #expect(after == before)
            let history = try await fixture.runtime.history(tenant: "acme", instance: started.id)
            #expect(!history.contains { $0.to == "elsewhere" || $0.from == "elsewhere" })
            // At the instance's revision (1, just started) the same call applies.
            _ = try await fixture.superuserQuery(call.replacingOccurrences(of: "%@", with: "1"))
            let applied = try await fixture.superuserQuery(
                "SELECT revision::text || ' ' || state FROM instances WHERE instance_id = '\(started.id)'")
            #expect(applied == ["2 elsewhere"])
        }
    }

    @Test func theCacheKeepsToItsBounds() {
        func instance(_ id: String) -> StoredInstance {
            StoredInstance(
                state: InstanceState(
                    id: id, process: "p", state: "s", outcome: nil, context: [:], settings: [:],
                    startedAt: Date(timeIntervalSince1970: 0), entries: 0, waits: .object([:]), output: [:]),
                version: 1, parentId: nil, revision: 1, isNew: false)
        }
        let cache = InstanceCache(capacity: 3, byteBudget: 100, largestEntry: 60)
        cache.put(tenant: "t", instance("a"), bytes: 10)
        cache.put(tenant: "t", instance("b"), bytes: 10)
        cache.put(tenant: "t", instance("a"), bytes: 20)  // replacing an entry evicts nothing else
        #expect(cache.usage.count == 2 && cache.usage.bytes == 30)
        cache.put(tenant: "u", instance("a"), bytes: 10)  // another tenant, another entry
        cache.put(tenant: "t", instance("c"), bytes: 10)  // a fourth: one goes
        #expect(cache.usage.count == 3)
        cache.put(tenant: "t", instance("big"), bytes: 61)  // larger than an entry may be: not kept
        #expect(cache.get(tenant: "t", instance: "big") == nil)
        cache.put(tenant: "t", instance("d"), bytes: 60)  // over the byte budget: others go
        #expect(cache.get(tenant: "t", instance: "d") != nil)
        #expect(cache.usage.bytes <= 100)
        cache.remove(tenant: "t", instance: "d")
        #expect(cache.get(tenant: "t", instance: "d") == nil)
        #expect(cache.usage.bytes <= 40)

        // Kept again after an event: replaced in place, the new state and size counted once.
        let replacing = InstanceCache(capacity: 3, byteBudget: 100, largestEntry: 60)
        replacing.put(tenant: "t", instance("a"), bytes: 30)
        replacing.put(tenant: "t", instance("b"), bytes: 30)
        var moved = instance("a")
        moved.revision = 2
        replacing.put(tenant: "t", moved, bytes: 40)
        #expect(replacing.get(tenant: "t", instance: "a")?.revision == 2)
        #expect(replacing.usage.count == 2 && replacing.usage.bytes == 70)
        // Grown past the byte budget: the others go, the entry stays.
        replacing.put(tenant: "t", instance("c"), bytes: 20)
        moved.revision = 3
        replacing.put(tenant: "t", moved, bytes: 60)
        #expect(replacing.get(tenant: "t", instance: "a")?.revision == 3)
        #expect(replacing.usage.bytes <= 100 && replacing.usage.bytes >= 60)
        // Grown past the largest entry: no longer kept.
        replacing.put(tenant: "t", moved, bytes: 61)
        #expect(replacing.get(tenant: "t", instance: "a") == nil)
        #expect(replacing.usage.bytes <= 40)
    }
}
