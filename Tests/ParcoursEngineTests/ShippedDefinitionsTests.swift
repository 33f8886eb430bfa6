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
