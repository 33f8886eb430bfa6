import Foundation
import ParcoursDSL

/// The verdict on one scenario.
public struct ScenarioResult: Sendable {
    public var scenario: String
    public var process: String
    public var file: String
    public var failures: [String]
    public var passed: Bool { failures.isEmpty }
}

/// Runs scenarios (`parcours test`): each in its own simulation, every expectation checked.
public struct ScenarioRunner {
    public let workspace: Workspace

    public init(workspace: Workspace) {
        self.workspace = workspace
    }

    public func run(_ scenario: Scenario) -> (ScenarioResult, Simulation) {
        var settings: [String: [String: Value]] = [:]
        if let tenantName = scenario.tenant?.value, let tenant = workspace.tenant(named: tenantName) {
            settings = tenant.settings.mapValues { $0.mapValues(\.value) }
        }
        settings[scenario.process.value, default: [:]].merge(scenario.settings.mapValues(\.value)) { _, new in new }
        let simulation = Simulation(
            workspace: workspace, start: scenario.start, settings: settings, stubs: scenario.stubs,
            assignees: scenario.assignees)
        var failures: [String] = []
        func fail(_ location: SourceLocation, _ message: String) { failures.append("\(location): \(message)") }
        do {
            try simulation.start(process: scenario.process.value, params: scenario.params)
            for step in scenario.steps {
                switch step.kind {
                case .event(let name, let data, let rejected):
                    let rejection = try simulation.send(name, data: data)
                    if let rejected {
                        guard let rejection else {
                            fail(step.location, "event '\(name)' was accepted, but it should have been rejected")
                            break
                        }
                        let reported = Set(rejection.fieldErrors.map(\.field))
                        for field in rejected where !reported.contains(field) {
                            fail(step.location, "event '\(name)' was rejected, but not for '\(field)': \(rejection)")
                        }
                    } else if let rejection {
                        fail(step.location, "event '\(name)' was rejected: \(rejection)")
                    }
                case .advance(let duration):
                    try simulation.advance(by: duration)
                case .decide(let outcome, let by, let comment, let rejected):
                    let rejection = try simulation.decide(outcome, by: by, comment: comment)
                    if rejected, rejection == nil {
                        fail(step.location, "the decision '\(outcome)' was accepted, but it should have been rejected")
                    } else if !rejected, let rejection {
                        fail(step.location, "the decision '\(outcome)' was rejected: \(rejection)")
                    }
                case .stub(let action, let results):
                    simulation.stub(action, results: results)
                case .expect(let expectation):
                    failures += Self.check(expectation, simulation)
                }
                if failures.count > 20 { break }
            }
            if let expectation = scenario.expect { failures += Self.check(expectation, simulation) }
        } catch {
            failures.append("\(scenario.location): \(error)")
        }
        let result = ScenarioResult(
            scenario: scenario.name, process: scenario.process.value, file: scenario.file, failures: failures)
        return (result, simulation)
    }

    /// Every way the simulation differs from the expectation, one message each.
    static func check(_ expected: ScenarioExpectation, _ simulation: Simulation) -> [String] {
        var failures: [String] = []
        let at = expected.location
        func fail(_ message: String) { failures.append("\(at): \(message)") }
        guard let root = simulation.root else { return ["\(at): no instance is running"] }
        let rootTransitions = simulation.records.compactMap { record -> TransitionRecord? in
            if case .transition(let instance, _, let transition) = record, instance == root.id { return transition }
            return nil
        }
        let everyState = simulation.records.compactMap { record -> String? in
            if case .transition(_, _, let transition) = record { return transition.to }
            return nil
        }
        if let state = expected.state, root.state != state {
            fail("expected state '\(state)', but it is '\(root.state)'")
        }
        if let outcome = expected.outcome {
            let actual = root.outcome ?? "running"
            if actual != outcome { fail("expected outcome '\(outcome)', but it is '\(actual)'") }
        }
        if let path = expected.path {
            let actual = rootTransitions.map(\.to)
            if actual != path {
                fail("expected path [\(path.joined(separator: ", "))], but it is [\(actual.joined(separator: ", "))]")
            }
        }
        for state in expected.visits ?? [] where !everyState.contains(state) {
            fail("expected a visit of '\(state)', but it was never entered")
        }
        for state in expected.notVisits ?? [] where everyState.contains(state) {
            fail("'\(state)' was entered, but it should not have been")
        }
        if let expectedNotifications = expected.notifications {
            let sent = simulation.records.compactMap { record -> NotificationRequest? in
                if case .notification(_, let request, _, _) = record { return request }
                return nil
            }
            let names = sent.map(\.template)
            let expectedNames = expectedNotifications.map(\.template)
            if names != expectedNames {
                fail(
                    "expected notifications [\(expectedNames.joined(separator: ", "))], but sent [\(names.joined(separator: ", "))]"
                )
            } else {
                for (expectedOne, actual) in zip(expectedNotifications, sent) {
                    if let to = expectedOne.to,
                        Set(to.map { $0.lowercased() }) != Set(actual.to.map { $0.lowercased() })
                    {
                        fail(
                            "notification '\(actual.template)' went to [\(actual.to.joined(separator: ", "))], expected [\(to.joined(separator: ", "))]"
                        )
                    }
                }
            }
        }
        if let expectedTasks = expected.tasks {
            let tasks = simulation.tasks
            if tasks.count != expectedTasks.count {
                fail("expected \(expectedTasks.count) task(s), but \(tasks.count) were raised")
            }
            for (index, (expectedTask, task)) in zip(expectedTasks, tasks).enumerated() {
                let label = "task \(index + 1)"
                if let title = expectedTask.title, task.request.title != title {
                    fail("\(label): expected title \"\(title)\", but it is \"\(task.request.title)\"")
                }
                if let outcome = expectedTask.outcome, task.outcome != outcome {
                    let expectedText = outcome.map { "outcome '\($0)'" } ?? "no decision"
                    fail("\(label): expected \(expectedText), but it is '\(task.outcome ?? task.status)'")
                }
                if let by = expectedTask.by, task.decidedBy != by {
                    fail("\(label): expected a decision by '\(by)', but it is '\(task.decidedBy ?? "nobody")'")
                }
                if let comment = expectedTask.comment, task.comment != comment {
                    fail("\(label): expected the comment \"\(comment)\", but it is \"\(task.comment ?? "")\"")
                }
                if let status = expectedTask.status, task.status != status {
                    fail("\(label): expected status '\(status)', but it is '\(task.status)'")
                }
                if let assignees = expectedTask.assignees, Set(assignees) != Set(task.candidates) {
                    fail(
                        "\(label): expected assignees [\(assignees.joined(separator: ", "))], but they are [\(task.candidates.joined(separator: ", "))]"
                    )
                }
            }
        }
        for (name, value) in (expected.context ?? [:]).sorted(by: { $0.key < $1.key }) {
            let actual = root.context[name] ?? .null
            if !Self.matches(value, actual) {
                fail("expected context.\(name) = \(value.jsonText()), but it is \(actual.jsonText())")
            }
        }
        if let waiting = expected.waitingFor {
            var actual: [String] = []
            if let leaf = simulation.leaf, let definition = simulation.workspace.definition(named: leaf.process),
                let state = definition.state(named: leaf.state)
            {
                actual = Interpreter(definition: definition).acceptedEvents(of: state)
            }
            if Set(actual) != Set(waiting) {
                fail(
                    "expected to wait for [\(waiting.joined(separator: ", "))], but waits for [\(actual.joined(separator: ", "))]"
                )
            }
        }
        return failures
    }

    /// Scenario values are YAML: a date is written as text, objects may list only some members.
    static func matches(_ expected: Value, _ actual: Value) -> Bool {
        switch (expected, actual) {
        case (.object(let members), .object(let actualMembers)):
            return members.allSatisfy { matches($0.value, actualMembers[$0.key] ?? .null) }
        case (.list(let items), .list(let actualItems)):
            return items.count == actualItems.count && zip(items, actualItems).allSatisfy { matches($0, $1) }
        case (.string(let text), .date(let date)):
            return Value.parseDate(text) == date
        case (.string(let text), .duration(let duration)):
            return ISODuration(text) == duration
        default:
            return expected == actual
        }
    }
}
