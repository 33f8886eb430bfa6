import Foundation
import ParcoursDSL

/// Runs processes in memory with a virtual clock and stubbed action results: what `parcours simulate` and
/// `parcours test` use. It drives the same interpreter as the runtime, and plays the runtime's part for effects
/// (timers, tasks, sub-processes, notifications) without a database.
public final class Simulation {
    /// What happened, in order, for printing and for scenario expectations.
    public enum Record: Sendable {
        case transition(instance: String, process: String, TransitionRecord)
        case rejected(instance: String, event: String, Rejection)
        case action(instance: String, call: ActionCall, result: Value)
        case notification(instance: String, NotificationRequest, subject: String, body: String)
        case taskOpened(instance: String, TaskRequest, candidates: [String])
        case taskDecided(taskId: String, outcome: String, by: String, comment: String?)
        case taskClosed(taskId: String, reason: String)
        case taskEscalated(taskId: String, added: [String])
        case timerArmed(instance: String, ArmedTimer)
        case timerFired(instance: String, ArmedTimer)
        case clockAdvanced(to: Date)
        case finished(instance: String, process: String, outcome: String)
    }

    /// A task as the simulated runtime keeps it.
    public struct SimulatedTask: Sendable {
        public var request: TaskRequest
        public var instance: String
        public var candidates: [String]
        public var status: String = "open"
        public var outcome: String?
        public var decidedBy: String?
        public var comment: String?
    }

    public struct Failure: Error, CustomStringConvertible {
        public var description: String
        init(_ description: String) { self.description = description }
    }

    public let workspace: Workspace
    public private(set) var clock: Date
    public private(set) var records: [Record] = []
    public private(set) var instances: [String: InstanceState] = [:]
    public private(set) var tasks: [SimulatedTask] = []
    public private(set) var rootId: String?
    private var parents: [String: String] = [:]
    private var settingsByProcess: [String: [String: Value]]
    private var stubs: [String: [Value]]
    private var assigneeStubs: [String: [String]]

    /// - Parameters:
    ///   - settings: overrides per process name (a tenant's settings).
    ///   - stubs: results per action, consumed in order, the last one repeating.
    ///   - assignees: candidates per resolver.
    public init(
        workspace: Workspace, start: Date = Scenario.defaultStart, settings: [String: [String: Value]] = [:],
        stubs: [String: [Value]] = [:], assignees: [String: [String]] = [:]
    ) {
        self.workspace = workspace
        self.clock = start
        self.settingsByProcess = settings
        self.stubs = stubs
        self.assigneeStubs = assignees
    }

    public var root: InstanceState? { rootId.flatMap { instances[$0] } }

    /// The instance events go to: the root, or the sub-process it waits on, recursively.
    public var leaf: InstanceState? {
        var current = root
        while let child = current?.child, let next = instances[child.id] { current = next }
        return current
    }

    /// Replaces the stubbed results of an action from now on.
    public func stub(_ action: String, results: [Value]) { stubs[action] = results }

    // MARK: - Driving

    /// Starts the root instance.
    public func start(process: String, params: [String: Value]) throws {
        let id = "i1"
        rootId = id
        try startInstance(id: id, process: process, params: params, parent: nil)
    }

    /// Sends an event to the leaf instance. A rejection is recorded and returned; nothing changes then.
    @discardableResult
    public func send(_ name: String, data: [String: Value]) throws -> Rejection? {
        guard let leaf else { throw Failure("no instance is running") }
        return try deliver(.submit(name: name, payload: data), to: leaf.id)
    }

    /// Decides the open task (the innermost one). `by` defaults to the first candidate.
    @discardableResult
    public func decide(_ outcome: String, by: String?, comment: String?) throws -> Rejection? {
        guard let index = tasks.lastIndex(where: { $0.status == "open" }) else { throw Failure("no task is open") }
        let task = tasks[index]
        let person = by ?? task.candidates.first ?? "manager"
        guard task.candidates.contains(person) else {
            let rejection = Rejection(.forbidden, "\(person) is not an assignee of this task")
            records.append(.rejected(instance: task.instance, event: "decide \(outcome)", rejection))
            return rejection
        }
        let mark = records.count
        let rejection = try deliver(
            .decide(taskId: task.request.id, outcome: outcome, comment: comment, by: person), to: task.instance)
        if rejection == nil {
            tasks[index].status = "decided"
            tasks[index].outcome = outcome
            tasks[index].decidedBy = person
            tasks[index].comment = comment
            records.insert(
                .taskDecided(taskId: task.request.id, outcome: outcome, by: person, comment: comment), at: mark)
        }
        return rejection
    }

    /// Moves the clock forward, firing every timer that falls due, in order of due time.
    public func advance(by duration: ISODuration) throws {
        let target = duration.added(to: clock)
        while let (instanceId, timer) = nextDueTimer(before: target) {
            clock = max(clock, timer.dueAt)
            records.append(.timerFired(instance: instanceId, timer))
            try deliver(.timer(id: timer.id), to: instanceId)
        }
        clock = target
        records.append(.clockAdvanced(to: target))
    }

    private func nextDueTimer(before date: Date) -> (String, ArmedTimer)? {
        var best: (String, ArmedTimer)?
        for (id, instance) in instances.sorted(by: { $0.key < $1.key }) where !instance.status.isFinished {
            for timer in instance.timers where timer.dueAt <= date {
                if best.map({ timer.dueAt < $0.1.dueAt }) ?? true { best = (id, timer) }
            }
        }
        return best
    }

    // MARK: - The runtime's part

    private func interpreter(for process: String) throws -> Interpreter {
        guard let definition = workspace.definition(named: process) else {
            throw Failure("process '\(process)' is not defined")
        }
        return Interpreter(definition: definition)
    }

    private func startInstance(id: String, process: String, params: [String: Value], parent: String?) throws {
        let interpreter = try interpreter(for: process)
        if let parent { parents[id] = parent }
        let progress = interpreter.start(
            id: id, params: params, settings: settingsByProcess[process] ?? [:], now: clock)
        switch progress {
        case .failure(let rejection): throw Failure("cannot start '\(process)': \(rejection)")
        case .success(let progress): try complete(progress, interpreter: interpreter, instance: id)
        }
    }

    @discardableResult
    private func deliver(_ event: Event, to id: String) throws -> Rejection? {
        guard let instance = instances[id] else { throw Failure("no instance \(id)") }
        let interpreter = try interpreter(for: instance.process)
        switch interpreter.handle(event, to: instance, now: clock) {
        case .failure(let rejection):
            if rejection.code == .definitionError { throw Failure("\(instance.process): \(rejection.message)") }
            records.append(.rejected(instance: id, event: event.summary, rejection))
            return rejection
        case .success(let progress):
            try complete(progress, interpreter: interpreter, instance: id)
            return nil
        }
    }

    /// Answers action calls with stubs until the step is done, then plays its effects.
    private func complete(_ progress: Interpreter.Progress, interpreter: Interpreter, instance id: String) throws {
        var progress = progress
        // Transitions and effects are recorded as they happen, so that the log reads in order.
        var recordedTransitions = 0
        var playedEffects = 0
        func catchUp(_ step: Interpreter.Step) throws {
            for transition in step.transitions.dropFirst(recordedTransitions) {
                records.append(.transition(instance: id, process: step.instance.process, transition))
            }
            recordedTransitions = step.transitions.count
            for effect in step.effects.dropFirst(playedEffects) {
                try play(effect, step: step, interpreter: interpreter, instance: id)
            }
            playedEffects = step.effects.count
        }
        while case .action(let call, let suspended) = progress {
            try catchUp(suspended.step)
            let result = try stubbedResult(for: call.action)
            try checkArguments(of: call)
            records.append(.action(instance: id, call: call, result: result))
            switch interpreter.resume(suspended, result: result) {
            case .failure(let rejection): throw Failure("\(interpreter.definition.name.value): \(rejection)")
            case .success(let next): progress = next
            }
        }
        guard case .done(let step) = progress else { return }
        instances[id] = step.instance
        try catchUp(step)
    }

    /// The runtime refuses a call whose arguments do not fit the catalogue (e.g. null for a required input):
    /// so does the simulation, so that scenarios find it first.
    private func checkArguments(of call: ActionCall) throws {
        guard let signature = workspace.catalog.actions[call.action] else { return }
        let validator = FieldValidator(environment: EvaluationEnvironment(roots: [:], now: clock))
        if case .failure(let errors) = validator.validate(call.arguments, against: signature.input) {
            let details = errors.errors.map(\.description).joined(separator: "; ")
            throw Failure("action '\(call.action)' was called with invalid arguments: \(details)")
        }
    }

    private func play(_ effect: Effect, step: Interpreter.Step, interpreter: Interpreter, instance id: String) throws {
        switch effect {
        case .callAction: break
        case .armTimer(let timer): records.append(.timerArmed(instance: id, timer))
        case .cancelTimer: break
        case .openTask(let request):
            let candidates = resolve(request.assignees)
            tasks.append(SimulatedTask(request: request, instance: id, candidates: candidates))
            records.append(.taskOpened(instance: id, request, candidates: candidates))
        case .closeTask(let taskId, let reason):
            if let index = tasks.firstIndex(where: { $0.request.id == taskId && $0.status == "open" }) {
                tasks[index].status = "closed"
                records.append(.taskClosed(taskId: taskId, reason: reason))
            }
        case .escalateTask(let taskId, let assignees):
            if let index = tasks.firstIndex(where: { $0.request.id == taskId }) {
                let added = resolve(assignees).filter { !tasks[index].candidates.contains($0) }
                tasks[index].candidates += added
                records.append(.taskEscalated(taskId: taskId, added: added))
            }
        case .notify(let request):
            let (subject, body) = try request.render(with: interpreter.definition, now: clock)
            records.append(.notification(instance: id, request, subject: subject, body: body))
        case .startSubprocess(let request):
            try startInstance(id: request.id, process: request.process, params: request.params, parent: id)
        case .cancelSubprocess(let childId):
            if var child = instances[childId], !child.status.isFinished {
                child.status = .finished(outcome: "cancelled")
                instances[childId] = child
            }
        case .finish(let outcome, let output):
            records.append(.finished(instance: id, process: step.instance.process, outcome: outcome))
            if let parent = parents[id] {
                try deliver(.childFinished(childId: id, outcome: outcome, output: output), to: parent)
            }
        }
    }

    private func resolve(_ assignees: AssigneeRequest) -> [String] {
        switch assignees {
        case .accounts(let accounts): return accounts
        case .resolver(let name, _):
            if let stubbed = assigneeStubs[name] { return stubbed }
            if let example = workspace.catalog.resolvers[name]?.example, !example.isEmpty { return example }
            return ["\(name).candidate"]
        }
    }

    private func stubbedResult(for action: String) throws -> Value {
        if var queue = stubs[action], let first = queue.first {
            if queue.count > 1 {
                queue.removeFirst()
                stubs[action] = queue
            }
            return first
        }
        if let example = workspace.catalog.actions[action]?.example { return example }
        throw Failure(
            "no result for action '\(action)': stub it in the scenario or give it an 'example' in the catalogue")
    }
}
