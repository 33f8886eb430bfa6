import Foundation

/// Reads action catalogues (`actions:` / `assignees:`).
struct CatalogLoader {
    let sink: DiagnosticSink
    let file: String

    func load(_ root: MappingReader) -> ActionCatalog {
        root.rejectUnknownKeys(allowed: ["actions", "assignees", "description"])
        let processLoader = ProcessLoader(sink: sink, file: file)
        var catalog = ActionCatalog()
        catalog.files = [file]
        if let node = root["actions"], let actions = MappingReader(node, what: "'actions'", sink: sink) {
            for (name, location, value) in actions.entries {
                guard let reader = MappingReader(value, what: "action '\(name)'", sink: sink) else { continue }
                reader.rejectUnknownKeys(allowed: ["description", "input", "output", "example"])
                var signature = ActionSignature(name: name, location: location)
                signature.description = reader.string("description")?.value
                signature.input = processLoader.fields(reader["input"], what: "'input' of '\(name)'")
                if let output = reader["output"] {
                    if case .object(let members)? = processLoader.type(output, what: "'output' of '\(name)'") {
                        signature.output = members ?? [:]
                    } else {
                        sink.error("'output' of '\(name)' must be a mapping of names to types", at: output.location)
                    }
                }
                signature.example = reader["example"]?.value
                catalog.actions[name] = signature
            }
        }
        if let node = root["assignees"], let resolvers = MappingReader(node, what: "'assignees'", sink: sink) {
            for (name, location, value) in resolvers.entries {
                guard let reader = MappingReader(value, what: "resolver '\(name)'", sink: sink) else { continue }
                reader.rejectUnknownKeys(allowed: ["description", "input", "example"])
                var signature = ResolverSignature(name: name, location: location)
                signature.description = reader.string("description")?.value
                signature.input = processLoader.fields(reader["input"], what: "'input' of '\(name)'")
                signature.example = reader.stringList("example") ?? []
                catalog.resolvers[name] = signature
            }
        }
        return catalog
    }
}

/// Reads tenant configurations (`tenant:`).
struct TenantLoader {
    let sink: DiagnosticSink
    let file: String

    func load(_ root: MappingReader) -> TenantConfiguration? {
        root.rejectUnknownKeys(allowed: ["tenant", "title", "description", "settings"])
        guard let name = root.string("tenant", required: true) else { return nil }
        var tenant = TenantConfiguration(name: name, file: file)
        tenant.title = root.string("title")?.value
        if let node = root["settings"], let processes = MappingReader(node, what: "'settings'", sink: sink) {
            for (process, location, value) in processes.entries {
                tenant.processLocations[process] = location
                guard let settings = MappingReader(value, what: "the settings of '\(process)'", sink: sink) else {
                    continue
                }
                var values: [String: Located<Value>] = [:]
                for (key, keyLocation, settingNode) in settings.entries {
                    values[key] = Located(ProcessLoader.settingValue(settingNode.value), at: keyLocation)
                }
                tenant.settings[process] = values
            }
        }
        return tenant
    }
}

/// Reads scenarios (`scenario:`).
struct ScenarioLoader {
    let sink: DiagnosticSink
    let file: String

    func load(_ root: MappingReader) -> Scenario? {
        root.rejectUnknownKeys(allowed: [
            "scenario", "description", "process", "tenant", "settings", "params", "start", "stubs", "assignees",
            "steps", "expect",
        ])
        guard let name = root.string("scenario", required: true), let process = root.string("process", required: true)
        else { return nil }
        var start = Scenario.defaultStart
        if let startText = root.string("start") {
            if let date = Value.parseDate(startText.value) {
                start = date
            } else {
                sink.error("'start' must be an ISO-8601 date-time such as 2026-01-01T09:00:00Z", at: startText.location)
            }
        }
        var scenario = Scenario(name: name.value, location: name.location, process: process, start: start, file: file)
        scenario.tenant = root.string("tenant")
        if let node = root["settings"], let settings = MappingReader(node, what: "'settings'", sink: sink) {
            for (key, location, value) in settings.entries {
                scenario.settings[key] = Located(ProcessLoader.settingValue(value.value), at: location)
            }
        }
        if let params = root["params"] { scenario.params = objectValue(params, what: "'params'") }
        if let node = root["stubs"], let stubs = MappingReader(node, what: "'stubs'", sink: sink) {
            for (action, _, value) in stubs.entries { scenario.stubs[action] = results(value) }
        }
        if let node = root["assignees"], let resolvers = MappingReader(node, what: "'assignees'", sink: sink) {
            for (resolver, _, _) in resolvers.entries { scenario.assignees[resolver] = resolvers.stringList(resolver) }
        }
        if let node = root["steps"] {
            if let items = node.items {
                scenario.steps = items.compactMap(step)
            } else {
                sink.error("'steps' must be a list, found \(node.shapeName)", at: node.location)
            }
        }
        scenario.expect = root["expect"].flatMap(expectation)
        if scenario.expect == nil,
            !scenario.steps.contains(where: { if case .expect = $0.kind { true } else { false } })
        {
            sink.warning("this scenario expects nothing: add an 'expect'", at: name.location)
        }
        return scenario
    }

    /// A stubbed result, or a list of results consumed in order (a list of mappings).
    func results(_ node: SourceNode) -> [Value] {
        if let items = node.items, items.allSatisfy({ $0.entries != nil }) { return items.map(\.value) }
        return [node.value]
    }

    func objectValue(_ node: SourceNode, what: String) -> [String: Value] {
        guard case .object(let members) = node.value, node.entries != nil else {
            sink.error("\(what) must be a mapping, found \(node.shapeName)", at: node.location)
            return [:]
        }
        return members
    }

    static let stepKinds = ["event", "advance", "decide", "expect", "stub"]

    func step(_ node: SourceNode) -> ScenarioStep? {
        guard let reader = MappingReader(node, what: "a step", sink: sink) else { return nil }
        let kinds = reader.keys.filter(Self.stepKinds.contains)
        guard let kind = kinds.first, kinds.count == 1 else {
            sink.error(
                "a step needs exactly one of \(Self.stepKinds.map { "'\($0)'" }.joined(separator: ", "))",
                at: node.location)
            return nil
        }
        switch kind {
        case "event":
            reader.rejectUnknownKeys(allowed: ["event", "data", "rejected"])
            guard let name = reader.string("event") else { return nil }
            let data = reader["data"].map { objectValue($0, what: "'data'") } ?? [:]
            var rejected: [String]?
            if let rejectedNode = reader["rejected"] {
                if case .bool(let flag) = rejectedNode.value {
                    rejected = flag ? [] : nil
                } else {
                    rejected = reader.stringList("rejected")
                }
            }
            return ScenarioStep(kind: .event(name: name.value, data: data, rejected: rejected), location: node.location)
        case "advance":
            reader.rejectUnknownKeys(allowed: ["advance"])
            guard let text = reader.string("advance") else { return nil }
            guard let duration = ISODuration(text.value) else {
                sink.error(
                    "invalid duration '\(text.value)': write an ISO-8601 duration such as P31D", at: text.location)
                return nil
            }
            return ScenarioStep(kind: .advance(duration), location: node.location)
        case "decide":
            reader.rejectUnknownKeys(allowed: ["decide", "by", "comment", "rejected"])
            guard let outcome = reader.string("decide") else { return nil }
            return ScenarioStep(
                kind: .decide(
                    outcome: outcome.value, by: reader.string("by")?.value, comment: reader.string("comment")?.value,
                    rejected: reader.bool("rejected") ?? false),
                location: node.location)
        case "stub":
            reader.rejectUnknownKeys(allowed: ["stub", "returns"])
            guard let action = reader.string("stub"), let returns = reader.required("returns") else { return nil }
            return ScenarioStep(kind: .stub(action: action.value, results: results(returns)), location: node.location)
        default:
            reader.rejectUnknownKeys(allowed: ["expect"])
            guard let expectNode = reader["expect"], let expectation = expectation(expectNode) else { return nil }
            return ScenarioStep(kind: .expect(expectation), location: node.location)
        }
    }

    func expectation(_ node: SourceNode) -> ScenarioExpectation? {
        guard let reader = MappingReader(node, what: "'expect'", sink: sink) else { return nil }
        reader.rejectUnknownKeys(allowed: [
            "state", "outcome", "path", "visits", "not_visits", "notifications", "tasks", "context", "waiting_for",
        ])
        var expectation = ScenarioExpectation(location: node.location)
        expectation.state = reader.string("state")?.value
        expectation.outcome = reader.string("outcome")?.value
        expectation.path = reader.stringList("path")
        expectation.visits = reader.stringList("visits")
        expectation.notVisits = reader.stringList("not_visits")
        expectation.waitingFor = reader.stringList("waiting_for")
        if let context = reader["context"] { expectation.context = objectValue(context, what: "'context'") }
        if let notifications = reader["notifications"] {
            guard let items = notifications.items else {
                sink.error("'notifications' must be a list", at: notifications.location)
                return expectation
            }
            expectation.notifications = items.compactMap { item in
                if item.entries == nil {
                    return MappingReader.string(item, what: "a notification", sink: sink).map {
                        ExpectedNotification(template: $0.value)
                    }
                }
                guard let entry = MappingReader(item, what: "a notification", sink: sink) else { return nil }
                entry.rejectUnknownKeys(allowed: ["template", "to"])
                return entry.string("template", required: true).map {
                    ExpectedNotification(template: $0.value, to: entry.stringList("to"))
                }
            }
        }
        if let tasks = reader["tasks"] {
            guard let items = tasks.items else {
                sink.error("'tasks' must be a list", at: tasks.location)
                return expectation
            }
            expectation.tasks = items.compactMap { item in
                guard let entry = MappingReader(item, what: "a task", sink: sink) else { return nil }
                entry.rejectUnknownKeys(allowed: ["title", "outcome", "assignees", "status", "by", "comment"])
                var outcome: String?? = nil
                if let outcomeNode = entry["outcome"] {
                    outcome = outcomeNode.value.isNull ? .some(nil) : entry.string("outcome")?.value
                }
                return ExpectedTask(
                    title: entry.string("title")?.value, outcome: outcome, by: entry.string("by")?.value,
                    comment: entry.string("comment")?.value, assignees: entry.stringList("assignees"),
                    status: entry.string("status")?.value)
            }
        }
        return expectation
    }
}
