import Foundation
import ParcoursDSL
import ParcoursEngine
import Testing

/// A small seeded generator, so that failures reproduce.
struct SeededGenerator: RandomNumberGenerator {
    var state: UInt64
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

@Suite("Robustness: malformed definitions and payloads never crash")
struct RobustnessTests {
    static let sources: [(String, String)] = {
        let root = ShippedDefinitionsTests.root
        let files = [
            "workflows/signup.yaml", "workflows/attachment.yaml", "workflows/activation.yaml",
            "workflows/actions.yaml", "workflows/scenarios/signup-siret-new-structure.scenario.yaml",
        ]
        return files.compactMap { file in
            (try? String(contentsOf: root.appendingPathComponent(file), encoding: .utf8)).map { (file, $0) }
        }
    }()

    static let fragments = [
        "{", "}", "[", "]", ":", "- ", "'", "\"", "{{", "}}", "&a", "*a", "!!str ", "\t", "#", "|", "goto: nowhere",
        "when: ((", "after: P", "  ", "\n  x: 1", "input.", "context.", "??", "é", "\u{0}", "%", "---\n", "...",
    ]

    /// Deletes, duplicates, swaps lines and inserts fragments at random places.
    static func mutate(_ text: String, using generator: inout SeededGenerator) -> String {
        var lines = text.components(separatedBy: "\n")
        for _ in 0..<Int.random(in: 1...4, using: &generator) {
            guard !lines.isEmpty else { break }
            let index = Int.random(in: 0..<lines.count, using: &generator)
            switch Int.random(in: 0..<5, using: &generator) {
            case 0: lines.remove(at: index)
            case 1: lines.insert(lines[index], at: index)
            case 2: lines.swapAt(index, Int.random(in: 0..<lines.count, using: &generator))
            case 3:
                var line = Array(lines[index])
                let position = line.isEmpty ? 0 : Int.random(in: 0...line.count, using: &generator)
                line.insert(contentsOf: Array(fragments.randomElement(using: &generator) ?? ""), at: position)
                lines[index] = String(line)
            default:
                let cut = Int.random(in: 0...lines[index].count, using: &generator)
                lines[index] = String(lines[index].prefix(cut))
            }
        }
        return lines.joined(separator: "\n")
    }

    @Test func mutatedDefinitionsAreReportedNotCrashed() {
        var generator = SeededGenerator(state: 2026)
        var reported = 0
        for round in 0..<250 {
            let (file, text) = Self.sources[round % Self.sources.count]
            var workspace = Workspace()
            for (otherFile, otherText) in Self.sources where otherFile != file {
                workspace.add(source: otherText, file: otherFile)
            }
            workspace.add(source: Self.mutate(text, using: &generator), file: file)
            let diagnostics = Checker.check(workspace)
            if diagnostics.hasErrors { reported += 1 }
            for diagnostic in diagnostics { #expect(diagnostic.location.line >= 0) }
        }
        // Most mutations break something, and each broken file is reported rather than crashing.
        #expect(reported > 60)
    }

    @Test func randomPayloadsAreRejectedOrAcceptedNeverCrash() throws {
        let interpreter = try membershipInterpreter()
        var generator = SeededGenerator(state: 7)
        let values: [Value] = [
            .null, true, 0, -1, 1e308, "", " ", "a@b.fr", "73282932000074", "x\u{0}y", [1, "a"], ["k": "v"],
            .string(String(repeating: "A", count: 10_000)), "Correct-Horse-42", .date(t0),
        ]
        let names = ["email", "email_confirmation", "siret", "age", "password", "other"]
        let start = try interpreter.start(id: "i", params: [:], now: t0).step().instance
        for _ in 0..<2_000 {
            var payload: [String: Value] = [:]
            for name in names where Bool.random(using: &generator) {
                payload[name] = values.randomElement(using: &generator) ?? .null
            }
            let event = ["submit", "activate", "nope"].randomElement(using: &generator) ?? "submit"
            switch interpreter.handle(.submit(name: event, payload: payload), to: start, now: t0) {
            case .failure(let rejection):
                #expect(rejection.code != .definitionError, "\(rejection)")
            case .success(.done(let step)):
                #expect(step.instance.state != start.state)
            case .success(.action(let call, _)):
                #expect(call.action == "directory.lookup")
            }
        }
    }
}
