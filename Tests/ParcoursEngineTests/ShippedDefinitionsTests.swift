import Foundation
import ParcoursDSL
import ParcoursEngine
import Testing

/// The definitions shipped in workflows/ and examples/ are checked clean and every scenario passes.
@Suite("Shipped workflows and examples")
struct ShippedDefinitionsTests {
    static let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    static func workspace() -> Workspace {
        Workspace.load(paths: ["workflows", "examples"].map { root.appendingPathComponent($0).path })
    }

    @Test func everyDefinitionIsClean() {
        let workspace = Self.workspace()
        let diagnostics = Checker.check(workspace)
        #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
        #expect(workspace.definitions.count >= 6)
        #expect(workspace.hasCatalog)
    }

    /// A driver may keep the events of a state whose fields have no prefill, once per definition; they must be what
    /// `waiting(for:now:)` gives any instance there, with whatever context.
    @Test func sharedEventsAreWhatEveryInstanceWaitsFor() {
        var shared = 0
        var prefilled = 0
        for definition in Self.workspace().definitions {
            let interpreter = Interpreter(definition: definition)
            for state in definition.states {
                let contexts: [[String: Value]] = [
                    [:],
                    ["directory": ["name": "ACME", "address": ["line": "1 rue de la Paix"]], "reset_question": "?"],
                ]
                let waits = contexts.map { context in
                    let instance = InstanceState(
                        id: "i", process: definition.name.value, state: state.name, outcome: nil, context: context,
                        settings: definition.defaultSettings, startedAt: Date(timeIntervalSince1970: 0), entries: 1,
                        waits: .object([:]), output: [:])
                    return (
                        interpreter.waiting(for: instance, now: Date(timeIntervalSince1970: 60)),
                        interpreter.waitingValue(
                            for: instance, now: Date(timeIntervalSince1970: 60),
                            sharedEvents: interpreter.instanceIndependentEvents(at: state.name).map {
                                .list($0.map(\.value))
                            })
                    )
                }
                // The view with shared events is the view without them, whatever the instance.
                for (waiting, value) in waits {
                    #expect(waiting.value == value, "\(definition.name.value).\(state.name)")
                }
                if let events = interpreter.instanceIndependentEvents(at: state.name) {
                    shared += 1
                    #expect(waits.allSatisfy { $0.0.events == events }, "\(definition.name.value).\(state.name)")
                } else if case .input(let specs) = state.kind,
                    specs.contains(where: { $0.fields.contains { $0.prefill != nil } })
                {
                    prefilled += 1
                }
            }
        }
        // Both kinds occur in the shipped definitions (the signup's structure form prefills from the directory).
        #expect(shared >= 5)
        #expect(prefilled >= 2)
    }

    @Test func everyScenarioPasses() {
        let workspace = Self.workspace()
        let runner = ScenarioRunner(workspace: workspace)
        #expect(workspace.scenarios.count >= 30)
        for scenario in workspace.scenarios {
            let (result, _) = runner.run(scenario)
            #expect(result.failures.isEmpty, "\(scenario.name): \(result.failures)")
        }
    }

    @Test func everyProcessHasScenariosAndTheUnhappyPathsAreCovered() {
        let workspace = Self.workspace()
        let covered = Set(workspace.scenarios.map(\.process.value))
        for definition in workspace.definitions {
            #expect(covered.contains(definition.name.value), "no scenario for \(definition.name.value)")
        }
        // The unhappy paths issue 2 names: each must be exercised by some scenario.
        let runner = ScenarioRunner(workspace: workspace)
        var outcomes = Set<String>()
        var rejectedFields = Set<String>()
        var decisions = Set<String>()
        for scenario in workspace.scenarios {
            let (_, simulation) = runner.run(scenario)
            for record in simulation.records {
                switch record {
                case .finished(_, let process, let outcome): outcomes.insert("\(process):\(outcome)")
                case .rejected(_, _, let rejection): rejectedFields.formUnion(rejection.fieldErrors.map(\.field))
                case .taskDecided(_, let outcome, _, _): decisions.insert(outcome)
                default: break
                }
            }
        }
        #expect(outcomes.contains("activation:expired") || outcomes.contains { $0.hasPrefix("activation:") })
        #expect(decisions.contains("reject"))
        #expect(decisions.contains("approve"))
        #expect(rejectedFields.contains("siret"))
        #expect(rejectedFields.contains("password"))
        #expect(outcomes.contains { $0.hasPrefix("attachment:") && $0.contains("expired") })
    }
}
