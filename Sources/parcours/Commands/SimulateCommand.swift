import ArgumentParser
import Foundation
import ParcoursDSL
import ParcoursEngine

/// `parcours simulate FILE --events SCENARIO.yaml`: runs in memory and prints each transition.
struct SimulateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "simulate",
        abstract: "Run a process in memory with a virtual clock and stubbed actions, printing each transition.",
        discussion: """
            The events file is a scenario (see docs/dsl.md): its params, settings, stubs and steps are played in
            order; its expectations, if any, are checked at the end.
            """)

    @Argument(help: "The process definition file.")
    var file: String

    @Option(help: "A scenario file with the events to send.")
    var events: String

    @OptionGroup var catalog: CatalogOptions

    @Flag(help: "Also print timers armed and the e-mails' bodies.")
    var verbose = false

    func run() throws {
        let (workspace, diagnostics) = Workspace.checked(paths: [file, events], catalog: catalog.catalog)
        if diagnostics.hasErrors {
            for diagnostic in diagnostics where diagnostic.severity == .error { printError(diagnostic.description) }
            throw ExitCode(1)
        }
        guard
            let definition = workspace.definitions.first(where: { $0.file.hasSuffix(file) || file.hasSuffix($0.file) })
                ?? workspace.definitions.first
        else {
            printError("error: \(file) defines no process")
            throw ExitCode(1)
        }
        guard let scenario = workspace.scenarios.first else {
            printError("error: \(events) is not a scenario (it must start with 'scenario:')")
            throw ExitCode(1)
        }
        if scenario.process.value != definition.name.value {
            printError(
                "\(scenario.process.location): error: the scenario is for '\(scenario.process.value)', not '\(definition.name.value)'"
            )
            throw ExitCode(1)
        }
        let (result, simulation) = ScenarioRunner(workspace: workspace).run(scenario)
        var clock = scenario.start
        for record in simulation.records {
            if case .timerArmed = record, !verbose { continue }
            if case .clockAdvanced(let date) = record { clock = date }
            if case .transition(_, _, let transition) = record { clock = transition.at }
            print(record.describe(clock: clock))
            if verbose, case .notification(_, _, _, let body) = record {
                for line in body.split(separator: "\n", omittingEmptySubsequences: false) { print("      | \(line)") }
            }
        }
        if let root = simulation.root {
            print("state: \(root.state), outcome: \(root.outcome ?? "running")")
        }
        if !result.passed {
            for failure in result.failures { printError(failure) }
            throw ExitCode(1)
        }
    }
}
