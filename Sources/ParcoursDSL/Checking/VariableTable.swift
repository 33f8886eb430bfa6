/// The context variables of a process and their types, gathered from `params`, `context:`, stored input fields
/// and actions' `result:`; a name given two incompatible types is reported.
struct VariableTable {
    var types: [String: ValueType] = [:]
    var origins: [String: SourceLocation] = [:]
    var diagnostics: [Diagnostic] = []

    init(definition: ProcessDefinition, catalog: ActionCatalog) {
        for field in definition.params where field.isStored { add(field.name, field.valueType, at: field.location) }
        for declaration in definition.declaredContext {
            if declaration.type.containsSecret {
                diagnostics.append(.error("a context variable cannot hold a secret", at: declaration.location))
            }
            add(declaration.name, declaration.type, at: declaration.location)
        }
        for state in definition.states {
            switch state.kind {
            case .input(let events):
                for event in events {
                    for field in event.fields where field.isStored {
                        add(field.name, field.valueType, at: field.location)
                    }
                }
            case .action(let step):
                if let variable = step.resultVariable {
                    let output = catalog.actions[step.action.value]?.outputType ?? .object(nil)
                    add(variable.value, output.containsSecret ? .object(nil) : output, at: variable.location)
                }
            default: break
            }
        }
    }

    var contextType: ValueType { .object(types) }

    private mutating func add(_ name: String, _ type: ValueType, at location: SourceLocation) {
        guard let existing = types[name] else {
            types[name] = type
            origins[name] = location
            return
        }
        if existing.nonNull.accepts(type.nonNull) && type.nonNull.accepts(existing.nonNull) {
            // The same variable written by several states: nullable if any of them is.
            if type.isNullable { types[name] = existing.orNull }
            if case .object(let old?) = existing.nonNull, case .object(let new?) = type.nonNull, old != new {
                types[name] = .object(old.merging(new) { first, _ in first }).orNull
            }
        } else {
            let first = origins[name].map { " at \($0)" } ?? ""
            diagnostics.append(
                .error("'\(name)' is \(type) here but \(existing) where it is first defined\(first)", at: location))
        }
    }
}

/// Which `input.*` fields are visible on entering each state: the fields of every event that leads to it through
/// automatic states only, intersected over all the ways in.
enum InputFlow {
    static func entryScopes(of definition: ProcessDefinition) -> [String: [String: ValueType]] {
        var scopes: [String: [String: ValueType]] = [:]
        if let start = definition.start?.value { scopes[start] = [:] }
        let states = Dictionary(definition.states.map { ($0.name, $0) }) { first, _ in first }
        var changed = true
        var rounds = 0
        while changed, rounds < definition.states.count + 2 {
            changed = false
            rounds += 1
            for state in definition.states {
                for (trigger, transition, carried) in outgoing(state, entry: scopes[state.name]) {
                    _ = trigger
                    for target in transition.targets where states[target.value] != nil {
                        let merged = scopes[target.value].map { intersect($0, carried) } ?? carried
                        if scopes[target.value] != merged {
                            scopes[target.value] = merged
                            changed = true
                        }
                    }
                }
            }
        }
        return scopes
    }

    /// Each transition of `state` with the input fields it carries to its targets.
    static func outgoing(_ state: StateDefinition, entry: [String: ValueType]?)
        -> [(TransitionTrigger, Transition, [String: ValueType])]
    {
        var result: [(TransitionTrigger, Transition, [String: ValueType])] = []
        switch state.kind {
        case .input(let events):
            for event in events {
                let fields = Dictionary(event.fields.map { ($0.name, $0.valueType) }) { first, _ in first }
                result.append((.event(event.name), event.transition, fields))
            }
        case .action(let step):
            guard let entry else { break }
            result.append((.actionDone(step.action.value), step.transition, entry))
        case .choice(let branches):
            guard let entry else { break }
            result.append((.choice, Transition(target: .branches(branches), location: state.location), entry))
        case .approval(let approval):
            for outcome in approval.outcomes { result.append((.outcome(outcome.name), outcome.transition, [:])) }
        case .subprocess(let sub):
            for outcome in sub.outcomes { result.append((.outcome(outcome.name), outcome.transition, [:])) }
        case .final: break
        }
        for (index, timer) in state.timers.enumerated() {
            result.append((.timer(index, timer.after), timer.transition, [:]))
        }
        return result
    }

    static func intersect(_ a: [String: ValueType], _ b: [String: ValueType]) -> [String: ValueType] {
        a.reduce(into: [:]) { result, entry in
            guard let other = b[entry.key] else { return }
            result[entry.key] =
                entry.value == other ? entry.value : (entry.value.orNull.accepts(other) ? entry.value.orNull : .any)
        }
    }
}
