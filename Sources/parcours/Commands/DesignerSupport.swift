import ArgumentParser
import Foundation
import ParcoursDSL

/// Writes to standard error (messages for a person, never the command's output).
func printError(_ message: String) {
    FileHandle.standardError.write(Data((message + "\n").utf8))
}

/// Prints a line and flushes at once, so that a long-running command's output shows up even when piped.
func say(_ text: String = "") {
    print(text)
    fflush(nil)
}

/// Options shared by the designer tools.
struct CatalogOptions: ParsableArguments {
    @Option(
        name: .customLong("actions"),
        help: "The action catalogue (default: the one among the paths, else workflows/actions.yaml here or above).")
    var catalog: String?
}

/// Exit code 1 without a further message (the command already explained).
struct Failed: Error {}

extension Workspace {
    /// The diagnostics of loading and checking, with their counts.
    static func checked(paths: [String], catalog: String?) -> (Workspace, [Diagnostic]) {
        let workspace = Workspace.load(paths: paths, catalogPath: catalog)
        return (workspace, Checker.check(workspace))
    }
}

func summary(_ diagnostics: [Diagnostic]) -> String {
    let errors = diagnostics.filter { $0.severity == .error }.count
    let warnings = diagnostics.count - errors
    return "\(errors) error\(errors == 1 ? "" : "s"), \(warnings) warning\(warnings == 1 ? "" : "s")"
}

/// The default paths of `test`: workflows/ and examples/ when they exist.
func defaultDesignPaths() -> [String] {
    ["workflows", "examples"].filter { FileManager.default.fileExists(atPath: $0) }
}
