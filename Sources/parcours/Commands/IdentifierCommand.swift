import ArgumentParser
import Foundation
import ParcoursIdentifiers

/// `parcours identifier validate TYPE [--json] VALUE…`: checks structure identifiers.
struct IdentifierCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "identifier",
        abstract: "Check structure identifiers.",
        subcommands: [Validate.self])
}

extension IdentifierCommand {
    /// The identifier types, as written on the command line.
    enum IdentifierType: String, CaseIterable, ExpressibleByArgument {
        case siret, siren, vat, ridet, tahiti

        var kind: IdentifierKind {
            switch self {
            case .siret: .siret
            case .siren: .siren
            case .vat: .vat
            case .ridet: .ridet
            case .tahiti: .tahiti
            }
        }
    }

    /// `parcours identifier validate TYPE [--json] VALUE…`: one verdict per value.
    struct Validate: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Check SIRET, SIREN, intra-EU VAT, RIDET or TAHITI numbers.",
            discussion: """
                Prints one verdict per value, `VALUE: valid` or `VALUE: invalid: REASON`; with --json, an array \
                of {"reason", "valid", "value"} (reason is null when valid). Spaces, dots and dashes are ignored.
                Exits with 1 when a value is invalid, 0 otherwise.
                """)

        @Argument(help: "The identifier type.")
        var type: IdentifierType

        @Flag(help: "Print the verdicts as a JSON array.")
        var json = false

        @Argument(help: "The values to check (quote values containing spaces).")
        var values: [String]

        func run() throws {
            let checks = values.map { Identifiers.check(type.kind, $0) }
            if json {
                print(try Self.json(checks))
            } else {
                for check in checks {
                    print("\(check.input): " + (check.problem.map { "invalid: \($0)" } ?? "valid"))
                }
            }
            if checks.contains(where: { !$0.isValid }) { throw ExitCode(1) }
        }

        static func json(_ checks: [IdentifierCheck]) throws -> String {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            let data = try encoder.encode(checks.map(Verdict.init))
            return String(decoding: data, as: UTF8.self)
        }
    }

    /// One verdict in the JSON output; `reason` is written as null when the value is valid.
    struct Verdict: Encodable {
        var value: String
        var valid: Bool
        var reason: String?

        init(_ check: IdentifierCheck) {
            value = check.input
            valid = check.isValid
            reason = check.problem
        }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: CodingKeys.self)
            try container.encode(value, forKey: .value)
            try container.encode(valid, forKey: .valid)
            try container.encode(reason, forKey: .reason)
        }

        private enum CodingKeys: String, CodingKey {
            case value, valid, reason
        }
    }
}
