import Foundation
import ParcoursDSL
import ParcoursEngine
import Testing

@testable import ParcoursRuntime

@Suite("Runtime: approval tasks and timers")
struct TaskAndTimerTests {
    /// An approval instance waiting for its managers.
    static func atDecision(_ fixture: RuntimeFixture, requester: String = "u-1") async throws -> InstanceView {
        try await fixture.tenant("acme", deploying: [TestProcesses.approval])
        let started = try await fixture.runtime.start(
            tenant: "acme", process: "approval", params: ["requester": .string(requester)])
        return try await fixture.runtime.send(
            tenant: "acme", instance: started.id, event: "submit",
            payload: ["email": "ann@example.org", "password": "Correct-Horse-42"], actor: requester)
    }

    @Test func tasksAreListedPerCandidateAndPaginated() async throws {
        try await RuntimeFixture.with { fixture in
            let first = try await Self.atDecision(fixture)
            for _ in 0..<4 {
                fixture.clock.advance(by: 60)
                let other = try await fixture.runtime.start(
                    tenant: "acme", process: "approval", params: ["requester": "u-2"])
                _ = try await fixture.runtime.send(
                    tenant: "acme", instance: other.id, event: "submit",
                    payload: ["email": "bob@example.org", "password": "Correct-Horse-42"])
            }
            let page1 = try await fixture.runtime.tasks(tenant: "acme", candidate: "manager-1", limit: 2)
            #expect(page1.items.count == 2)
            #expect(page1.items.first?.instanceId == first.id)
            #expect(page1.items.first?.title == "Rattacher ann@example.org")
            #expect(page1.items.first?.structureId == "s-1")
            let page2 = try await fixture.runtime.tasks(
                tenant: "acme", candidate: "manager-1", limit: 2, after: page1.next)
            let page3 = try await fixture.runtime.tasks(
                tenant: "acme", candidate: "manager-1", limit: 2, after: page2.next)
            #expect(page2.items.count == 2 && page3.items.count == 1 && page3.next == nil)
            let all = Set((page1.items + page2.items + page3.items).map(\.id))
            #expect(all.count == 5)
            #expect(try await fixture.runtime.tasks(tenant: "acme", candidate: "stranger").items.isEmpty)
            #expect(
                try await fixture.runtime.tasks(tenant: "acme", candidate: "manager-1", structure: "s-9").items.isEmpty)
        }
    }

    @Test func aTaskIsDecidedExactlyOnceEvenUnderConcurrency() async throws {
        try await RuntimeFixture.with { fixture in
            let waiting = try await Self.atDecision(fixture)
            let taskId = try #require(waiting.taskId)
            let runtime = fixture.runtime
            let results = await withTaskGroup(of: Result<TaskView, RuntimeError>.self) { group in
                for manager in ["manager-1", "manager-2", "manager-1", "manager-2"] {
                    group.addTask {
                        do {
                            return .success(
                                try await runtime.decide(
                                    tenant: "acme", task: taskId, outcome: "approve", comment: nil,
                                    by: .account(manager)))
                        } catch let error as RuntimeError {
                            return .failure(error)
                        } catch {
                            return .failure(RuntimeError(.actionFailed, "\(error)"))
                        }
                    }
                }
                var collected: [Result<TaskView, RuntimeError>] = []
                for await result in group { collected.append(result) }
                return collected
            }
            let wins = results.filter { if case .success = $0 { true } else { false } }
            let conflicts = results.compactMap { result -> RuntimeError? in
                if case .failure(let error) = result { return error }
                return nil
            }
            #expect(wins.count == 1)
            #expect(conflicts.count == 3 && conflicts.allSatisfy { $0.code == .conflict })
            let instance = try await runtime.instance(tenant: "acme", id: waiting.id)
            #expect(instance.outcome == "approved")
            let decided = try await runtime.task(tenant: "acme", id: taskId)
            #expect(decided.status == "decided" && decided.outcome == "approve")
            let history = try await runtime.history(tenant: "acme", instance: waiting.id)
            #expect(history.filter { $0.kind == "task_decided" }.count == 1)
        }
    }

    @Test func onlyCandidatesDecideAndNeverTheRequester() async throws {
        try await RuntimeFixture.with { fixture in
            let waiting = try await Self.atDecision(fixture, requester: "manager-1")
            let taskId = try #require(waiting.taskId)
            do {
                _ = try await fixture.runtime.decide(
                    tenant: "acme", task: taskId, outcome: "approve", comment: nil, by: .account("stranger"))
                Issue.record("a stranger decided")
            } catch let error as RuntimeError { #expect(error.code == .forbidden) }
            do {
                _ = try await fixture.runtime.decide(
                    tenant: "acme", task: taskId, outcome: "approve", comment: nil, by: .account("manager-1"))
                Issue.record("the requester decided their own request")
            } catch let error as RuntimeError { #expect(error.code == .forbidden) }
            do {
                _ = try await fixture.runtime.decide(
                    tenant: "acme", task: taskId, outcome: "reject", comment: nil, by: .account("manager-2"))
                Issue.record("a refusal without a comment was accepted")
            } catch let error as RuntimeError { #expect(error.rejection?.fieldErrors.map(\.field) == ["comment"]) }
            // Another tenant does not even see the task.
            try await fixture.tenant("other")
            do {
                _ = try await fixture.runtime.task(tenant: "other", id: taskId)
                Issue.record("a task crossed tenants")
            } catch let error as RuntimeError { #expect(error.code == .notFound) }
            let reassigned = try await fixture.runtime.reassign(
                tenant: "acme", task: taskId, to: ["manager-3"], by: "admin")
            #expect(reassigned.candidates == ["manager-3"])
            let refused = try await fixture.runtime.decide(
                tenant: "acme", task: taskId, outcome: "reject", comment: "Unknown person", by: .account("manager-3"))
            #expect(refused.status == "decided" && refused.comment == "Unknown person")
            let instance = try await fixture.runtime.instance(tenant: "acme", id: waiting.id)
            #expect(instance.outcome == "refused")
            #expect(instance.context["reason"] == "Unknown person")
            let kinds = try await fixture.runtime.history(tenant: "acme", instance: waiting.id).map(\.kind)
            #expect(
                kinds.contains("task_reassigned") && kinds.contains("task_decided") && kinds.contains("notification"))
        }
    }

    @Test func timersFireOnceWhenDueAndEscalate() async throws {
        try await RuntimeFixture.with { fixture in
            let waiting = try await Self.atDecision(fixture)
            let taskId = try #require(waiting.taskId)
            #expect(try await fixture.runtime.fireDueTimers() == 0)
            fixture.clock.advance(by: 8 * 86_400)
            #expect(try await fixture.runtime.fireDueTimers() == 1)
            #expect(try await fixture.runtime.fireDueTimers() == 0)
            let escalated = try await fixture.runtime.task(tenant: "acme", id: taskId)
            #expect(Set(escalated.candidates) == ["manager-1", "manager-2"])
            // A restart long after the deadline: the overdue timer fires on the first round.
            fixture.clock.advance(by: 60 * 86_400)
            #expect(try await fixture.runtime.fireDueTimers() == 1)
            let instance = try await fixture.runtime.instance(tenant: "acme", id: waiting.id)
            #expect(instance.outcome == "expired")
            let closed = try await fixture.runtime.task(tenant: "acme", id: taskId)
            #expect(closed.status == "closed")
            let remaining = try await fixture.superuserQuery("SELECT count(*)::text FROM timers")
            #expect(remaining == ["0"])
        }
    }

    @Test func leavingAStateCancelsItsTimers() async throws {
        try await RuntimeFixture.with { fixture in
            let waiting = try await Self.atDecision(fixture)
            #expect(try await fixture.superuserQuery("SELECT count(*)::text FROM timers") == ["2"])
            _ = try await fixture.runtime.decide(
                tenant: "acme", task: try #require(waiting.taskId), outcome: "approve", comment: nil,
                by: .account("manager-2"))
            #expect(try await fixture.superuserQuery("SELECT count(*)::text FROM timers") == ["0"])
            fixture.clock.advance(by: 90 * 86_400)
            #expect(try await fixture.runtime.fireDueTimers() == 0)
        }
    }
}
