import Foundation
import ParcoursIdentifiers
import Testing

/// Compares every verdict with the reference generated from python-stdnum by
/// `scripts/identifier-reference.py` (see `docs/identifiers.md`).
@Suite struct ReferenceComparisonTests {
    struct Case: Decodable {
        var kind: String
        var value: String
        var valid: Bool
    }

    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .appendingPathComponent("Fixtures/reference.json")

    static func loadCases() throws -> [Case] {
        try JSONDecoder().decode([Case].self, from: Data(contentsOf: fixture))
    }

    @Test func referenceCoversEveryKind() throws {
        let cases = try Self.loadCases()
        #expect(cases.count > 10_000)
        for kind in IdentifierKind.allCases {
            let verdicts = cases.filter { $0.kind == kind.rawValue }.map(\.valid)
            #expect(verdicts.contains(true), "no valid \(kind.rawValue) case")
            #expect(verdicts.contains(false), "no invalid \(kind.rawValue) case")
        }
    }

    @Test(arguments: IdentifierKind.allCases)
    func everyVerdictAgrees(_ kind: IdentifierKind) throws {
        let cases = try Self.loadCases().filter { $0.kind == kind.rawValue }
        var disagreements: [String] = []
        for reference in cases {
            let check = Identifiers.check(kind, reference.value)
            if check.isValid != reference.valid {
                let ours = check.problem.map { "invalid (\($0))" } ?? "valid"
                disagreements.append(
                    "\"\(reference.value)\": reference \(reference.valid ? "valid" : "invalid"), ours \(ours)")
            }
        }
        let report = disagreements.prefix(50).joined(separator: "\n")
        #expect(
            disagreements.isEmpty,
            "\(disagreements.count) of \(cases.count) \(kind.rawValue) verdicts disagree:\n\(report)")
    }

    @Test func unknownKindsAreNotInTheFixture() throws {
        let kinds = Set(try Self.loadCases().map(\.kind))
        #expect(kinds == Set(IdentifierKind.allCases.map(\.rawValue)))
    }
}
