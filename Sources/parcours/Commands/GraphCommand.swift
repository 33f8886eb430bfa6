import ArgumentParser
import Foundation
import ParcoursDSL

extension GraphFormat: ExpressibleByArgument {}

/// `parcours graph FILE --format dot|mermaid`.
struct GraphCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "graph",
        abstract: "Draw a process as Graphviz dot or Mermaid.",
        discussion: """
            States are labelled with their kind; edges with their event, outcome, guard or timer (dashed).
            Render with `parcours graph F | dot -Tsvg > f.svg`, or paste the Mermaid text into a Markdown file.
            """)

    @Argument(help: "A process definition file.")
    var file: String

    @Option(help: "dot or mermaid.")
    var format: GraphFormat = .dot

    @OptionGroup var catalog: CatalogOptions

    func run() throws {
        let (workspace, diagnostics) = Workspace.checked(paths: [file], catalog: catalog.catalog)
        guard let definition = workspace.definitions.first else {
            for diagnostic in diagnostics { printError(diagnostic.description) }
            printError("error: \(file) defines no process")
            throw ExitCode(1)
        }
        // A picture of a definition with problems still helps to find them: draw it, and say what is wrong.
        for diagnostic in diagnostics where diagnostic.severity == .error { printError(diagnostic.description) }
        print(GraphExport.render(definition, format: format), terminator: "")
    }
}
