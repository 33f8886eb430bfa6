import Foundation
import Testing

@Suite("Designer commands")
struct DesignerCommandTests {
    @Test func validateAcceptsTheShippedDefinitions() throws {
        let result = try CLI.run(["validate", "workflows", "examples"])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(result.stdout.hasPrefix("checked "))
        #expect(result.stdout.hasSuffix("0 errors, 0 warnings\n"))
    }

    @Test func validateReportsEveryProblemWithItsPositionAndFails() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
        process: broken
        start: a
        states:
          a:
            on:
              go: { goto: b }
          c:
            final: success
        """.write(to: folder.appendingPathComponent("broken.yaml"), atomically: true, encoding: .utf8)
        try "process: [\n".write(to: folder.appendingPathComponent("syntax.yaml"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["validate", "."], in: folder)
        #expect(result.status == 1)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        #expect(lines.contains("broken.yaml:6:19: error: transition to undefined state 'b'"))
        #expect(lines.contains("broken.yaml:7:3: warning: state 'c' is unreachable from 'a'"))
        #expect(lines.contains { $0.hasPrefix("syntax.yaml:2:1: error: invalid YAML") })
        #expect(lines.last == "checked 2 files: 2 errors, 1 warning")
    }

    @Test func validateWithoutPathsIsAUsageError() throws {
        let result = try CLI.run(["validate"])
        #expect(result.status != 0)
        #expect(result.stderr.contains("Error"))
    }

    @Test func graphPrintsDotAndMermaid() throws {
        let dot = try CLI.run(["graph", "workflows/attachment.yaml"])
        #expect(dot.status == 0, "\(dot.stderr)")
        #expect(dot.stdout.hasPrefix("digraph \"attachment\" {"))
        let mermaid = try CLI.run(["graph", "workflows/attachment.yaml", "--format", "mermaid"])
        #expect(mermaid.stdout.contains("stateDiagram-v2"))
        #expect(mermaid.stdout.contains("[*] -->"))
    }

    @Test func simulatePrintsEachTransition() throws {
        let result = try CLI.run([
            "simulate", "workflows/activation.yaml", "--events", "workflows/scenarios/activation-happy.scenario.yaml",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains("activation[i1]  ∅ --start--> "))
        #expect(result.stdout.contains("notify activation_link"))
        #expect(result.stdout.contains("\"password\":\"***\""))
        #expect(result.stdout.hasSuffix("outcome: success\n"))
    }

    @Test func testRunsScenariosAndFailsOnAWrongExpectation() throws {
        let passing = try CLI.run(["test", "workflows", "--filter", "activation"])
        #expect(passing.status == 0, "\(passing.stdout)")
        #expect(passing.stdout.contains("PASS  activation:"))

        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        try """
        process: two
        start: ask
        states:
          ask:
            on:
              yes: { goto: ok }
              no: { goto: ko }
          ok:
            final: success
          ko:
            final: refused
        """.write(to: folder.appendingPathComponent("two.yaml"), atomically: true, encoding: .utf8)
        try """
        scenario: says yes
        process: two
        steps:
          - event: yes
        expect: { outcome: success, path: [ask, ok] }
        """.write(to: folder.appendingPathComponent("yes.yaml"), atomically: true, encoding: .utf8)
        try """
        scenario: wrongly expects success
        process: two
        steps:
          - event: no
        expect: { outcome: success }
        """.write(to: folder.appendingPathComponent("no.yaml"), atomically: true, encoding: .utf8)
        let result = try CLI.run(["test", "."], in: folder)
        #expect(result.status == 1)
        #expect(result.stdout.contains("PASS  two: says yes"))
        #expect(result.stdout.contains("FAIL  two: wrongly expects success"))
        #expect(result.stdout.contains("no.yaml:5:9: expected outcome 'success', but it is 'refused'"))
        #expect(result.stdout.hasSuffix("2 scenarios, 1 passed, 1 failed\n"))
    }
}
