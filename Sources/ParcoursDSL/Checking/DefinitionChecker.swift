/// The checks of one process definition: graph shape, variables, expressions, actions, notifications.
struct DefinitionChecker {
    let definition: ProcessDefinition
    let workspace: Workspace
    private let statesByName: [String: StateDefinition]
    private let variables: VariableTable
    private let inputAtEntry: [String: [String: ValueType]]

    init(definition: ProcessDefinition, workspace: Workspace) {
        self.definition = definition
        self.workspace = workspace
        self.statesByName = Dictionary(definition.states.map { ($0.name, $0) }) { first, _ in first }
        self.variables = VariableTable(definition: definition, catalog: workspace.catalog)
        self.inputAtEntry = InputFlow.entryScopes(of: definition)
    }

    func check() -> [Diagnostic] {
        var diagnostics = variables.diagnostics
        diagnostics += checkGraph()
        for template in definition.notifications { diagnostics += checkTemplate(template) }
        for field in definition.params {
            diagnostics += checkField(field, siblings: definition.params, scope: baseScope())
        }
        for state in definition.states { diagnostics += checkState(state) }
        return diagnostics
    }

    // MARK: - The graph

    func checkGraph() -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let names = definition.states.map(\.name)
        if let start = definition.start, statesByName[start.value] == nil {
            diagnostics.append(
                .error(
                    "the start state '\(start.value)' is not defined\(didYouMean(start.value, in: names))",
                    at: start.location))
        }
        for state in definition.states {
            for (_, transition) in state.transitions {
                for target in transition.targets where statesByName[target.value] == nil {
                    diagnostics.append(
                        .error(
                            "transition to undefined state '\(target.value)'\(didYouMean(target.value, in: names))",
                            at: target.location))
                }
            }
            if !state.isFinal, !state.hasNoAlternatives, state.transitions.allSatisfy({ $0.transition.targets.isEmpty })
            {
                diagnostics.append(
                    .error(
                        "state '\(state.name)' is not final and has no way out: add a transition or make it final",
                        at: state.location))
            }
        }
        guard let start = definition.start, statesByName[start.value] != nil else { return diagnostics }
        let reachable = reachableStates(from: [start.value])
        for state in definition.states where !reachable.contains(state.name) {
            diagnostics.append(
                .warning("state '\(state.name)' is unreachable from '\(start.value)'", at: state.location))
        }
        // A state that can never reach a final state traps its instances forever.
        let finals = Set(definition.states.filter(\.isFinal).map(\.name))
        if finals.isEmpty {
            diagnostics.append(.error("the process has no final state", at: definition.name.location))
            return diagnostics
        }
        let canFinish = statesReaching(finals)
        for state in definition.states
        where reachable.contains(state.name) && !canFinish.contains(state.name) && !state.isFinal
            && !state.transitions.allSatisfy({ $0.transition.targets.isEmpty }) && !state.hasNoAlternatives
        {
            diagnostics.append(
                .error(
                    "no final state can be reached from '\(state.name)': its instances would never end",
                    at: state.location))
        }
        return diagnostics
    }

    func successors(of name: String) -> [String] {
        statesByName[name]?.transitions.flatMap { $0.transition.targets.map(\.value) } ?? []
    }

    func reachableStates(from starts: [String]) -> Set<String> {
        var seen = Set(starts)
        var queue = starts
        while let next = queue.popLast() {
            for successor in successors(of: next)
            where statesByName[successor] != nil && seen.insert(successor).inserted {
                queue.append(successor)
            }
        }
        return seen
    }

    func statesReaching(_ targets: Set<String>) -> Set<String> {
        var predecessors: [String: [String]] = [:]
        var seen = targets
        for state in definition.states {
            for successor in successors(of: state.name) {
                predecessors[successor, default: []].append(state.name)
                // An undefined target is reported already: count it as a way out rather than report a cascade.
                if statesByName[successor] == nil { seen.insert(state.name) }
            }
        }
        var queue = Array(targets)
        while let next = queue.popLast() {
            for predecessor in predecessors[next] ?? [] where seen.insert(predecessor).inserted {
                queue.append(predecessor)
            }
        }
        return seen
    }

    // MARK: - Scopes

    func baseScope() -> TypeScope {
        TypeScope(
            roots: [
                "context": variables.contextType,
                "settings": .object(Dictionary(definition.settings.map { ($0.name, $0.type) }) { first, _ in first }),
                "instance": .object(["id": .string, "process": .string, "started_at": .date]),
            ],
            unavailableRoots: [
                "input":
                    "'input' is only available while an event is handled: in its transition and the automatic states right after it",
                "result": "'result' is only available in the transition of an action or a sub-process",
                "decision": "'decision' is only available in the outcomes of an approval",
            ])
    }

    func scope(
        input: [String: ValueType]? = nil, result: ValueType? = nil, decision: Bool = false, state: String? = nil
    ) -> TypeScope {
        var scope = baseScope()
        if let input, !input.isEmpty {
            scope.roots["input"] = .object(input)
            scope.unavailableRoots["input"] = nil
        } else if let state, inputAtEntry[state] != nil, !(statesByName[state]?.isWaiting ?? true) {
            scope.unavailableRoots["input"] =
                "'input' is not available in '\(state)': some way into it does not come straight from an event"
        }
        if let result {
            scope.roots["result"] = result
            scope.unavailableRoots["result"] = nil
        }
        if decision {
            scope.roots["decision"] = .object(["outcome": .string, "comment": .string.orNull, "by": .string])
            scope.unavailableRoots["decision"] = nil
        }
        return scope
    }

    // MARK: - States

    func checkState(_ state: StateDefinition) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let entryInput = inputAtEntry[state.name] ?? [:]
        let entryScope = scope(input: entryInput, state: state.name)
        diagnostics += checkAssignments(state.entrySet, scope: entryScope)
        diagnostics += checkSends(state.entryNotify, scope: entryScope)
        switch state.kind {
        case .input(let events):
            for event in events {
                let fieldTypes = Dictionary(event.fields.map { ($0.name, $0.valueType) }) { first, _ in first }
                for field in event.fields {
                    diagnostics += checkField(field, siblings: event.fields, scope: scope(input: entryInput))
                }
                diagnostics += checkTransition(event.transition, scope: scope(input: fieldTypes))
            }
        case .action(let step):
            diagnostics += checkAction(step, scope: entryScope)
            let output = workspace.catalog.actions[step.action.value]?.outputType ?? .object(nil)
            diagnostics += checkTransition(
                step.transition, scope: scope(input: entryInput, result: output, state: state.name))
        case .choice(let branches):
            diagnostics += checkBranches(branches, scope: entryScope)
        case .approval(let approval):
            diagnostics += checkApproval(approval, scope: entryScope)
        case .subprocess(let sub):
            diagnostics += checkSubprocess(sub, scope: entryScope)
        case .final(let final):
            for binding in final.output {
                let (type, found) = binding.expression.typeCheck(in: entryScope)
                diagnostics += found
                if type.containsSecret {
                    diagnostics.append(
                        .error(
                            "'\(binding.name.value)' would hand a secret to the parent process",
                            at: binding.name.location))
                }
            }
        }
        for timer in state.timers {
            if case .expression(let expression) = timer.after {
                diagnostics += expect(expression, toBe: .duration, in: baseScope(), what: "a timer's 'after'")
            }
            if let escalate = timer.escalate {
                if case .approval = state.kind {
                    diagnostics += checkAssignees(escalate, scope: baseScope())
                } else {
                    diagnostics.append(.error("'escalate' applies to approval states only", at: timer.location))
                }
            }
            diagnostics += checkTransition(timer.transition, scope: baseScope())
        }
        return diagnostics
    }

    func checkTransition(_ transition: Transition, scope: TypeScope) -> [Diagnostic] {
        var diagnostics = checkAssignments(transition.set, scope: scope)
        diagnostics += checkSends(transition.notify, scope: scope)
        if case .branches(let branches) = transition.target { diagnostics += checkBranches(branches, scope: scope) }
        return diagnostics
    }

    func checkBranches(_ branches: [Branch], scope: TypeScope) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for branch in branches {
            if let condition = branch.condition {
                diagnostics += expect(condition, toBe: .bool.orNull, in: scope, what: "a guard")
            }
            diagnostics += checkAssignments(branch.set, scope: scope)
            diagnostics += checkSends(branch.notify, scope: scope)
        }
        return diagnostics
    }

    /// Type-checks `expression` and reports when its type is not accepted by `expected`.
    func expect(_ expression: Expression, toBe expected: ValueType, in scope: TypeScope, what: String)
        -> [Diagnostic]
    {
        let (type, diagnostics) = expression.typeCheck(in: scope)
        if diagnostics.hasErrors { return diagnostics }
        if !expected.accepts(type) {
            return diagnostics + [
                .error(
                    "\(what) must be of type \(expected), but '\(expression.source)' is \(type)",
                    at: expression.location)
            ]
        }
        return diagnostics
    }

    func checkAssignments(_ assignments: [Assignment], scope: TypeScope) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for assignment in assignments {
            let name = assignment.variable.value
            let (type, found) = assignment.expression.typeCheck(in: scope)
            diagnostics += found
            guard let declared = variables.types[name] else {
                diagnostics.append(
                    .error(
                        "unknown variable '\(name)': declare it under 'context:'\(didYouMean(name, in: variables.types.keys))",
                        at: assignment.variable.location))
                continue
            }
            if type.containsSecret {
                diagnostics.append(
                    .error(
                        "'\(assignment.expression.source)' is a secret: it cannot be stored in context",
                        at: assignment.expression.location))
            } else if !found.hasErrors, !declared.orNull.accepts(type) {
                diagnostics.append(
                    .error(
                        "cannot assign \(type) to '\(name)', which is \(declared)", at: assignment.expression.location))
            }
        }
        return diagnostics
    }

    // MARK: - Fields

    func checkField(_ field: FieldSpec, siblings: [FieldSpec], scope: TypeScope) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        if let sameAs = field.sameAs {
            if let other = siblings.first(where: { $0.name == sameAs.value }) {
                if other.type != field.type, !(other.type.isTextual && field.type.isTextual) {
                    diagnostics.append(
                        .error("'\(field.name)' cannot equal '\(other.name)': their types differ", at: sameAs.location))
                }
            } else {
                diagnostics.append(
                    .error(
                        "'same_as' names no field of this event: '\(sameAs.value)'\(didYouMean(sameAs.value, in: siblings.map(\.name)))",
                        at: sameAs.location))
            }
        }
        if let prefill = field.prefill {
            diagnostics += expect(
                prefill, toBe: field.valueType.orNull, in: scope, what: "the prefill of '\(field.name)'")
        }
        if let policy = field.policy {
            diagnostics += expect(
                policy, toBe: .object(["min_length": .number.orNull, "min_classes": .number.orNull]).orNull, in: scope,
                what: "a password policy")
        }
        if let value = field.defaultValue, !field.valueType.accepts(ValueType.of(value)),
            !(field.valueType.nonNull == .date && value.stringValue.flatMap(Value.parseDate) != nil)
        {
            diagnostics.append(
                .error(
                    "the default of '\(field.name)' must be \(field.valueType.nonNull), found \(ValueType.of(value))",
                    at: field.location))
        }
        if field.type == .enum, let value = field.defaultValue?.stringValue,
            !field.values.contains(where: { $0.value == value })
        {
            diagnostics.append(.error("the default '\(value)' is not one of the values", at: field.location))
        }
        for item in field.itemSpecs { diagnostics += checkField(item, siblings: [], scope: scope) }
        for member in field.fields { diagnostics += checkField(member, siblings: field.fields, scope: scope) }
        return diagnostics
    }

    // MARK: - Actions

    func checkAction(_ step: ActionStep, scope: TypeScope) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        guard workspace.hasCatalog else { return checkBindings(step.arguments, scope: scope) }
        guard let signature = workspace.catalog.actions[step.action.value] else {
            return [
                .error(
                    "unknown action '\(step.action.value)'\(didYouMean(step.action.value, in: workspace.catalog.actions.keys))",
                    at: step.action.location)
            ] + checkBindings(step.arguments, scope: scope)
        }
        diagnostics += checkArguments(
            step.arguments, against: signature.input, of: "action '\(signature.name)'", at: step.action.location,
            scope: scope)
        if let variable = step.resultVariable, signature.outputType.containsSecret {
            let secrets = signature.output.filter { $0.value.containsSecret }.keys.sorted()
            diagnostics.append(
                .error(
                    "the result of '\(signature.name)' holds a secret (\(secrets.joined(separator: ", "))): it cannot be kept in '\(variable.value)'; use result.\(secrets.first ?? "…") in this transition instead",
                    at: variable.location))
        }
        return diagnostics
    }

    func checkBindings(_ bindings: [Binding], scope: TypeScope) -> [Diagnostic] {
        bindings.flatMap { $0.expression.typeCheck(in: scope).diagnostics }
    }

    /// Arguments against declared input fields: unknown ones, missing required ones, types.
    func checkArguments(
        _ bindings: [Binding], against fields: [FieldSpec], of what: String, at location: SourceLocation,
        scope: TypeScope
    ) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let byName = Dictionary(fields.map { ($0.name, $0) }) { first, _ in first }
        for binding in bindings {
            let (type, found) = binding.expression.typeCheck(in: scope)
            diagnostics += found
            guard let field = byName[binding.name.value] else {
                diagnostics.append(
                    .error(
                        "\(what) has no input '\(binding.name.value)'\(didYouMean(binding.name.value, in: byName.keys))",
                        at: binding.name.location))
                continue
            }
            // Nullability is not narrowed by guards (`when: input.siret != null` then `siret: context.siret`), so a
            // nullable value is accepted for a required input; a null one is refused when the call is made.
            var expected = field.valueType.orNull
            if field.type.isSecret { expected = ValueType.secret.orNull }
            if found.hasErrors { continue }
            if type.containsSecret, !field.type.isSecret {
                diagnostics.append(
                    .error(
                        "input '\(field.name)' of \(what) is not a secret: it cannot receive '\(binding.expression.source)'",
                        at: binding.expression.location))
            } else if !expected.accepts(type) {
                diagnostics.append(
                    .error(
                        "input '\(field.name)' of \(what) must be \(expected.nonNull), but '\(binding.expression.source)' is \(type)",
                        at: binding.expression.location))
            }
        }
        let given = Set(bindings.map(\.name.value))
        for field in fields where field.required && field.defaultValue == nil && !given.contains(field.name) {
            diagnostics.append(.error("\(what) needs its input '\(field.name)'", at: location))
        }
        return diagnostics
    }

    // MARK: - Approvals and sub-processes

    func checkApproval(_ approval: ApprovalSpec, scope: TypeScope) -> [Diagnostic] {
        var diagnostics = approval.title.typeCheck(in: scope).diagnostics
        if approval.title.typeCheck(in: scope).containsSecret {
            diagnostics.append(.error("a task title cannot show a secret", at: approval.titleLocation))
        }
        if let description = approval.description { diagnostics += description.typeCheck(in: scope).diagnostics }
        diagnostics += checkAssignees(approval.assignees, scope: scope)
        if let requester = approval.requester {
            diagnostics += expect(requester, toBe: .string.orNull, in: scope, what: "'requester'")
        }
        var names = Set<String>()
        for outcome in approval.outcomes {
            if !names.insert(outcome.name).inserted {
                diagnostics.append(.error("outcome '\(outcome.name)' is defined twice", at: outcome.location))
            }
            diagnostics += checkTransition(outcome.transition, scope: self.scope(decision: true))
        }
        return diagnostics
    }

    func checkAssignees(_ assignees: AssigneeSpec, scope: TypeScope) -> [Diagnostic] {
        switch assignees {
        case .expression(let expression):
            return expect(expression, toBe: .list(.string), in: scope, what: "'assignees'")
        case .resolver(let name, let arguments):
            guard workspace.hasCatalog else { return checkBindings(arguments, scope: scope) }
            guard let resolver = workspace.catalog.resolvers[name.value] else {
                return [
                    .error(
                        "unknown assignee resolver '\(name.value)'\(didYouMean(name.value, in: workspace.catalog.resolvers.keys))",
                        at: name.location)
                ] + checkBindings(arguments, scope: scope)
            }
            return checkArguments(
                arguments, against: resolver.input, of: "resolver '\(resolver.name)'", at: name.location, scope: scope)
        }
    }

    func checkSubprocess(_ sub: SubprocessSpec, scope: TypeScope) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        let outcomeScope = self.scope(result: .object(["outcome": .string, "output": .object(nil)]))
        for outcome in sub.outcomes { diagnostics += checkTransition(outcome.transition, scope: outcomeScope) }
        guard let child = workspace.definition(named: sub.process.value) else {
            let names = workspace.definitions.map(\.name.value) + workspace.referenceDefinitions.map(\.name.value)
            return diagnostics + [
                .error(
                    "sub-process '\(sub.process.value)' does not exist\(didYouMean(sub.process.value, in: names))",
                    at: sub.process.location)
            ] + checkBindings(sub.arguments, scope: scope)
        }
        if child.name.value == definition.name.value {
            diagnostics.append(.error("a process cannot start itself as a sub-process", at: sub.process.location))
        }
        diagnostics += checkArguments(
            sub.arguments, against: child.params, of: "process '\(child.name.value)'", at: sub.process.location,
            scope: scope)
        let childOutcomes = child.finalOutcomes
        for outcome in sub.outcomes where !childOutcomes.contains(outcome.name) {
            diagnostics.append(
                .error(
                    "process '\(child.name.value)' never ends with '\(outcome.name)'\(didYouMean(outcome.name, in: childOutcomes))",
                    at: outcome.location))
        }
        let handled = Set(sub.outcomes.map(\.name))
        for outcome in childOutcomes where !handled.contains(outcome) {
            diagnostics.append(
                .error(
                    "outcome '\(outcome)' of sub-process '\(child.name.value)' is not handled", at: sub.process.location
                ))
        }
        return diagnostics
    }

    // MARK: - Notifications

    func checkTemplate(_ template: NotificationTemplate) -> [Diagnostic] {
        let scope = TypeScope(roots: Dictionary(template.params.map { ($0.name, $0.type) }) { first, _ in first })
        var diagnostics: [Diagnostic] = []
        for text in template.subject.values { diagnostics += text.typeCheck(in: scope).diagnostics }
        for text in template.body.values { diagnostics += text.typeCheck(in: scope).diagnostics }
        return diagnostics
    }

    func checkSends(_ sends: [NotificationSend], scope: TypeScope) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for send in sends {
            diagnostics += expect(send.to, toBe: .any, in: scope, what: "'to'")
            let (toType, _) = send.to.typeCheck(in: scope)
            if !ValueType.string.orNull.accepts(toType), !ValueType.list(.string).orNull.accepts(toType) {
                diagnostics.append(
                    .error(
                        "'to' must be an address (string) or a list of addresses, but '\(send.to.source)' is \(toType)",
                        at: send.to.location))
            }
            if let language = send.language {
                diagnostics += expect(language, toBe: .string.orNull, in: scope, what: "'lang'")
            }
            guard let template = definition.notification(named: send.template.value) else {
                diagnostics.append(
                    .error(
                        "unknown notification '\(send.template.value)'\(didYouMean(send.template.value, in: definition.notifications.map(\.name)))",
                        at: send.template.location))
                diagnostics += checkBindings(send.arguments, scope: scope)
                continue
            }
            let params = Dictionary(template.params.map { ($0.name, $0.type) }) { first, _ in first }
            for binding in send.arguments {
                let (type, found) = binding.expression.typeCheck(in: scope)
                diagnostics += found
                guard let expected = params[binding.name.value] else {
                    diagnostics.append(
                        .error(
                            "notification '\(template.name)' has no param '\(binding.name.value)'\(didYouMean(binding.name.value, in: params.keys))",
                            at: binding.name.location))
                    continue
                }
                if found.hasErrors { continue }
                if type.containsSecret, !expected.containsSecret {
                    diagnostics.append(
                        .error(
                            "'\(binding.expression.source)' is a secret: declare param '\(binding.name.value)' of '\(template.name)' as secret",
                            at: binding.expression.location))
                } else if !expected.orNull.accepts(type) {
                    diagnostics.append(
                        .error(
                            "param '\(binding.name.value)' of '\(template.name)' is \(expected), but '\(binding.expression.source)' is \(type)",
                            at: binding.expression.location))
                }
            }
            let given = Set(send.arguments.map(\.name.value))
            for param in template.params where !given.contains(param.name) {
                diagnostics.append(
                    .error(
                        "notification '\(template.name)' needs its param '\(param.name)'", at: send.template.location))
            }
        }
        return diagnostics
    }
}

extension StateDefinition {
    /// An input state without events or an approval without outcomes: reported by the loader already.
    var hasNoAlternatives: Bool {
        switch kind {
        case .input(let events): events.isEmpty
        case .approval(let approval): approval.outcomes.isEmpty
        default: false
        }
    }
}
