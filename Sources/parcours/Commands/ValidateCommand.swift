import ArgumentParser
import Foundation
import ParcoursDSL

/// `parcours validate PATH…`: every problem, as `file:line:col: error|warning: message`.
struct ValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Check process definitions, catalogues, tenant files and scenarios.",
        discussion: """
            Reports every problem found, one per line as `file:line:col: error|warning: message`.
            Exits with 1 when there is an error, 0 otherwise (warnings alone do not fail).
            """)

    @Argument(help: "Files or folders (searched recursively for *.yaml and *.yml).")
    var paths: [String]

    @OptionGroup var catalog: CatalogOptions

    @Flag(help: "Do not print warnings.")
    var quiet = false

    func validate() throws {
        if paths.isEmpty { throw ValidationError("give at least one file or folder") }
    }

    func run() throws {
        let (workspace, diagnostics) = Workspace.checked(paths: paths, catalog: catalog.catalog)
        let shown = quiet ? diagnostics.filter { $0.severity == .error } : diagnostics
        for diagnostic in shown { print(diagnostic) }
        let files = workspace.fileCount
        print("checked \(files) file\(files == 1 ? "" : "s"): \(summary(diagnostics))")
        if diagnostics.hasErrors { throw ExitCode(1) }
    }
}
