/// A state of a process: its kind, entry effects and timers. Its properties live in one shared, copy-on-write box,
/// as `FieldSpec`'s do: a state is copied wherever the interpreter looks one up.
public struct StateDefinition: Sendable, Hashable {
    struct Properties: Sendable, Hashable {
        var name: String
        var location: SourceLocation
        var title: String? = nil
        var description: String? = nil
        var kind: StateKind
        var entrySet: [Assignment] = []
        var entryNotify: [NotificationSend] = []
        var timers: [TimerSpec] = []
    }

    private var storage: CopyOnWrite<Properties>

    public var name: String {
        get { storage.value.name }
        set { storage.value.name = newValue }
    }
    public var location: SourceLocation {
        get { storage.value.location }
        set { storage.value.location = newValue }
    }
    public var title: String? {
        get { storage.value.title }
        set { storage.value.title = newValue }
    }
    public var description: String? {
        get { storage.value.description }
        set { storage.value.description = newValue }
    }
    public var kind: StateKind {
        get { storage.value.kind }
        set { storage.value.kind = newValue }
    }
    /// Applied when the state is entered.
    public var entrySet: [Assignment] {
        get { storage.value.entrySet }
        set { storage.value.entrySet = newValue }
    }
    public var entryNotify: [NotificationSend] {
        get { storage.value.entryNotify }
        set { storage.value.entryNotify = newValue }
    }
    public var timers: [TimerSpec] {
        get { storage.value.timers }
        set { storage.value.timers = newValue }
    }

    public init(name: String, location: SourceLocation, kind: StateKind) {
        storage = CopyOnWrite(Properties(name: name, location: location, kind: kind))
    }

    /// Input, approval and sub-process states wait for something from outside.
    public var isWaiting: Bool {
        switch kind {
        case .input, .approval, .subprocess: true
        case .action, .choice, .final: false
        }
    }

    public var isFinal: Bool { if case .final = kind { true } else { false } }

    /// Every transition leaving the state, each with what triggers it (for checks and graphs).
    public var transitions: [(trigger: TransitionTrigger, transition: Transition)] {
        var result: [(TransitionTrigger, Transition)] = []
        switch kind {
        case .input(let events): result += events.map { (.event($0.name), $0.transition) }
        case .action(let action): result.append((.actionDone(action.action.value), action.transition))
        case .choice(let branches):
            result.append((.choice, Transition(target: .branches(branches), location: location)))
        case .approval(let approval): result += approval.outcomes.map { (.outcome($0.name), $0.transition) }
        case .subprocess(let sub): result += sub.outcomes.map { (.outcome($0.name), $0.transition) }
        case .final: break
        }
        for (index, timer) in timers.enumerated() { result.append((.timer(index, timer.after), timer.transition)) }
        return result
    }

    /// A short name of the kind, as graphs and messages show it.
    public var kindName: String {
        switch kind {
        case .input: "input"
        case .action: "action"
        case .choice: "choice"
        case .approval: "approval"
        case .subprocess: "subprocess"
        case .final: "final"
        }
    }
}

/// What makes a transition happen.
public enum TransitionTrigger: Sendable, Hashable {
    case event(String)
    case actionDone(String)
    case choice
    case outcome(String)
    case timer(Int, DurationSpec)
}

public enum StateKind: Sendable, Hashable {
    case input([EventSpec])
    case action(ActionStep)
    case choice([Branch])
    case approval(ApprovalSpec)
    case subprocess(SubprocessSpec)
    case final(FinalSpec)
}

/// An event an input state accepts, with its fields and transition.
public struct EventSpec: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
    public var title: String?
    public var fields: [FieldSpec] = []
    public var transition: Transition
}

public struct ActionStep: Sendable, Hashable {
    public var action: Located<String>
    public var arguments: [Binding] = []
    /// A context variable that keeps the action's result.
    public var resultVariable: Located<String>?
    public var transition: Transition
}

public struct ApprovalSpec: Sendable, Hashable {
    public var title: TemplateString
    public var titleLocation: SourceLocation
    public var description: TemplateString?
    public var assignees: AssigneeSpec
    public var requester: Expression?
    public var outcomes: [OutcomeSpec] = []
}

/// Who may decide a task: a resolver of the catalogue with its arguments, or an explicit list.
public enum AssigneeSpec: Sendable, Hashable {
    case resolver(name: Located<String>, arguments: [Binding])
    case expression(Expression)
}

public struct OutcomeSpec: Sendable, Hashable {
    public enum Comment: String, Sendable, Hashable { case required, optional }

    public var name: String
    public var location: SourceLocation
    public var label: String?
    public var comment: Comment = .optional
    public var transition: Transition
}

public struct SubprocessSpec: Sendable, Hashable {
    public var process: Located<String>
    public var arguments: [Binding] = []
    public var outcomes: [OutcomeSpec] = []
}

public struct FinalSpec: Sendable, Hashable {
    public var outcome: Located<String>
    public var output: [Binding] = []
}

/// Where a transition goes: one state, or ordered guarded branches.
public enum TransitionTarget: Sendable, Hashable {
    case none
    case state(Located<String>)
    case branches([Branch])
}

public struct Transition: Sendable, Hashable {
    public var target: TransitionTarget = .none
    public var set: [Assignment] = []
    public var notify: [NotificationSend] = []
    public var location: SourceLocation

    public init(
        target: TransitionTarget = .none, set: [Assignment] = [], notify: [NotificationSend] = [],
        location: SourceLocation
    ) {
        self.target = target
        self.set = set
        self.notify = notify
        self.location = location
    }

    /// Every state this transition may lead to, with the location that names it.
    public var targets: [Located<String>] {
        switch target {
        case .none: []
        case .state(let state): [state]
        case .branches(let branches): branches.map(\.target)
        }
    }
}

/// `when: guard, goto: state` or `otherwise: state`, with optional effects.
public struct Branch: Sendable, Hashable {
    /// nil for `otherwise`.
    public var condition: Expression?
    public var target: Located<String>
    public var set: [Assignment] = []
    public var notify: [NotificationSend] = []
    public var location: SourceLocation
}

public struct Assignment: Sendable, Hashable {
    public var variable: Located<String>
    public var expression: Expression
}

public struct NotificationSend: Sendable, Hashable {
    public var template: Located<String>
    public var to: Expression
    public var arguments: [Binding] = []
    public var language: Expression?
    public var location: SourceLocation
}

/// A timer's duration: a literal ISO-8601 duration or an expression of type `duration`.
public enum DurationSpec: Sendable, Hashable, CustomStringConvertible {
    case literal(ISODuration)
    case expression(Expression)

    public var description: String {
        switch self {
        case .literal(let duration): duration.description
        case .expression(let expression): expression.source
        }
    }
}

public struct TimerSpec: Sendable, Hashable {
    public var after: DurationSpec
    public var transition: Transition
    public var escalate: AssigneeSpec?
    public var location: SourceLocation
}
