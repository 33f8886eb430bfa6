import ParcoursDSL
import Testing

@Suite("Checker: variables, types and secrets")
struct TypeCheckTests {
    /// A process around `states` (indented by 2), with a context and a notification to play with.
    func process(_ states: String, extra: String = "") -> String {
        """
        process: p
        start: ask
        context:
          count: number
          note: string?
        settings:
          limit: 3
          validity: P30D
        notifications:
          hello:
            params: { name: string, link: secret }
            subject: "Hello {{ name }}"
            body: "Go to {{ link }}"
        \(extra)
        states:
        \(states)
          done:
            final: success
        """
    }

    func problems(_ states: String, extra: String = "") -> [String] {
        lines(check(["p.yaml": process(states, extra: extra)]))
    }

    @Test func guardsMustBeBooleanAndWellTyped() {
        let found = problems(
            """
              ask:
                on:
                  submit:
                    fields: { age: { type: integer } }
                    goto:
                      - when: input.age < 'ten'
                        goto: done
                      - when: input.age
                        goto: done
                      - otherwise: done
            """)
        #expect(found.contains { $0.contains("p.yaml:21:29: error: cannot compare number? with string") })
        #expect(found.contains("p.yaml:23:19: error: a guard must be of type bool?, but 'input.age' is number?"))
    }

    @Test func unknownVariablesAndRootsAreNamed() {
        let found = problems(
            """
              ask:
                on:
                  submit:
                    goto: done
                    set:
                      cont: 1
                      note: contxt.note
                      count: result.count
            """)
        #expect(
            found.contains(
                "p.yaml:21:11: error: unknown variable 'cont': declare it under 'context:'; did you mean 'count'?"))
        #expect(found.contains("p.yaml:22:17: error: unknown name 'contxt'; did you mean 'context'?"))
        #expect(
            found.contains(
                "p.yaml:23:18: error: 'result' is only available in the transition of an action or a sub-process"))
    }

    @Test func assignmentsKeepTheVariableType() {
        let found = problems(
            """
              ask:
                on:
                  submit:
                    goto: done
                    set: { count: "'many'" }
            """)
        #expect(found == ["p.yaml:20:24: error: cannot assign string to 'count', which is number"])
    }

    @Test func secretsCannotBeStoredOrSentInClearParams() {
        let found = problems(
            """
              ask:
                on:
                  submit:
                    fields:
                      password: { type: password, required: true }
                    goto: done
                    set: { note: input.password }
                    notify:
                      - template: hello
                        to: "'a@b.fr'"
                        with: { name: input.password, link: input.password }
            """)
        #expect(found.contains("p.yaml:22:22: error: 'input.password' is a secret: it cannot be stored in context"))
        #expect(
            found.contains(
                "p.yaml:26:27: error: 'input.password' is a secret: declare param 'name' of 'hello' as secret"))
        #expect(found.count == 2)
    }

    @Test func aSecretResultCannotBeKept() {
        let found = problems(
            """
              ask:
                action: activation.issue
                with: { account_id: "'a1'" }
                result: issued
                goto: done
            """)
        #expect(
            found == [
                "p.yaml:19:13: error: the result of 'activation.issue' holds a secret (link): it cannot be kept in 'issued'; use result.link in this transition instead"
            ])
    }

    @Test func inputFlowsThroughAutomaticStatesOnlyWhenEveryWayCarriesIt() {
        let found = problems(
            """
              ask:
                on:
                  with_password:
                    fields: { password: { type: password, required: true } }
                    goto: activate
                  without:
                    goto: route
              route:
                choice:
                  - when: true
                    goto: activate
                  - otherwise: done
              activate:
                action: account.activate
                with: { account_id: "'a1'", password: input.password }
                goto: done
            """)
        #expect(
            found == [
                "p.yaml:30:43: error: 'input' is not available in 'activate': some way into it does not come straight from an event"
            ])
    }

    @Test func inputReachesTheActionRightAfterTheEvent() {
        let found = problems(
            """
              ask:
                on:
                  submit:
                    fields: { password: { type: password, required: true } }
                    goto: activate
              activate:
                action: account.activate
                with: { account_id: "'a1'", password: input.password }
                goto: done
            """)
        #expect(found == [])
    }

    @Test func nonSecretInputsRefuseSecrets() {
        let found = problems(
            """
              ask:
                on:
                  submit:
                    fields: { password: { type: password, required: true } }
                    goto: activate
              activate:
                action: account.activate
                with: { account_id: input.password, password: input.password }
                goto: done
            """)
        #expect(
            found == [
                "p.yaml:23:25: error: input 'account_id' of action 'account.activate' is not a secret: it cannot receive 'input.password'"
            ])
    }

    @Test func notificationsNeedKnownTemplatesAndAllParams() {
        let found = problems(
            """
              ask:
                on:
                  submit:
                    goto: done
                    notify:
                      - template: helo
                        to: "'a@b.fr'"
                      - template: hello
                        to: 42
                        with: { name: context.count }
            """)
        #expect(found.contains("p.yaml:21:23: error: unknown notification 'helo'; did you mean 'hello'?"))
        #expect(found.contains { $0.hasPrefix("p.yaml:24:17: error: 'to' must be an address") })
        #expect(found.contains("p.yaml:25:27: error: param 'name' of 'hello' is string, but 'context.count' is number"))
        #expect(found.contains("p.yaml:23:23: error: notification 'hello' needs its param 'link'"))
    }

    @Test func templatesAreCheckedAgainstTheirParams() {
        let found = lines(
            check([
                "t.yaml": """
                process: t
                start: done
                notifications:
                  bad:
                    params: { name: string }
                    subject: "Hi {{ nme }}"
                    body: { en: "no French" }
                states:
                  done:
                    final: success
                """
            ]))
        #expect(found.contains("t.yaml:6:21: error: unknown name 'nme'; did you mean 'name'?"))
        #expect(found.contains("t.yaml:7:11: error: 'body' of 'bad' needs a French text ('fr'), the default language"))
    }

    @Test func approvalTitlesSeeTheContextAndDecisionsTheirOutcome() {
        let found = problems(
            """
              ask:
                approval:
                  title: "Decide on {{ context.nte }}"
                  assignees: { resolver: structure.managers, with: { structure_id: "'s1'" } }
                  outcomes:
                    approve:
                      goto: done
                      set: { note: decision.comment }
                    reject:
                      goto: done
                      set: { note: decision.reason }
            """)
        #expect(found.contains("p.yaml:18:36: error: 'context' has no member 'nte'; did you mean 'note'?"))
        #expect(found.contains("p.yaml:26:33: error: 'decision' has no member 'reason'"))
        #expect(found.count == 2)
    }

    @Test func timersTakeDurationsFromSettings() {
        let found = problems(
            """
              ask:
                on:
                  submit: { goto: done }
                timers:
                  - after: settings.validity
                    goto: done
                  - after: settings.limit
                    goto: done
            """)
        #expect(
            found == ["p.yaml:22:16: error: a timer's 'after' must be of type duration, but 'settings.limit' is number"]
        )
    }

    @Test func variablesWithConflictingTypesAreReported() {
        let found = problems(
            """
              ask:
                on:
                  first:
                    fields: { count: { type: string } }
                    goto: done
            """)
        #expect(
            found == ["p.yaml:19:19: error: 'count' is string? here but number where it is first defined at p.yaml:4:3"]
        )
    }

    @Test func tenantOverridesMustNameSettingsOfTheSameType() {
        let found = lines(
            check([
                "p.yaml": process("  ask:\n    on:\n      submit: { goto: done }"),
                "tenant.yaml": """
                tenant: acme
                settings:
                  p:
                    limt: 4
                    validity: soon
                  q:
                    limit: 1
                """,
            ]))
        #expect(found.contains("tenant.yaml:4:5: error: process 'p' has no setting 'limt'; did you mean 'limit'?"))
        #expect(found.contains("tenant.yaml:5:5: error: setting 'validity' must be of type duration, found string"))
        #expect(found.contains("tenant.yaml:6:3: error: unknown process 'q'"))
    }

    @Test func scenariosMustNameKnownProcessesAndActions() {
        let found = lines(
            check([
                "p.yaml": process("  ask:\n    on:\n      submit: { goto: done }"),
                "s.yaml": """
                scenario: s
                process: pp
                expect: { outcome: success }
                """,
                "s2.yaml": """
                scenario: s2
                process: p
                tenant: nobody
                stubs: { directory.lokup: { found: true } }
                expect: { outcome: success }
                """,
            ]))
        #expect(found.contains("s.yaml:2:10: error: unknown process 'pp'"))
        #expect(found.contains("s2.yaml:3:9: error: unknown tenant 'nobody'"))
        #expect(
            found.contains(
                "s2.yaml:1:11: error: unknown action 'directory.lokup' in 'stubs'; did you mean 'directory.lookup'?"))
    }

    @Test func fieldsAreChecked() {
        let found = problems(
            """
              ask:
                on:
                  submit:
                    fields:
                      email: { type: emial }
                      again: { type: string, same_as: emails }
                      kind: { type: enum }
                      name: { type: string, editable: false }
                      pin: { type: password, store: true }
                      account: { type: object, fields: { login: { type: string }, password: { type: password } } }
                      codes: { type: list, items: { type: secret } }
                    goto: done
            """)
        #expect(found.contains("p.yaml:20:26: error: unknown field type 'emial'; did you mean 'email'?"))
        #expect(found.contains("p.yaml:21:43: error: 'same_as' names no field of this event: 'emails'"))
        #expect(found.contains("p.yaml:22:11: error: enum field 'kind' needs 'values'"))
        #expect(found.contains("p.yaml:23:33: error: a field that is not editable needs a 'prefill'"))
        #expect(found.contains("p.yaml:24:34: error: a password field is never stored: remove 'store: true'"))
        #expect(
            found.contains(
                "p.yaml:25:71: error: a password field cannot sit inside the object 'account' (which is stored whole): make it a field of the event itself"
            ))
        #expect(
            found.contains(
                "p.yaml:26:39: error: a secret field cannot sit inside the list 'codes' (which is stored whole): make it a field of the event itself"
            ))
    }
}
