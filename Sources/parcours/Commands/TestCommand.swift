import ArgumentParser
import Foundation
import ParcoursDSL
import ParcoursEngine

/// `parcours test [PATH…]`: runs the scenarios kept beside the workflows, like a test runner.
struct TestCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "test",
        abstract: "Run the scenarios (*.yaml starting with 'scenario:') and report each as passed or failed.",
        discussion: "Checks every definition first; exits with 1 when a check fails or any scenario fails.")

    @Argument(help: "Files or folders (default: workflows and examples).")
    var paths: [String] = []

    @OptionGroup var catalog: CatalogOptions

    @Option(help: "Only run scenarios whose name or process contains this text.")
    var filter: String?

    @Flag(help: "Print the transitions of failing scenarios.")
    var verbose = false

    func run() throws {
        let paths = self.paths.isEmpty ? defaultDesignPaths() : self.paths
        if paths.isEmpty { throw ValidationError("no workflows/ or examples/ here: give the paths to test") }
        let (workspace, diagnostics) = Workspace.checked(paths: paths, catalog: catalog.catalog)
        if diagnostics.hasErrors {
            for diagnostic in diagnostics where diagnostic.severity == .error { print(diagnostic) }
            print("the definitions have errors (\(summary(diagnostics))): no scenario was run")
            throw ExitCode(1)
        }
        let scenarios = workspace.scenarios.filter { scenario in
            guard let filter else { return true }
            return scenario.name.localizedCaseInsensitiveContains(filter)
                || scenario.process.value.localizedCaseInsensitiveContains(filter)
        }
        if scenarios.isEmpty {
            print("no scenario found")
            throw ExitCode(1)
        }
        let runner = ScenarioRunner(workspace: workspace)
        var failed = 0
        for scenario in scenarios {
            let (result, simulation) = runner.run(scenario)
            if result.passed {
                print("PASS  \(result.process): \(result.scenario)")
            } else {
                failed += 1
                print("FAIL  \(result.process): \(result.scenario)")
                for failure in result.failures { print("      \(failure)") }
                if verbose {
                    for record in simulation.records { print("      │ " + record.describe(clock: simulation.clock)) }
                }
            }
        }
        let passed = scenarios.count - failed
        print("\(scenarios.count) scenario\(scenarios.count == 1 ? "" : "s"), \(passed) passed, \(failed) failed")
        if failed > 0 { throw ExitCode(1) }
    }
}
