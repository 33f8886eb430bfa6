import ParcoursDSL
import Testing

@Suite("Checker: document structure and graph")
struct StructureCheckTests {
    @Test func aMinimalProcessIsClean() {
        let diagnostics = check([
            "p.yaml": """
            process: minimal
            start: ask
            states:
              ask:
                on:
                  submit:
                    fields:
                      email: { type: email, required: true }
                    goto: done
              done:
                final: success
            """
        ])
        #expect(diagnostics.isEmpty, "\(lines(diagnostics))")
    }

    @Test func yamlSyntaxErrorsHaveAPosition() {
        let diagnostics = check(["bad.yaml": "process: x\nstates:\n  a: [1, 2\n"])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?.description.hasPrefix("bad.yaml:") == true)
        #expect(diagnostics.first?.message.contains("invalid YAML") == true)
    }

    @Test func everyDuplicateKeyIsReportedAtItsSecondOccurrence() {
        let diagnostics = check([
            "dup.yaml": """
            process: dup
            start: a
            start: a
            states:
              a:
                final: success
              a:
                final: refused
            """
        ])
        #expect(
            lines(diagnostics) == [
                "dup.yaml:3:1: error: duplicate key 'start' (first defined at line 2)",
                "dup.yaml:7:3: error: duplicate key 'a' (first defined at line 5)",
            ])
    }

    @Test func unknownKeysSuggestTheClosestOne() {
        let diagnostics = check([
            "typo.yaml": """
            process: typo
            strat: a
            states:
              a:
                fianl: success
            """
        ])
        #expect(
            lines(diagnostics).contains(
                "typo.yaml:2:1: error: unknown key 'strat' in the document; did you mean 'start'?"))
        #expect(lines(diagnostics).contains("typo.yaml:1:1: error: the process has no 'start' state"))
        #expect(lines(diagnostics).contains { $0.hasPrefix("typo.yaml:4:3: error: state 'a' has no kind") })
    }

    @Test func graphProblemsAreAllReported() {
        let diagnostics = check([
            "graph.yaml": """
            process: graph
            start: begin
            states:
              begin:
                on:
                  submit:
                    goto: middel
              middle:
                on:
                  loop:
                    goto: middle
              orphan:
                final: success
              stuck:
                choice:
                  - when: true
                    goto: begin
            """
        ])
        let text = lines(diagnostics)
        #expect(text.contains("graph.yaml:7:15: error: transition to undefined state 'middel'; did you mean 'middle'?"))
        #expect(text.contains("graph.yaml:8:3: warning: state 'middle' is unreachable from 'begin'"))
        #expect(text.contains("graph.yaml:12:3: warning: state 'orphan' is unreachable from 'begin'"))
        #expect(
            text.contains(
                "graph.yaml:16:9: error: the branches need a last 'otherwise' branch, taken when no guard holds"))
    }

    @Test func missingStartAndDeadEnds() {
        let diagnostics = check([
            "dead.yaml": """
            process: dead
            start: nowhere
            states:
              a:
                on:
                  again:
                    goto: a
              done:
                final: success
            """
        ])
        let text = lines(diagnostics)
        #expect(text.contains("dead.yaml:2:8: error: the start state 'nowhere' is not defined"))
        // 'a' is unreachable here, so it is only a warning, but an instance in it could never end.
        #expect(text.contains("dead.yaml:4:3: warning: state 'a' is unreachable from 'nowhere'") == false)
    }

    @Test func aTrapWithoutFinalIsAnError() {
        let diagnostics = check([
            "trap.yaml": """
            process: trap
            start: a
            states:
              a:
                on:
                  next: { goto: b }
                  finish: { goto: done }
              b:
                on:
                  back: { goto: b }
              done:
                final: success
            """
        ])
        #expect(
            lines(diagnostics) == [
                "trap.yaml:8:3: error: no final state can be reached from 'b': its instances would never end"
            ])
    }

    @Test func finalStatesCannotLeave() {
        let diagnostics = check([
            "final.yaml": """
            process: final_out
            start: done
            states:
              done:
                final: success
                goto: done
                timers:
                  - after: P1D
                    goto: done
            """
        ])
        let text = lines(diagnostics)
        #expect(
            text.contains("final.yaml:6:5: error: final state 'done' cannot have outgoing transitions: remove 'goto'"))
        #expect(
            text.contains {
                $0.hasPrefix("final.yaml:7:5: error: only waiting states (input, approval, subprocess) have timers")
            })
    }

    @Test func invalidDurationsAreReported() {
        let diagnostics = check([
            "d.yaml": """
            process: durations
            start: wait
            states:
              wait:
                on:
                  go: { goto: done }
                timers:
                  - after: P30X
                    goto: done
                  - after: 30 days
                    goto: done
              done:
                final: success
            """
        ])
        let text = lines(diagnostics)
        #expect(
            text.contains(
                "d.yaml:8:16: error: invalid duration 'P30X': write an ISO-8601 duration such as P30D, PT12H or P1M"))
        #expect(
            text.contains(
                "d.yaml:10:16: error: invalid duration '30 days': write an ISO-8601 duration such as P30D, PT12H or P1M"
            ))
    }

    @Test func unknownActionsAndInputs() {
        let diagnostics = check([
            "a.yaml": """
            process: actions
            start: lookup
            context:
              siret: string
            states:
              lookup:
                action: directory.lookpu
                goto: done
              second:
                action: directory.lookup
                with: { sirett: context.siret }
                goto: done
              done:
                final: success
            """
        ])
        let text = lines(diagnostics)
        #expect(
            text.contains("a.yaml:7:13: error: unknown action 'directory.lookpu'; did you mean 'directory.lookup'?"))
        #expect(
            text.contains("a.yaml:11:13: error: action 'directory.lookup' has no input 'sirett'; did you mean 'siret'?")
        )
        #expect(text.contains("a.yaml:10:13: error: action 'directory.lookup' needs its input 'siret'"))
    }

    @Test func approvalsNeedOutcomesAndKnownResolvers() {
        let diagnostics = check([
            "ap.yaml": """
            process: approvals
            start: ask
            states:
              ask:
                approval:
                  title: Please decide
                  assignees: { resolver: structure.manager, with: { structure_id: "'s1'" } }
                  outcomes: {}
              done:
                final: success
            """
        ])
        let text = lines(diagnostics)
        #expect(
            text.contains(
                "ap.yaml:7:30: error: unknown assignee resolver 'structure.manager'; did you mean 'structure.managers'?"
            ))
        #expect(text.contains("ap.yaml:8:17: error: an approval needs at least one outcome"))
    }

    @Test func subprocessesMustExistAndHaveTheirOutcomesHandled() {
        let diagnostics = check([
            "parent.yaml": """
            process: parent
            start: run_child
            states:
              run_child:
                subprocess:
                  process: chidl
                  outcomes: { success: done }
              run_other:
                subprocess:
                  process: child
                  outcomes: { success: done, refusd: done }
              done:
                final: success
            """,
            "child.yaml": """
            process: child
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
            """,
        ])
        let text = lines(diagnostics)
        #expect(text.contains("parent.yaml:6:16: error: sub-process 'chidl' does not exist; did you mean 'child'?"))
        #expect(
            text.contains("parent.yaml:11:34: error: process 'child' never ends with 'refusd'; did you mean 'refused'?")
        )
        #expect(text.contains("parent.yaml:10:16: error: outcome 'refused' of sub-process 'child' is not handled"))
    }

    @Test func withoutACatalogueActionsAreAnError() {
        let diagnostics = check(
            [
                "p.yaml": """
                process: p
                start: a
                states:
                  a:
                    action: x.y
                    goto: done
                  done:
                    final: success
                """
            ], catalog: false)
        #expect(lines(diagnostics).contains { $0.contains("no action catalogue found") })
    }

    @Test func documentsOfUnknownKindAreReported() {
        let diagnostics = check(["x.yaml": "proces: x\n"])
        #expect(
            lines(diagnostics).contains {
                $0.hasPrefix("x.yaml:1:1: error: unknown document") && $0.hasSuffix("did you mean 'process'?")
            })
    }
}
