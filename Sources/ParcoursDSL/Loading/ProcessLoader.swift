import Foundation

/// Builds a `ProcessDefinition` from a YAML document, reporting every structural problem with its position.
struct ProcessLoader {
    let sink: DiagnosticSink
    let file: String

    static let topLevelKeys = [
        "process", "title", "description", "start", "params", "context", "settings", "notifications", "states",
    ]
    static let kindKeys = ["on", "action", "choice", "approval", "subprocess", "final"]
    static let commonStateKeys = ["title", "description", "set", "notify", "timers"]
    static let stateKeys: [String: [String]] = [
        "on": [],
        "action": ["with", "result", "goto"],
        "choice": [],
        "approval": [],
        "subprocess": [],
        "final": ["output"],
    ]
    static let fieldKeys = [
        "type", "required", "label", "help", "default", "values", "min_length", "max_length", "pattern", "min", "max",
        "same_as", "items", "fields", "prefill", "editable", "policy", "store",
    ]

    func load(_ root: MappingReader, source: String) -> ProcessDefinition? {
        root.rejectUnknownKeys(allowed: Self.topLevelKeys)
        guard let name = root.string("process", required: true) else { return nil }
        var definition = ProcessDefinition(name: name, file: file, source: source)
        if !name.value.isEmpty,
            name.value.range(of: #"^[A-Za-z_][A-Za-z0-9_.\-]*$"#, options: .regularExpression) == nil
        {
            sink.error("invalid process name '\(name.value)': use letters, digits, '_', '-' and '.'", at: name.location)
        }
        definition.title = root.string("title")?.value
        definition.description = root.string("description")?.value
        definition.start = root.string("start")
        if !root.has("start") { sink.error("the process has no 'start' state", at: root.node.location) }
        definition.params = fields(root["params"], what: "'params'")
        definition.declaredContext = declarations(root["context"], what: "'context'")
        definition.settings = settings(root["settings"])
        definition.notifications = notifications(root["notifications"])
        if let statesNode = root.required("states"),
            let states = MappingReader(statesNode, what: "'states'", sink: sink)
        {
            if states.keys.isEmpty { sink.error("'states' must define at least one state", at: statesNode.location) }
            for (stateName, location, node) in states.entries {
                checkName(stateName, what: "state", at: location)
                if let state = state(stateName, node, at: location) { definition.states.append(state) }
            }
        }
        return definition
    }

    // MARK: - Names, types, fields

    func checkName(_ name: String, what: String, at location: SourceLocation) {
        if name.range(of: #"^[A-Za-z_][A-Za-z0-9_]*$"#, options: .regularExpression) == nil {
            sink.error(
                "invalid \(what) name '\(name)': use letters, digits and '_', not starting with a digit",
                at: location)
        }
    }

    /// `name: type` declarations (`context:`, template `params:`); a mapping value is an object type.
    func declarations(_ node: SourceNode?, what: String) -> [ContextDeclaration] {
        guard let node, let reader = MappingReader(node, what: what, sink: sink) else { return [] }
        return reader.entries.compactMap { name, location, value in
            checkName(name, what: "variable", at: location)
            return type(value, what: "the type of '\(name)'").map {
                ContextDeclaration(name: name, type: $0, location: location)
            }
        }
    }

    /// A type written as a string (`string?`, `list<string>`) or a mapping (an object with those members).
    func type(_ node: SourceNode, what: String) -> ValueType? {
        if let reader = node.entries.flatMap({ _ in MappingReader(node, what: what, sink: sink) }) {
            var members: [String: ValueType] = [:]
            for (name, _, value) in reader.entries {
                if let memberType = type(value, what: "the type of '\(name)'") { members[name] = memberType }
            }
            return .object(members)
        }
        guard let text = MappingReader.string(node, what: what, sink: sink) else { return nil }
        if let parsed = ValueType.parse(text.value) { return parsed }
        sink.error("unknown type '\(text.value)'\(didYouMean(text.value, in: ValueType.typeNames))", at: text.location)
        return nil
    }

    func fields(_ node: SourceNode?, what: String) -> [FieldSpec] {
        guard let node, let reader = MappingReader(node, what: what, sink: sink) else { return [] }
        return reader.entries.compactMap { name, location, value in
            checkName(name, what: "field", at: location)
            return field(name, value, at: location)
        }
    }

    func field(_ name: String, _ node: SourceNode, at location: SourceLocation) -> FieldSpec? {
        // `name: email` is short for `name: { type: email }`.
        if let text = node.scalarText, !node.value.isNull {
            guard let type = FieldType(rawValue: text) else {
                sink.error(
                    "unknown field type '\(text)'\(didYouMean(text, in: FieldType.allCases.map(\.rawValue)))",
                    at: node.contentLocation)
                return nil
            }
            return FieldSpec(name: name, location: location, type: type)
        }
        guard let reader = MappingReader(node, what: "field '\(name)'", sink: sink) else { return nil }
        reader.rejectUnknownKeys(allowed: Self.fieldKeys)
        guard let typeName = reader.string("type", required: true) else { return nil }
        guard let type = FieldType(rawValue: typeName.value) else {
            sink.error(
                "unknown field type '\(typeName.value)'\(didYouMean(typeName.value, in: FieldType.allCases.map(\.rawValue)))",
                at: typeName.location)
            return nil
        }
        var spec = FieldSpec(name: name, location: location, type: type)
        spec.required = reader.bool("required") ?? false
        spec.label = reader.string("label")?.value
        spec.help = reader.string("help")?.value
        spec.defaultValue = reader["default"]?.value
        spec.minLength = reader.integer("min_length")
        spec.maxLength = reader.integer("max_length")
        spec.minimum = reader.number("min")
        spec.maximum = reader.number("max")
        spec.sameAs = reader.string("same_as")
        spec.prefill = reader.expression("prefill")
        spec.editable = reader.bool("editable") ?? true
        spec.policy = reader.expression("policy")
        spec.store = reader.bool("store") ?? true
        if let pattern = reader.string("pattern") {
            if (try? NSRegularExpression(pattern: pattern.value)) == nil {
                sink.error("invalid regular expression '\(pattern.value)'", at: pattern.location)
            } else {
                spec.pattern = pattern.value
            }
        }
        if let valuesNode = reader["values"] {
            spec.values = enumValues(valuesNode)
            if type != .enum { sink.error("'values' applies to enum fields only", at: valuesNode.location) }
        } else if type == .enum {
            sink.error("enum field '\(name)' needs 'values'", at: location)
        }
        if let itemsNode = reader["items"] {
            if type != .list { sink.error("'items' applies to list fields only", at: itemsNode.location) }
            if let item = field("\(name)[]", itemsNode, at: itemsNode.location) { spec.itemSpecs = [item] }
        }
        if let fieldsNode = reader["fields"] {
            if type != .object { sink.error("'fields' applies to object fields only", at: fieldsNode.location) }
            spec.fields = fields(fieldsNode, what: "'fields' of '\(name)'")
        }
        // A secret is never stored, but an object or a list field is, whole (in context and in history): a secret
        // inside one would be kept in clear. Only an event's own fields may be secrets.
        for nested in spec.itemSpecs + spec.fields where nested.type.isSecret {
            sink.error(
                "a \(nested.type.rawValue) field cannot sit inside \(type == .list ? "the list" : "the object") '\(name)' "
                    + "(which is stored whole): make it a field of the event itself",
                at: nested.location)
        }
        if spec.policy != nil, type != .password {
            sink.error("'policy' applies to password fields only", at: reader.keyLocation("policy") ?? location)
        }
        if type.isSecret, reader.bool("store") == true {
            sink.error(
                "a \(type.rawValue) field is never stored: remove 'store: true'",
                at: reader.keyLocation("store") ?? location)
        }
        if !spec.editable, spec.prefill == nil {
            sink.error("a field that is not editable needs a 'prefill'", at: reader.keyLocation("editable") ?? location)
        }
        return spec
    }

    func enumValues(_ node: SourceNode) -> [EnumValue] {
        guard let items = node.items else {
            sink.error("'values' must be a list, found \(node.shapeName)", at: node.location)
            return []
        }
        return items.compactMap { item in
            if item.entries != nil, let reader = MappingReader(item, what: "an enum value", sink: sink) {
                reader.rejectUnknownKeys(allowed: ["value", "label"])
                return reader.string("value", required: true).map {
                    EnumValue(value: $0.value, label: reader.string("label")?.value)
                }
            }
            return MappingReader.string(item, what: "an enum value", sink: sink).map {
                EnumValue(value: $0.value, label: nil)
            }
        }
    }

    func settings(_ node: SourceNode?) -> [SettingDefault] {
        guard let node, let reader = MappingReader(node, what: "'settings'", sink: sink) else { return [] }
        return reader.entries.map { name, location, value in
            checkName(name, what: "setting", at: location)
            return SettingDefault(name: name, value: Self.settingValue(value.value), location: location)
        }
    }

    /// Settings' strings that are ISO durations become durations, recursively.
    static func settingValue(_ value: Value) -> Value {
        switch value {
        case .string(let text) where text.hasPrefix("P"): ISODuration(text).map(Value.duration) ?? value
        case .list(let items): .list(items.map(settingValue))
        case .object(let members): .object(members.mapValues(settingValue))
        default: value
        }
    }

    // MARK: - Notifications

    func notifications(_ node: SourceNode?) -> [NotificationTemplate] {
        guard let node, let reader = MappingReader(node, what: "'notifications'", sink: sink) else { return [] }
        return reader.entries.compactMap { name, location, value in
            checkName(name, what: "notification", at: location)
            guard let template = MappingReader(value, what: "notification '\(name)'", sink: sink) else { return nil }
            template.rejectUnknownKeys(allowed: ["params", "subject", "body", "description"])
            var result = NotificationTemplate(name: name, location: location)
            result.params = declarations(template["params"], what: "'params' of '\(name)'")
            result.subject = localized(template.required("subject"), what: "'subject' of '\(name)'")
            result.body = localized(template.required("body"), what: "'body' of '\(name)'")
            return result
        }
    }

    func localized(_ node: SourceNode?, what: String) -> [String: TemplateString] {
        guard let node else { return [:] }
        if node.entries == nil {
            return MappingReader.template(node, what: what, sink: sink).map {
                [NotificationTemplate.defaultLanguage: $0]
            } ?? [:]
        }
        guard let reader = MappingReader(node, what: what, sink: sink) else { return [:] }
        var result: [String: TemplateString] = [:]
        for (language, location, value) in reader.entries {
            if language.range(of: #"^[a-z]{2}(-[A-Z]{2})?$"#, options: .regularExpression) == nil {
                sink.error("'\(language)' is not a language code such as 'fr' or 'en'", at: location)
            }
            result[language] = MappingReader.template(value, what: "\(what) (\(language))", sink: sink)
        }
        if result[NotificationTemplate.defaultLanguage] == nil {
            sink.error("\(what) needs a French text ('fr'), the default language", at: node.location)
        }
        return result
    }

    // MARK: - States

    func state(_ name: String, _ node: SourceNode, at location: SourceLocation) -> StateDefinition? {
        guard let reader = MappingReader(node, what: "state '\(name)'", sink: sink) else { return nil }
        let kinds = reader.keys.filter(Self.kindKeys.contains)
        guard let kindKey = kinds.first else {
            sink.error(
                "state '\(name)' has no kind: give it one of \(Self.kindKeys.map { "'\($0)'" }.joined(separator: ", "))",
                at: location)
            return nil
        }
        if kinds.count > 1 {
            sink.error(
                "state '\(name)' has several kinds (\(kinds.joined(separator: ", "))): keep one",
                at: reader.keyLocation(kinds[1]) ?? location)
        }
        if kindKey == "final", let gotoLocation = reader.keyLocation("goto") {
            sink.error("final state '\(name)' cannot have outgoing transitions: remove 'goto'", at: gotoLocation)
        }
        if !["on", "approval", "subprocess"].contains(kindKey), let timersLocation = reader.keyLocation("timers") {
            sink.error(
                "only waiting states (input, approval, subprocess) have timers; '\(name)' is a\(kindKey == "action" ? "n" : "") \(kindKey == "on" ? "input" : kindKey) state",
                at: timersLocation)
        }
        reader.rejectUnknownKeys(
            allowed: [kindKey] + (Self.stateKeys[kindKey] ?? []) + Self.commonStateKeys
                + (kindKey == "final" ? ["goto"] : []))
        guard let kindNode = reader[kindKey] else { return nil }
        let kind: StateKind
        var entrySet = assignments(reader["set"])
        var entryNotify = sends(reader["notify"])
        switch kindKey {
        case "on":
            guard let events = MappingReader(kindNode, what: "'on' of state '\(name)'", sink: sink) else { return nil }
            if events.keys.isEmpty { sink.error("state '\(name)' accepts no event", at: kindNode.location) }
            kind = .input(
                events.entries.compactMap { eventName, eventLocation, eventNode in
                    checkName(eventName, what: "event", at: eventLocation)
                    return event(eventName, eventNode, at: eventLocation)
                })
        case "action":
            guard let action = MappingReader.string(kindNode, what: "'action'", sink: sink) else { return nil }
            var step = ActionStep(action: action, transition: transition(reader, at: location))
            step.arguments = reader.bindings("with")
            step.resultVariable = reader.string("result")
            // In an action state, `set` and `notify` run after the action, where `result` is visible.
            step.transition.set = entrySet
            step.transition.notify = entryNotify
            entrySet = []
            entryNotify = []
            kind = .action(step)
        case "choice":
            guard let items = kindNode.items else {
                sink.error("'choice' must be a list of branches, found \(kindNode.shapeName)", at: kindNode.location)
                return nil
            }
            kind = .choice(branches(items, at: kindNode.location))
        case "approval":
            guard let approval = approval(kindNode, state: name) else { return nil }
            kind = .approval(approval)
        case "subprocess":
            guard let sub = subprocess(kindNode, state: name) else { return nil }
            kind = .subprocess(sub)
        default:
            guard let outcome = MappingReader.string(kindNode, what: "'final'", sink: sink) else { return nil }
            checkName(outcome.value, what: "outcome", at: outcome.location)
            kind = .final(FinalSpec(outcome: outcome, output: reader.bindings("output")))
        }
        var state = StateDefinition(name: name, location: location, kind: kind)
        state.title = reader.string("title")?.value
        state.description = reader.string("description")?.value
        state.entrySet = entrySet
        state.entryNotify = entryNotify
        if let timersNode = reader["timers"], state.isWaiting { state.timers = timers(timersNode) }
        return state
    }

    func event(_ name: String, _ node: SourceNode, at location: SourceLocation) -> EventSpec? {
        if node.value.isNull, node.scalarText != nil {
            sink.error("event '\(name)' needs a 'goto'", at: location)
            return nil
        }
        guard let reader = MappingReader(node, what: "event '\(name)'", sink: sink) else { return nil }
        reader.rejectUnknownKeys(allowed: ["title", "fields", "goto", "set", "notify"])
        var spec = EventSpec(name: name, location: location, transition: transition(reader, at: location))
        spec.title = reader.string("title")?.value
        spec.fields = fields(reader["fields"], what: "'fields' of event '\(name)'")
        return spec
    }

    /// The `goto` / `set` / `notify` keys of a mapping.
    func transition(_ reader: MappingReader, at location: SourceLocation) -> Transition {
        var result = Transition(location: location)
        if let gotoNode = reader["goto"] {
            if let items = gotoNode.items {
                result.target = .branches(branches(items, at: gotoNode.location))
            } else if let target = MappingReader.string(gotoNode, what: "'goto'", sink: sink) {
                result.target = .state(target)
            }
        }
        result.set = assignments(reader["set"])
        result.notify = sends(reader["notify"])
        return result
    }

    func branches(_ items: [SourceNode], at location: SourceLocation) -> [Branch] {
        if items.isEmpty { sink.error("a list of branches must not be empty", at: location) }
        var result: [Branch] = []
        for (index, item) in items.enumerated() {
            guard let reader = MappingReader(item, what: "a branch", sink: sink) else { continue }
            reader.rejectUnknownKeys(allowed: ["when", "goto", "otherwise", "set", "notify"])
            let set = assignments(reader["set"])
            let notify = sends(reader["notify"])
            if reader.has("otherwise") {
                if reader.has("when") || reader.has("goto") {
                    sink.error(
                        "an 'otherwise' branch has no 'when' and no 'goto': write 'otherwise: STATE'",
                        at: item.location)
                }
                if index != items.count - 1 {
                    sink.error("'otherwise' must be the last branch", at: item.location)
                }
                if let target = reader.string("otherwise") {
                    result.append(
                        Branch(condition: nil, target: target, set: set, notify: notify, location: item.location))
                }
            } else {
                let condition = reader.expression("when", required: true)
                guard let target = reader.string("goto", required: true) else { continue }
                if let condition {
                    result.append(
                        Branch(condition: condition, target: target, set: set, notify: notify, location: item.location))
                }
            }
        }
        if let last = items.last, !items.isEmpty, result.last?.condition != nil || result.isEmpty,
            !(last.entries?.contains { $0.key.scalarText == "otherwise" } ?? false)
        {
            sink.error("the branches need a last 'otherwise' branch, taken when no guard holds", at: last.location)
        }
        return result
    }

    func assignments(_ node: SourceNode?) -> [Assignment] {
        guard let node, let reader = MappingReader(node, what: "'set'", sink: sink) else { return [] }
        return reader.entries.compactMap { name, location, value in
            MappingReader.expression(value, what: "the value of '\(name)'", sink: sink).map {
                Assignment(variable: Located(name, at: location), expression: $0)
            }
        }
    }

    func sends(_ node: SourceNode?) -> [NotificationSend] {
        guard let node else { return [] }
        let items = node.items ?? [node]
        return items.compactMap { item in
            guard let reader = MappingReader(item, what: "a notification to send", sink: sink) else { return nil }
            reader.rejectUnknownKeys(allowed: ["template", "to", "with", "lang"])
            guard let template = reader.string("template", required: true),
                let to = reader.expression("to", required: true)
            else { return nil }
            return NotificationSend(
                template: template, to: to, arguments: reader.bindings("with"), language: reader.expression("lang"),
                location: item.location)
        }
    }

    func timers(_ node: SourceNode) -> [TimerSpec] {
        guard let items = node.items else {
            sink.error("'timers' must be a list, found \(node.shapeName)", at: node.location)
            return []
        }
        return items.compactMap { item in
            guard let reader = MappingReader(item, what: "a timer", sink: sink) else { return nil }
            reader.rejectUnknownKeys(allowed: ["after", "goto", "set", "notify", "escalate"])
            guard let afterNode = reader.required("after"), let after = duration(afterNode) else { return nil }
            let escalate = reader["escalate"].flatMap { assignees($0) }
            let timer = TimerSpec(
                after: after, transition: transition(reader, at: item.location), escalate: escalate,
                location: item.location)
            if timer.transition.target == .none, escalate == nil, timer.transition.notify.isEmpty,
                timer.transition.set.isEmpty
            {
                sink.error(
                    "this timer does nothing: give it a 'goto', 'notify', 'set' or 'escalate'", at: item.location)
            }
            return timer
        }
    }

    /// An ISO-8601 literal (`P30D`) or an expression of type duration (`settings.activation_validity`).
    func duration(_ node: SourceNode) -> DurationSpec? {
        guard let text = MappingReader.string(node, what: "'after'", sink: sink) else { return nil }
        let trimmed = text.value.trimmingCharacters(in: .whitespaces)
        if let first = trimmed.first, first == "P" || first == "p" || first.isNumber {
            guard let duration = ISODuration(trimmed) else {
                sink.error(
                    "invalid duration '\(trimmed)': write an ISO-8601 duration such as P30D, PT12H or P1M",
                    at: text.location)
                return nil
            }
            return .literal(duration)
        }
        return MappingReader.expression(node, what: "'after'", sink: sink).map(DurationSpec.expression)
    }

    func assignees(_ node: SourceNode) -> AssigneeSpec? {
        if node.entries != nil, let reader = MappingReader(node, what: "'assignees'", sink: sink) {
            reader.rejectUnknownKeys(allowed: ["resolver", "with"])
            guard let resolver = reader.string("resolver", required: true) else { return nil }
            return .resolver(name: resolver, arguments: reader.bindings("with"))
        }
        return MappingReader.expression(node, what: "'assignees'", sink: sink).map(AssigneeSpec.expression)
    }

    func approval(_ node: SourceNode, state: String) -> ApprovalSpec? {
        guard let reader = MappingReader(node, what: "'approval' of state '\(state)'", sink: sink) else { return nil }
        reader.rejectUnknownKeys(allowed: ["title", "description", "assignees", "requester", "outcomes"])
        guard let titleNode = reader.required("title"),
            let title = MappingReader.template(titleNode, what: "'title'", sink: sink),
            let assigneesNode = reader.required("assignees"), let assignees = assignees(assigneesNode)
        else { return nil }
        var spec = ApprovalSpec(
            title: title, titleLocation: titleNode.contentLocation,
            description: reader["description"].flatMap {
                MappingReader.template($0, what: "'description'", sink: sink)
            },
            assignees: assignees, requester: reader.expression("requester"))
        if let outcomesNode = reader.required("outcomes") {
            spec.outcomes = outcomes(outcomesNode, allowComment: true)
            if spec.outcomes.isEmpty, outcomesNode.entries?.isEmpty ?? true {
                sink.error("an approval needs at least one outcome", at: outcomesNode.location)
            }
        }
        return spec
    }

    func outcomes(_ node: SourceNode, allowComment: Bool) -> [OutcomeSpec] {
        guard let reader = MappingReader(node, what: "'outcomes'", sink: sink) else { return [] }
        return reader.entries.compactMap { name, location, value in
            checkName(name, what: "outcome", at: location)
            if value.entries == nil {
                guard let target = MappingReader.string(value, what: "outcome '\(name)'", sink: sink) else {
                    return nil
                }
                return OutcomeSpec(
                    name: name, location: location, transition: Transition(target: .state(target), location: location))
            }
            guard let outcome = MappingReader(value, what: "outcome '\(name)'", sink: sink) else { return nil }
            outcome.rejectUnknownKeys(
                allowed: ["goto", "set", "notify"] + (allowComment ? ["label", "comment"] : []))
            var spec = OutcomeSpec(name: name, location: location, transition: transition(outcome, at: location))
            spec.label = outcome.string("label")?.value
            if let comment = outcome.string("comment") {
                if let requirement = OutcomeSpec.Comment(rawValue: comment.value) {
                    spec.comment = requirement
                } else {
                    sink.error("'comment' must be 'required' or 'optional'", at: comment.location)
                }
            }
            return spec
        }
    }

    func subprocess(_ node: SourceNode, state: String) -> SubprocessSpec? {
        guard let reader = MappingReader(node, what: "'subprocess' of state '\(state)'", sink: sink) else { return nil }
        reader.rejectUnknownKeys(allowed: ["process", "with", "outcomes"])
        guard let process = reader.string("process", required: true) else { return nil }
        var spec = SubprocessSpec(process: process, arguments: reader.bindings("with"))
        if let outcomesNode = reader.required("outcomes") {
            spec.outcomes = outcomes(outcomesNode, allowComment: false)
        }
        return spec
    }
}
