import Foundation
import ParcoursDSL

/// The interpreter: a pure, deterministic function from (definition, instance, event, clock) to the next state and
/// the effects to perform. Automatic states run on until the instance waits or ends; an action state suspends the
/// step with a `Progress.action` that the driver answers with `resume(_:result:)` — in the same transaction, so that
/// one external event stays one macro-step.
public struct Interpreter: Sendable {
    public let definition: ProcessDefinition

    /// The most automatic states one event may run through (a guard against a loop of automatic states).
    public static let automaticStepLimit = 1_000

    public init(definition: ProcessDefinition) {
        self.definition = definition
    }

    /// Where a macro-step stands: done (the instance waits or has ended), or suspended on an action call.
    public enum Progress: Sendable {
        case done(Step)
        case action(ActionCall, Suspended)
    }

    /// A macro-step suspended on an action call. It holds the event's transient input (secrets included): keep it
    /// in memory only, never store it.
    public struct Suspended: Sendable {
        /// The step so far: the transitions taken and effects produced before the action.
        public internal(set) var step: Step
        var input: [String: Value]
        var automaticSteps: Int
    }

    /// What an event did: the new instance state, the effects, the transitions taken, and the accepted payload with
    /// secrets masked (for history).
    public struct Step: Sendable {
        public var instance: InstanceState
        public var effects: [Effect] = []
        public var transitions: [TransitionRecord] = []
        public var redactedPayload: [String: Value]?
        public var now: Date
        /// Transitions and effects interleaved in the order they happened (for history).
        public var journal: [JournalEntry] = []

        mutating func record(_ effect: Effect) {
            effects.append(effect)
            journal.append(.effect(effect))
        }

        mutating func record(_ transition: TransitionRecord) {
            transitions.append(transition)
            journal.append(.transition(transition))
        }
    }

    /// One thing a step did, in order.
    public enum JournalEntry: Sendable {
        case transition(TransitionRecord)
        case effect(Effect)
    }

    // MARK: - Starting

    /// Starts an instance: validates `params`, fixes the settings (defaults + `overrides`), enters `start`.
    public func start(
        id: String, params: [String: Value], settings overrides: [String: Value] = [:], now: Date
    ) -> Result<Progress, Rejection> {
        var settings = definition.defaultSettings
        for (key, value) in overrides where settings[key] != nil { settings[key] = value }
        var instance = InstanceState(
            id: id, process: definition.name.value, state: "", status: .waiting, context: [:], settings: settings,
            startedAt: now, entries: 0, timers: [], task: nil, child: nil, output: [:])
        let validator = FieldValidator(environment: validationEnvironment(for: definition.params, instance, now: now))
        let accepted: [String: Value]
        switch validator.validate(params, against: definition.params) {
        case .success(let values): accepted = values
        case .failure(let errors):
            return .failure(Rejection(.invalidPayload, "invalid parameters", fieldErrors: errors.errors))
        }
        for field in definition.params where field.isStored { instance.context[field.name] = accepted[field.name] }
        guard let start = definition.start?.value else {
            return .failure(Rejection(.definitionError, "the process has no start state"))
        }
        var step = Step(
            instance: instance, redactedPayload: Redaction.redact(accepted, fields: definition.params), now: now)
        return run {
            try enter(start, trigger: "start", step: &step, input: accepted, automaticSteps: 0)
        }
    }

    // MARK: - Handling events

    /// Applies one external event. A rejected event leaves the instance unchanged.
    public func handle(_ event: Event, to instance: InstanceState, now: Date) -> Result<Progress, Rejection> {
        if case .finished(let outcome) = instance.status {
            return .failure(Rejection(.finished, "the instance has ended (\(outcome))"))
        }
        guard let state = definition.state(named: instance.state) else {
            return .failure(Rejection(.definitionError, "state '\(instance.state)' is not in the definition"))
        }
        var step = Step(instance: instance, now: now)
        switch event {
        case .submit(let name, let payload):
            guard case .input(let events) = state.kind, let spec = events.first(where: { $0.name == name }) else {
                let accepted = acceptedEvents(of: state)
                let list = accepted.isEmpty ? "none" : accepted.joined(separator: ", ")
                return .failure(
                    Rejection(.unexpectedEvent, "state '\(state.name)' does not accept '\(name)' (it accepts: \(list))")
                )
            }
            let validator = FieldValidator(environment: validationEnvironment(for: spec.fields, instance, now: now))
            let accepted: [String: Value]
            switch validator.validate(payload, against: spec.fields) {
            case .success(let values): accepted = values
            case .failure(let errors):
                return .failure(Rejection(.invalidPayload, "invalid '\(name)'", fieldErrors: errors.errors))
            }
            for field in spec.fields where field.isStored { step.instance.context[field.name] = accepted[field.name] }
            step.redactedPayload = Redaction.redact(accepted, fields: spec.fields)
            return run {
                try take(
                    spec.transition, from: state, trigger: name, step: &step, roots: ["input": .object(accepted)],
                    input: accepted, automaticSteps: 0)
            }
        case .timer(let id):
            guard let armed = instance.timers.first(where: { $0.id == id }), armed.state == state.name,
                armed.index < state.timers.count
            else { return .failure(Rejection(.stale, "timer \(id) is not armed")) }
            let timer = state.timers[armed.index]
            step.instance.timers.removeAll { $0.id == id }
            return run {
                if let escalate = timer.escalate, let task = step.instance.task {
                    let request = try assignees(escalate, step.instance, now: now)
                    step.record(.escalateTask(id: task.id, assignees: request))
                }
                return try take(
                    timer.transition, from: state, trigger: "after \(timer.after)", step: &step, roots: [:],
                    input: [:], automaticSteps: 0)
            }
        case .decide(let taskId, let outcome, let comment, let by):
            guard case .approval(let approval) = state.kind, let task = instance.task, task.id == taskId else {
                return .failure(Rejection(.stale, "task \(taskId) is not open"))
            }
            guard let spec = approval.outcomes.first(where: { $0.name == outcome }) else {
                return .failure(
                    Rejection(
                        .invalidPayload, "unknown outcome '\(outcome)'",
                        fieldErrors: [
                            FieldError(
                                field: "outcome",
                                message: "expected one of: \(approval.outcomes.map(\.name).joined(separator: ", "))")
                        ]))
            }
            if let requester = task.requester, requester == by {
                return .failure(Rejection(.forbidden, "the requester cannot decide their own request"))
            }
            let trimmedComment = comment?.trimmingCharacters(in: .whitespacesAndNewlines)
            if spec.comment == .required, trimmedComment?.isEmpty ?? true {
                return .failure(
                    Rejection(
                        .invalidPayload, "a comment is required to \(outcome)",
                        fieldErrors: [FieldError(field: "comment", message: "this field is required")]))
            }
            step.instance.task = nil
            let decision: Value = .object([
                "outcome": .string(outcome), "comment": trimmedComment.map(Value.string) ?? .null, "by": .string(by),
            ])
            step.redactedPayload = decision.objectValue
            return run {
                try take(
                    spec.transition, from: state, trigger: outcome, step: &step, roots: ["decision": decision],
                    input: [:], automaticSteps: 0)
            }
        case .childFinished(let childId, let outcome, let output):
            guard case .subprocess(let sub) = state.kind, let child = instance.child, child.id == childId else {
                return .failure(Rejection(.stale, "sub-process \(childId) is not awaited"))
            }
            guard let spec = sub.outcomes.first(where: { $0.name == outcome }) else {
                return .failure(
                    Rejection(.definitionError, "outcome '\(outcome)' of '\(sub.process.value)' is not handled"))
            }
            step.instance.child = nil
            let result: Value = .object(["outcome": .string(outcome), "output": .object(output)])
            return run {
                try take(
                    spec.transition, from: state, trigger: outcome, step: &step, roots: ["result": result],
                    input: [:], automaticSteps: 0)
            }
        }
    }

    /// Continues a macro-step suspended on an action, with the action's result.
    public func resume(_ suspended: Suspended, result: Value) -> Result<Progress, Rejection> {
        var step = suspended.step
        guard let state = definition.state(named: step.instance.state), case .action(let action) = state.kind else {
            return .failure(Rejection(.definitionError, "the instance is not at an action state"))
        }
        return run {
            if let variable = action.resultVariable?.value { step.instance.context[variable] = result }
            return try take(
                action.transition, from: state, trigger: action.action.value, step: &step,
                roots: ["input": .object(suspended.input), "result": result], input: suspended.input,
                automaticSteps: suspended.automaticSteps)
        }
    }

    /// The events an input state accepts.
    public func acceptedEvents(of state: StateDefinition) -> [String] {
        if case .input(let events) = state.kind { return events.map(\.name) }
        return []
    }

    // MARK: - Internals

    private func run(_ body: () throws -> Progress) -> Result<Progress, Rejection> {
        do {
            return .success(try body())
        } catch let error as EngineError {
            return .failure(Rejection(.definitionError, error.message))
        } catch let error as EvaluationError {
            return .failure(Rejection(.definitionError, "\(error.location): \(error.message)"))
        } catch {
            return .failure(Rejection(.definitionError, "\(error)"))
        }
    }

    /// What the validation of `fields` evaluates against: the instance's environment when a field (at any depth)
    /// has a password policy or a prefill it does not let change, else an empty one (most events: building the
    /// environment copies the context and settings).
    func validationEnvironment(for fields: [FieldSpec], _ instance: InstanceState, now: Date)
        -> EvaluationEnvironment
    {
        fields.contains(where: \.evaluatesWhenValidated)
            ? environment(instance, now: now) : EvaluationEnvironment(roots: [:], now: now)
    }

    func environment(_ instance: InstanceState, now: Date, extra: [String: Value] = [:]) -> EvaluationEnvironment {
        var roots: [String: Value] = [:]
        roots.reserveCapacity(3 + extra.count)
        roots["context"] = .object(instance.context)
        roots["settings"] = .object(instance.settings)
        roots["instance"] = .object([
            "id": .string(instance.id), "process": .string(instance.process), "started_at": .date(instance.startedAt),
        ])
        for (name, value) in extra { roots[name] = value }
        return EvaluationEnvironment(roots: roots, now: now)
    }

    func evaluate(_ expression: ParcoursDSL.Expression, _ instance: InstanceState, now: Date, extra: [String: Value])
        throws -> Value
    {
        try expression.evaluate(in: environment(instance, now: now, extra: extra))
    }

    /// Applies a transition: its assignments, notifications, then the first branch whose guard holds.
    private func take(
        _ transition: Transition, from state: StateDefinition, trigger: String, step: inout Step,
        roots: [String: Value], input: [String: Value], automaticSteps: Int
    ) throws -> Progress {
        try apply(transition.set, step: &step, roots: roots)
        try send(transition.notify, step: &step, roots: roots)
        switch transition.target {
        case .none:
            return .done(step)
        case .state(let target):
            return try enter(
                target.value, from: state, trigger: trigger, step: &step, input: input,
                automaticSteps: automaticSteps)
        case .branches(let branches):
            let branch = try choose(branches, step: step, roots: roots)
            try apply(branch.set, step: &step, roots: roots)
            try send(branch.notify, step: &step, roots: roots)
            return try enter(
                branch.target.value, from: state, trigger: trigger, step: &step, input: input,
                automaticSteps: automaticSteps)
        }
    }

    private func choose(_ branches: [Branch], step: Step, roots: [String: Value]) throws -> Branch {
        for branch in branches {
            guard let condition = branch.condition else { return branch }
            if try evaluate(condition, step.instance, now: step.now, extra: roots) == .bool(true) { return branch }
        }
        throw EngineError("no branch was taken and there is no 'otherwise'")
    }

    private func apply(_ assignments: [Assignment], step: inout Step, roots: [String: Value]) throws {
        for assignment in assignments {
            step.instance.context[assignment.variable.value] = try evaluate(
                assignment.expression, step.instance, now: step.now, extra: roots)
        }
    }

    private func send(_ sends: [NotificationSend], step: inout Step, roots: [String: Value]) throws {
        for send in sends {
            let recipients: [String]
            switch try evaluate(send.to, step.instance, now: step.now, extra: roots) {
            case .string(let address): recipients = [address]
            case .list(let items): recipients = items.compactMap(\.stringValue)
            default: recipients = []
            }
            var params: [String: Value] = [:]
            for binding in send.arguments {
                params[binding.name.value] = try evaluate(
                    binding.expression, step.instance, now: step.now, extra: roots)
            }
            let template = definition.notification(named: send.template.value)
            let secrets = Set(template?.params.filter { $0.type.containsSecret }.map(\.name) ?? [])
            let language = try send.language.map { try evaluate($0, step.instance, now: step.now, extra: roots) }
            var seen = Set<String>()
            let distinct = recipients.filter { !$0.isEmpty && seen.insert($0.lowercased()).inserted }
            guard !distinct.isEmpty else { continue }
            let count = step.effects.count
            step.record(
                .notify(
                    NotificationRequest(
                        id: "\(step.instance.id):\(step.instance.entries):n\(count)", template: send.template.value,
                        to: distinct, language: language?.stringValue ?? NotificationTemplate.defaultLanguage,
                        params: params, secretParams: secrets)))
        }
    }

    /// Leaves the current state (cancelling its timers, task and sub-process) and enters `name`, running on through
    /// automatic states.
    private func enter(
        _ name: String, from previous: StateDefinition? = nil, trigger: String, step: inout Step,
        input: [String: Value], automaticSteps: Int
    ) throws -> Progress {
        guard automaticSteps < Interpreter.automaticStepLimit else {
            throw EngineError(
                "more than \(Interpreter.automaticStepLimit) automatic steps: a loop of automatic states?")
        }
        guard let state = definition.state(named: name) else { throw EngineError("state '\(name)' is not defined") }
        let now = step.now
        for timer in step.instance.timers { step.record(.cancelTimer(id: timer.id)) }
        step.instance.timers = []
        if let task = step.instance.task {
            step.record(.closeTask(id: task.id, reason: "left \(task.state) by \(trigger)"))
            step.instance.task = nil
        }
        if let child = step.instance.child {
            step.record(.cancelSubprocess(id: child.id))
            step.instance.child = nil
        }
        step.record(
            TransitionRecord(
                from: previous?.name ?? (step.instance.state.isEmpty ? nil : step.instance.state), to: name,
                trigger: trigger, at: now))
        step.instance.state = name
        step.instance.entries += 1
        let entry = step.instance.entries
        // Built only for a state that evaluates something on entry (most input states do not).
        let evaluatesOnEntry: Bool
        if case .input = state.kind {
            evaluatesOnEntry = !state.entrySet.isEmpty || !state.entryNotify.isEmpty || !state.timers.isEmpty
        } else {
            evaluatesOnEntry = true
        }
        let inputRoots: [String: Value] = input.isEmpty || !evaluatesOnEntry ? [:] : ["input": .object(input)]
        try apply(state.entrySet, step: &step, roots: inputRoots)
        try send(state.entryNotify, step: &step, roots: inputRoots)

        switch state.kind {
        case .input:
            break
        case .approval(let approval):
            let title = try render(approval.title, step.instance, now: now, roots: inputRoots)
            let description = try approval.description.map {
                try render($0, step.instance, now: now, roots: inputRoots)
            }
            let requester =
                try approval.requester.map {
                    try evaluate($0, step.instance, now: now, extra: inputRoots).stringValue
                } ?? nil
            let task = TaskRequest(
                id: "\(step.instance.id):t\(entry)", state: name, title: title, description: description,
                assignees: try assignees(approval.assignees, step.instance, now: now, roots: inputRoots),
                requester: requester,
                outcomes: approval.outcomes.map {
                    TaskOutcome(name: $0.name, label: $0.label, commentRequired: $0.comment == .required)
                })
            step.instance.task = OpenTask(
                id: task.id, state: name, title: title, outcomes: task.outcomes.map(\.name), requester: requester)
            step.record(.openTask(task))
        case .subprocess(let sub):
            var params: [String: Value] = [:]
            for binding in sub.arguments {
                params[binding.name.value] = try evaluate(
                    binding.expression, step.instance, now: now, extra: inputRoots)
            }
            let childId = "\(step.instance.id).\(entry)"
            step.instance.child = ChildLink(id: childId, process: sub.process.value)
            step.record(
                .startSubprocess(
                    SubprocessRequest(id: childId, process: sub.process.value, params: params, secretParams: [])))
        case .action(let action):
            var arguments: [String: Value] = [:]
            for binding in action.arguments {
                arguments[binding.name.value] = try evaluate(
                    binding.expression, step.instance, now: now, extra: inputRoots)
            }
            let secrets = Set(
                action.arguments.filter { binding in
                    if case .string = arguments[binding.name.value] ?? .null {
                        return binding.expression.referencedPaths.contains { path in
                            path.first == "input" && path.count > 1
                                && isSecretInput(path[1])
                        }
                    }
                    return false
                }.map(\.name.value))
            let call = ActionCall(
                id: "\(step.instance.id):a\(entry)", action: action.action.value, arguments: arguments,
                secretArguments: secrets)
            step.record(.callAction(call))
            return .action(call, Suspended(step: step, input: input, automaticSteps: automaticSteps + 1))
        case .choice(let branches):
            let branch = try choose(branches, step: step, roots: inputRoots)
            try apply(branch.set, step: &step, roots: inputRoots)
            try send(branch.notify, step: &step, roots: inputRoots)
            return try enter(
                branch.target.value, from: state, trigger: "choice", step: &step, input: input,
                automaticSteps: automaticSteps + 1)
        case .final(let final):
            var output: [String: Value] = [:]
            for binding in final.output {
                output[binding.name.value] = try evaluate(
                    binding.expression, step.instance, now: now, extra: inputRoots)
            }
            step.instance.output = output
            step.instance.status = .finished(outcome: final.outcome.value)
            step.record(.finish(outcome: final.outcome.value, output: output))
            return .done(step)
        }
        // A waiting state: arm its timers.
        for (index, timer) in state.timers.enumerated() {
            let duration: ISODuration
            switch timer.after {
            case .literal(let literal): duration = literal
            case .expression(let expression):
                guard case .duration(let value) = try evaluate(expression, step.instance, now: now, extra: inputRoots)
                else { throw EngineError("the timer of '\(name)' does not evaluate to a duration") }
                duration = value
            }
            let armed = ArmedTimer(
                id: "\(step.instance.id):\(entry):timer\(index)", state: name, index: index,
                dueAt: duration.added(to: now))
            step.instance.timers.append(armed)
            step.record(.armTimer(armed))
        }
        step.instance.status = .waiting
        return .done(step)
    }

    /// Whether some event of the process declares an `input.*` field of this name as a secret (masked in history).
    private func isSecretInput(_ name: String) -> Bool {
        for candidate in definition.states {
            guard case .input(let events) = candidate.kind else { continue }
            for event in events where event.fields.contains(where: { $0.name == name && $0.type.isSecret }) {
                return true
            }
        }
        return false
    }

    private func render(_ template: TemplateString, _ instance: InstanceState, now: Date, roots: [String: Value])
        throws -> String
    {
        try template.render(in: environment(instance, now: now, extra: roots))
    }

    private func assignees(_ spec: AssigneeSpec, _ instance: InstanceState, now: Date, roots: [String: Value] = [:])
        throws -> AssigneeRequest
    {
        switch spec {
        case .resolver(let name, let arguments):
            var values: [String: Value] = [:]
            for binding in arguments {
                values[binding.name.value] = try evaluate(binding.expression, instance, now: now, extra: roots)
            }
            return .resolver(name: name.value, arguments: values)
        case .expression(let expression):
            let value = try evaluate(expression, instance, now: now, extra: roots)
            return .accounts(value.listValue?.compactMap(\.stringValue) ?? [])
        }
    }
}
