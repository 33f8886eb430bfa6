import ParcoursDSL
import Testing

@Suite("Graph export")
struct GraphExportTests {
    let definition: ProcessDefinition? = {
        var workspace = Workspace()
        workspace.add(
            source: """
                process: tiny
                title: "A tiny: process"
                start: ask
                states:
                  ask:
                    on:
                      submit:
                        fields: { age: { type: integer } }
                        goto:
                          - when: input.age < 18
                            goto: minor
                          - otherwise: decide
                  decide:
                    approval:
                      title: Decide
                      assignees: "['m1']"
                      outcomes: { approve: done, reject: minor }
                    timers:
                      - after: P30D
                        goto: minor
                  done:
                    final: success
                  minor:
                    final: refused
                """, file: "tiny.yaml")
        return workspace.definitions.first
    }()

    @Test func dotLabelsStatesWithTheirKindAndEdgesWithTheirTrigger() throws {
        let dot = GraphExport.render(try #require(definition), format: .dot)
        #expect(dot.hasPrefix("digraph \"tiny\" {"))
        #expect(dot.contains("\"ask\" [label=\"ask\\n«input»\", shape=box, style=rounded];"))
        #expect(dot.contains("\"decide\" [label=\"decide\\n«approval»\""))
        #expect(dot.contains("\"done\" [label=\"done\\n«final: success»\", shape=doubleoctagon];"))
        #expect(dot.contains("__start -> \"ask\";"))
        #expect(dot.contains("\"ask\" -> \"minor\" [label=\"submit [input.age < 18]\"];"))
        #expect(dot.contains("\"ask\" -> \"decide\" [label=\"submit [otherwise]\"];"))
        #expect(dot.contains("\"decide\" -> \"done\" [label=\"approve\"];"))
        #expect(dot.contains("\"decide\" -> \"minor\" [label=\"after P30D\", style=dashed];"))
        #expect(dot.hasSuffix("}\n"))
    }

    @Test func mermaidEscapesWhatItWouldMisread() throws {
        let mermaid = GraphExport.render(try #require(definition), format: .mermaid)
        #expect(mermaid.hasPrefix("---\ntitle: A tiny#58; process\n---\nstateDiagram-v2\n"))
        #expect(mermaid.contains("  state \"ask «input»\" as ask"))
        #expect(mermaid.contains("  [*] --> ask"))
        #expect(mermaid.contains("  ask --> minor : submit [input.age #lt; 18]"))
        #expect(mermaid.contains("  decide --> minor : after P30D"))
        #expect(mermaid.contains("  done --> [*]"))
        #expect(mermaid.contains("  minor --> [*]"))
    }
}
