import Foundation
import ParcoursDSL
import ParcoursEngine
import Testing

@Suite("Interpreter")
struct InterpreterTests {
    let interpreter: Interpreter

    init() throws { interpreter = try membershipInterpreter() }

    func started() throws -> InstanceState {
        try interpreter.start(id: "i1", params: [:], now: t0).step().instance
    }

    @Test func startEntersTheStartStateAndAppliesParamDefaults() throws {
        let step = try interpreter.start(id: "i1", params: [:], now: t0).step()
        #expect(step.instance.state == "identify")
        #expect(step.instance.status == .waiting)
        #expect(step.instance.context["channel"] == "web")
        #expect(step.instance.settings["validity"] == .duration(ISODuration(days: 30)))
        #expect(step.transitions.map(\.to) == ["identify"])
    }

    @Test func tenantOverridesReplaceDefaultsButUnknownSettingsAreIgnored() throws {
        let step = try interpreter.start(
            id: "i1", params: [:], settings: ["validity": .duration(ISODuration(days: 2)), "nope": 1], now: t0
        ).step()
        #expect(step.instance.settings["validity"] == .duration(ISODuration(days: 2)))
        #expect(step.instance.settings["nope"] == nil)
    }

    @Test func invalidParamsAreRejected() throws {
        let rejection = interpreter.start(id: "i1", params: ["channel": "fax"], now: t0).rejection()
        #expect(rejection?.code == .invalidPayload)
        #expect(rejection?.fieldErrors.map(\.field) == ["channel"])
    }

    @Test func aRejectedPayloadReportsEveryFieldAndChangesNothing() throws {
        let instance = try started()
        let result = interpreter.handle(
            .submit(
                name: "submit",
                payload: ["email": "not-an-email", "email_confirmation": "x@y.fr", "siret": "12345678901234", "zip": 1]),
            to: instance, now: t0)
        let rejection = try #require(result.rejection())
        #expect(rejection.code == .invalidPayload)
        #expect(Set(rejection.fieldErrors.map(\.field)) == ["email", "siret", "zip"])
        #expect(rejection.fieldErrors.first { $0.field == "zip" }?.message == "unknown field")
        // The instance value is untouched: the caller still holds the state before the event.
        #expect(instance.state == "identify")
    }

    @Test func fieldsMustMatchTheirConfirmation() throws {
        let instance = try started()
        let rejection = interpreter.handle(
            .submit(name: "submit", payload: ["email": "a@b.fr", "email_confirmation": "c@b.fr"]), to: instance, now: t0
        ).rejection()
        #expect(rejection?.fieldErrors == [FieldError(field: "email_confirmation", message: "does not match 'email'")])
    }

    @Test func anEventTheStateDoesNotAcceptIsRejected() throws {
        let instance = try started()
        let rejection = interpreter.handle(.submit(name: "activate", payload: [:]), to: instance, now: t0).rejection()
        #expect(rejection?.code == .unexpectedEvent)
        #expect(rejection?.message == "state 'identify' does not accept 'activate' (it accepts: submit)")
    }

    @Test func guardsChooseInOrderAndInputIsNormalisedThenStored() throws {
        let instance = try started()
        let step = try interpreter.handle(
            .submit(
                name: "submit",
                payload: ["email": " Ann@Example.FR ", "email_confirmation": "ann@example.fr", "age": 12]),
            to: instance, now: t0
        ).step()
        #expect(step.instance.state == "too_young")
        #expect(step.instance.outcome == "refused")
        #expect(step.instance.context["email"] == "ann@example.fr")
        // `store: false` keeps the confirmation out of the context.
        #expect(step.instance.context["email_confirmation"] == nil)
    }

    @Test func anActionSuspendsTheStepAndItsResultDrivesTheGuards() throws {
        let instance = try started()
        let result = interpreter.handle(
            .submit(
                name: "submit",
                payload: [
                    "email": "ann@example.fr", "email_confirmation": "ann@example.fr", "siret": "732 829 320 00074",
                ]),
            to: instance, now: t0)
        guard case .success(.action(let call, _)) = result else {
            Issue.record("expected a suspension on the action, got \(result)")
            return
        }
        #expect(call.action == "directory.lookup")
        #expect(call.arguments == ["siret": "73282932000074"])
        let (step, _) = try drive(interpreter, result, results: ["directory.lookup": ["found": true, "name": "ACME"]])
        #expect(step.instance.state == "await_manager")
        #expect(step.instance.context["company"] == ["found": true, "name": "ACME"])
        #expect(step.transitions.map(\.to) == ["lookup", "await_manager"])
    }

    func atApproval() throws -> InstanceState {
        let result = interpreter.handle(
            .submit(
                name: "submit",
                payload: ["email": "ann@example.fr", "email_confirmation": "ann@example.fr", "siret": "73282932000074"]),
            to: try started(), now: t0)
        return try drive(interpreter, result, results: ["directory.lookup": ["found": true, "name": "ACME"]]).0.instance
    }

    @Test func approvalsOpenATaskAndArmAbsoluteTimers() throws {
        let result = interpreter.handle(
            .submit(
                name: "submit",
                payload: ["email": "ann@example.fr", "email_confirmation": "ann@example.fr", "siret": "73282932000074"]),
            to: try started(), now: t0)
        let (step, _) = try drive(interpreter, result, results: ["directory.lookup": ["found": true, "name": "ACME"]])
        let task = try #require(
            step.effects.compactMap { effect -> TaskRequest? in
                if case .openTask(let task) = effect { return task }
                return nil
            }.first)
        #expect(task.title == "ann@example.fr asks to join ACME")
        #expect(task.assignees == .resolver(name: "structure.managers", arguments: ["structure_id": "s-1"]))
        #expect(task.outcomes.map(\.name) == ["approve", "reject"])
        #expect(task.outcomes.map(\.commentRequired) == [false, true])
        let due = step.instance.timers.map(\.dueAt)
        #expect(due == [t0.addingTimeInterval(7 * 86_400), t0.addingTimeInterval(30 * 86_400)])
    }

    @Test func theRequesterCannotDecideAndARefusalNeedsAComment() throws {
        let instance = try atApproval()
        let taskId = try #require(instance.task?.id)
        let own = interpreter.handle(
            .decide(taskId: taskId, outcome: "approve", comment: nil, by: "ann@example.fr"), to: instance, now: t0)
        #expect(own.rejection()?.code == .forbidden)
        let bare = interpreter.handle(
            .decide(taskId: taskId, outcome: "reject", comment: "  ", by: "manager-1"), to: instance, now: t0)
        #expect(bare.rejection()?.fieldErrors.map(\.field) == ["comment"])
        let unknown = interpreter.handle(
            .decide(taskId: taskId, outcome: "maybe", comment: nil, by: "manager-1"), to: instance, now: t0)
        #expect(unknown.rejection()?.code == .invalidPayload)
        let stale = interpreter.handle(
            .decide(taskId: "other", outcome: "approve", comment: nil, by: "manager-1"), to: instance, now: t0)
        #expect(stale.rejection()?.code == .stale)
    }

    @Test func aRefusalRecordsTheReasonNotifiesAndEnds() throws {
        let instance = try atApproval()
        let taskId = try #require(instance.task?.id)
        let step = try interpreter.handle(
            .decide(taskId: taskId, outcome: "reject", comment: "Not one of us", by: "manager-1"), to: instance, now: t0
        ).step()
        #expect(step.instance.outcome == "refused")
        #expect(step.instance.context["refusal"] == "Not one of us")
        #expect(step.instance.task == nil)
        #expect(step.instance.timers.isEmpty)
        let cancelled = step.effects.filter { if case .cancelTimer = $0 { true } else { false } }
        #expect(cancelled.count == 2)
        let notified = step.effects.compactMap { effect -> NotificationRequest? in
            if case .notify(let request) = effect { return request }
            return nil
        }
        #expect(notified.map(\.template) == ["refused"])
        #expect(notified.first?.to == ["ann@example.fr"])
    }

    @Test func anEscalationTimerKeepsTheStateAndTheDeadlineClosesTheTask() throws {
        let instance = try atApproval()
        let reminder = try #require(instance.timers.first)
        let escalated = try interpreter.handle(.timer(id: reminder.id), to: instance, now: reminder.dueAt).step()
        #expect(escalated.instance.state == "await_manager")
        #expect(
            escalated.effects.contains {
                if case .escalateTask(_, .resolver("structure.managers", let arguments)) = $0 {
                    return arguments == ["structure_id": "admins"]
                }
                return false
            })
        #expect(escalated.instance.timers.count == 1)
        // The same timer cannot fire twice.
        #expect(
            interpreter.handle(.timer(id: reminder.id), to: escalated.instance, now: reminder.dueAt).rejection()?.code
                == .stale)
        let deadline = try #require(escalated.instance.timers.first)
        let expired = try interpreter.handle(.timer(id: deadline.id), to: escalated.instance, now: deadline.dueAt)
            .step()
        #expect(expired.instance.outcome == "expired")
        #expect(expired.effects.contains { if case .closeTask = $0 { true } else { false } })
    }

    @Test func secretsReachTheActionButNeverTheContextOrHistory() throws {
        let instance = try started()
        let first = try interpreter.handle(
            .submit(name: "submit", payload: ["email": "ann@example.fr", "email_confirmation": "ann@example.fr"]),
            to: instance, now: t0
        ).step()
        #expect(first.instance.state == "set_password")
        let weak = interpreter.handle(
            .submit(name: "activate", payload: ["password": "short"]), to: first.instance, now: t0)
        #expect(weak.rejection()?.fieldErrors.first?.message == "at least 12 characters expected, got 5")
        let result = interpreter.handle(
            .submit(name: "activate", payload: ["password": "Correct-Horse-42"]), to: first.instance, now: t0)
        let (step, calls) = try drive(
            interpreter, result,
            results: [
                "account.activate": ["ok": true],
                "activation.issue": ["link": "https://x/TOKEN", "expires_at": .date(t0)],
            ])
        #expect(calls.map(\.action) == ["account.activate", "activation.issue"])
        #expect(calls.first?.arguments["password"] == "Correct-Horse-42")
        #expect(calls.first?.redactedArguments["password"] == "***")
        #expect(step.redactedPayload == ["password": "***"])
        #expect(!step.instance.context.values.contains { $0.description.contains("Correct-Horse-42") })
        #expect(step.instance.outcome == "success")
        let notification = step.effects.compactMap { effect -> NotificationRequest? in
            if case .notify(let request) = effect { return request }
            return nil
        }.first
        #expect(notification?.secretParams == ["link"])
        #expect(notification?.params["link"] == "https://x/TOKEN")
    }

    @Test func aTimerFromASettingUsesTheInstanceSettings() throws {
        let first = try interpreter.start(
            id: "i1", params: [:], settings: ["validity": .duration(ISODuration(days: 2))], now: t0
        ).step()
        let second = try interpreter.handle(
            .submit(name: "submit", payload: ["email": "ann@example.fr", "email_confirmation": "ann@example.fr"]),
            to: first.instance, now: t0
        ).step()
        #expect(second.instance.timers.map(\.dueAt) == [t0.addingTimeInterval(2 * 86_400)])
    }

    @Test func theSameInputsGiveTheSameStep() throws {
        let a = try atApproval()
        let b = try atApproval()
        #expect(a == b)
    }

    @Test func aFinishedInstanceRejectsEverything() throws {
        let instance = try started()
        let done = try interpreter.handle(
            .submit(name: "submit", payload: ["email": "a@b.fr", "email_confirmation": "a@b.fr", "age": 3]),
            to: instance,
            now: t0
        ).step()
        #expect(
            interpreter.handle(.submit(name: "submit", payload: [:]), to: done.instance, now: t0).rejection()?.code
                == .finished)
    }

    /// Validation evaluates a password policy and the prefill of a field that cannot change against the instance,
    /// also inside an object or a list, and builds the instance's environment only for events that need it.
    @Test func policiesAndFixedPrefillsAreEvaluatedAgainstTheInstanceAtAnyDepth() throws {
        let source = """
            process: nested_fields
            start: form
            params:
              code: { type: string, default: ABC-1 }
            settings:
              policy: { min_length: 10, min_classes: 3 }
            states:
              form:
                on:
                  submit:
                    fields:
                      password: { type: password, required: true, policy: settings.policy }
                      free: { type: string }
                    goto: form
                  account:
                    fields:
                      account:
                        type: object
                        fields:
                          login: { type: string }
                          code: { type: string, prefill: context.code, editable: false }
                    goto: form
                  notes:
                    fields:
                      notes: { type: list, items: { type: object, fields: { code: { type: string, prefill: context.code, editable: false } } } }
                    goto: form
                  stop:
                    goto: done
              done:
                final: success
            """
        let workspace = try engineWorkspace(["nested.yaml": source])
        let interpreter = Interpreter(definition: try #require(workspace.definition(named: "nested_fields")))
        let instance = try interpreter.start(id: "n1", params: [:], now: t0).step().instance
        #expect(instance.context["code"] == "ABC-1")
        func send(_ event: String, _ payload: [String: Value]) -> Result<Interpreter.Progress, Rejection> {
            interpreter.handle(.submit(name: event, payload: payload), to: instance, now: t0)
        }
        #expect(send("submit", ["password": "short"]).rejection()?.fieldErrors.map(\.field) == ["password"])
        _ = try send("submit", ["password": "Long-enough-1"]).step()
        #expect(send("account", ["account": ["code": "XYZ"]]).rejection()?.fieldErrors.map(\.field) == ["account.code"])
        let account = try send("account", ["account": ["login": "camille"]]).step()
        #expect(account.instance.context["account"]?[member: "code"] == "ABC-1")
        #expect(
            send("notes", ["notes": [["code": "XYZ"]]]).rejection()?.fieldErrors.first?.field.hasPrefix("notes") == true
        )
        let notes = try send("notes", ["notes": [[:]]]).step()
        #expect(notes.instance.context["notes"] == [["code": "ABC-1"]])
    }
}
