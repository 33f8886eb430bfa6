import ArgumentParser
import Foundation
import Logging
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `parcours directory import|lookup|generate`: the structure directory (INSEE's SIRENE stock).
struct DirectoryCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "directory",
        abstract: "The structure directory: import INSEE's SIRENE stock files, look a SIRET up.",
        subcommands: [Import.self, Lookup.self, Generate.self])
}

extension DirectoryCommand {
    /// `parcours directory import FILE…`
    struct Import: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "import",
            abstract: "Import SIRENE stock files (StockEtablissement, StockUniteLegale; .csv or .zip).",
            discussion: """
                Each file is streamed (constant memory, whatever its size); which file it is comes from its header \
                and columns are read by name. Rows are upserted by SIRET or SIREN: importing the same file again \
                changes nothing, a newer stock updates what changed. Bad rows (wrong number of fields, invalid \
                SIRET or SIREN, a bad date) are counted and the first ones listed; they do not stop the import. \
                A progress bar is drawn on standard error when it is a terminal. Run it as the role that runs \
                the migrations: the application's role may only read the directory.
                Exits with 1 when a file cannot be imported.
                """)

        @OptionGroup var database: DatabaseOptions

        @Option(help: ArgumentHelp("Rows written per statement.", valueName: "rows"))
        var batchSize = 2000

        @Argument(
            help: ArgumentHelp("The files to import, legal units first is usual but not required.", valueName: "file"))
        var files: [String]

        func validate() throws {
            if batchSize < 1 { throw ValidationError("--batch-size must be at least 1") }
        }

        func run() async throws {
            let configuration = try database.configuration()
            var logger = Logger(label: "parcours.directory")
            logger.logLevel = .warning
            let connection = try await DirectoryCommand.connect(configuration, logger: logger)
            let importer = DirectoryImporter(batchSize: batchSize)
            var failed = false
            for file in files {
                let display = ProgressDisplay(file: file)
                do {
                    let summary = try await importer.importFile(
                        at: URL(fileURLWithPath: file), on: connection, logger: logger, progress: display.show)
                    display.finish()
                    print(Self.describe(summary))
                    for rejection in summary.firstRejections {
                        print("  \(file):\(rejection.line): \(rejection.reason)")
                    }
                    if summary.rejected > summary.firstRejections.count {
                        print("  … and \(summary.rejected - summary.firstRejections.count) more rejected rows")
                    }
                } catch {
                    display.finish()
                    printError("error: \(file): \(DirectoryCommand.explain(error))")
                    failed = true
                }
            }
            try? await connection.close()
            if failed { throw ExitCode(1) }
        }

        static func describe(_ summary: DirectoryImportSummary) -> String {
            let rate = Int(summary.rowsPerSecond.rounded())
            return "\(summary.kind.inseeName) \(summary.file): \(summary.rowsRead) rows read, \(summary.imported) "
                + "imported (\(summary.inserted) new, \(summary.updated) updated, \(summary.unchanged) unchanged), "
                + "\(summary.rejected) rejected, \(String(format: "%.2f", summary.seconds)) s, \(rate) rows/s"
        }
    }

    /// `parcours directory lookup SIRET [--json]`
    struct Lookup: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "lookup",
            abstract: "Look a SIRET up in the structure directory, as the directory.lookup action does.",
            discussion: """
                Prints the company name and address the signup form would be prefilled with, or, with --json, \
                the action's output object. Exits with 1 when the SIRET is invalid or not in the directory.
                """)

        @OptionGroup var database: DatabaseOptions

        @Flag(help: "Print the directory.lookup output as JSON.")
        var json = false

        @Argument(help: ArgumentHelp("The SIRET (spaces and dots are ignored).", valueName: "siret"))
        var siret: String

        func run() async throws {
            let configuration = try database.configuration()
            var logger = Logger(label: "parcours.directory")
            logger.logLevel = .warning
            let connection = try await DirectoryCommand.connect(configuration, logger: logger)
            let result: Result<Value, any Error>
            do {
                result = .success(try await DirectoryLookup().lookup(siret: siret, on: connection, logger: logger))
            } catch {
                result = .failure(error)
            }
            try? await connection.close()
            let value: Value
            do { value = try result.get() } catch {
                printError("error: \(DirectoryCommand.explain(error))")
                throw ExitCode(1)
            }
            let found = value[member: "found"].boolValue == true
            if json {
                print(value.jsonText(pretty: true))
            } else if found {
                print(Self.describe(value, siret: siret))
            }
            if !found {
                if !json { printError("\(siret): not in the directory") }
                throw ExitCode(1)
            }
        }

        static func describe(_ value: Value, siret: String) -> String {
            let address = value[member: "address"]
            var state: [String] = [value[member: "closed"].boolValue == true ? "closed" : "active"]
            if value[member: "non_diffusible"].boolValue == true { state.append("non diffusible: address withheld") }
            var lines = [
                "\(value[member: "name"].stringValue ?? "(no name)")",
                "  SIRET \(siret), SIREN \(value[member: "siren"].stringValue ?? "?"), \(state.joined(separator: ", "))",
            ]
            let addressLines: [String?] = [
                address[member: "line"].stringValue, address[member: "complement"].stringValue,
                [address[member: "postcode"].stringValue, address[member: "city"].stringValue].compactMap { $0 }
                    .joined(separator: " "),
                address[member: "country"].stringValue,
            ]
            for line in addressLines {
                if let line, !line.isEmpty { lines.append("  \(line)") }
            }
            return lines.joined(separator: "\n")
        }
    }

    /// `parcours directory generate --rows N FOLDER`
    struct Generate: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "generate",
            abstract: "Write a synthetic SIRENE stock (both files, valid numbers) for benchmarks.",
            discussion: """
                Writes FOLDER/StockEtablissement_utf8.csv with N establishments and FOLDER/StockUniteLegale_utf8.csv \
                with N/2 legal units, with today's INSEE columns. See docs/performance.md.
                """)

        @Option(help: ArgumentHelp("The number of establishment rows.", valueName: "n"))
        var rows: Int

        @Argument(help: ArgumentHelp("The folder to write into (created if needed).", valueName: "folder"))
        var folder: String

        func validate() throws {
            if rows < 1 { throw ValidationError("--rows must be at least 1") }
        }

        func run() throws {
            let generator = SireneGenerator(establishments: rows)
            do {
                let files = try generator.write(into: URL(fileURLWithPath: folder))
                print("wrote \(files.legalUnits.path) (\(generator.legalUnits) legal units)")
                print("wrote \(files.establishments.path) (\(generator.establishments) establishments)")
            } catch {
                printError("error: \(error)")
                throw ExitCode(1)
            }
        }
    }

    /// Checks the database answers (its real problem within seconds), then connects.
    static func connect(_ configuration: DatabaseConfiguration, logger: Logger) async throws -> PostgresConnection {
        do {
            try await DatabaseCheck.verify(configuration, logger: logger)
            return try await PostgresConnection.connect(
                configuration: try configuration.connectionConfiguration(), id: 1, logger: logger)
        } catch {
            printError("error: \(explain(error))")
            throw ExitCode(1)
        }
    }

    /// A message for a person: the server's own words for a database error, with a hint for the usual mistakes.
    static func explain(_ error: any Error) -> String {
        guard let error = error as? PSQLError else { return "\(error)" }
        let message = error.serverInfo?[.message] ?? String(reflecting: error)
        let state = error.serverInfo?[.sqlState]
        var text = message + (state.map { " (SQLSTATE \($0))" } ?? "")
        switch state {
        case "42P01": text += "\n  hint: the directory tables are missing: run `parcours migrate` first"
        case "42501": text += "\n  hint: import as the role that runs the migrations (the tables' owner)"
        default: break
        }
        return text
    }
}

/// The progress of one file's import on standard error: a bar redrawn in place on a terminal, a line every ten
/// seconds otherwise.
final class ProgressDisplay: @unchecked Sendable {
    private let file: String
    private let isTerminal = isatty(STDERR_FILENO) == 1
    private var lastShown: Double = -1
    private var drawn = false

    init(file: String) { self.file = file }

    func show(_ progress: DirectoryImportProgress) {
        let interval = isTerminal ? 0.2 : 10
        guard progress.seconds - lastShown >= interval else { return }
        lastShown = progress.seconds
        let rate = progress.seconds > 0 ? Int(Double(progress.rowsRead) / progress.seconds) : 0
        let size = Self.megabytes(progress.bytesRead) + (progress.totalBytes.map { " / " + Self.megabytes($0) } ?? "")
        var text = "\(progress.rowsRead) rows, \(size), \(rate) rows/s"
        if let fraction = progress.fraction {
            let percent = Int(fraction * 100)
            if isTerminal {
                let width = 30
                let filled = Int(fraction * Double(width))
                text =
                    "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled)
                    + "] \(percent)% " + text
            } else {
                text = "\(percent)% " + text
            }
        }
        if isTerminal {
            FileHandle.standardError.write(Data("\r\u{1B}[K\((file as NSString).lastPathComponent) \(text)".utf8))
            drawn = true
        } else {
            printError("\(file): \(text)")
        }
    }

    /// Ends the bar's line, if one was drawn.
    func finish() {
        if drawn { FileHandle.standardError.write(Data("\n".utf8)) }
        drawn = false
    }

    private static func megabytes(_ bytes: Int) -> String { String(format: "%.1f MB", Double(bytes) / 1_000_000) }
}
