import Foundation
import ParcoursDSL
import ParcoursEngine
import Testing

/// A process exercising every state kind, used by the interpreter tests.
let membershipProcess = """
    process: membership
    start: identify
    params:
      channel: { type: enum, values: [web, api], default: web }
    context:
      refusal: string?
    settings:
      validity: P30D
      password_policy: { min_length: 12, min_classes: 3 }
    notifications:
      welcome:
        params: { link: secret, email: string }
        subject: { fr: "Bienvenue {{ email }}", en: "Welcome {{ email }}" }
        body: { fr: "Activez : {{ link }}" }
      refused:
        params: { reason: string }
        subject: Refus
        body: "Motif : {{ reason }}"
    states:
      identify:
        on:
          submit:
            fields:
              email: { type: email, required: true }
              email_confirmation: { type: email, required: true, same_as: email, store: false }
              siret: { type: siret }
              age: { type: integer, min: 0 }
            goto:
              - when: input.age != null and input.age < 16
                goto: too_young
              - when: input.siret != null
                goto: lookup
              - otherwise: set_password
      lookup:
        action: directory.lookup
        with: { siret: context.siret }
        result: company
        goto:
          - when: result.found
            goto: await_manager
          - otherwise: set_password
      await_manager:
        approval:
          title: "{{ context.email }} asks to join {{ context.company.name }}"
          assignees: { resolver: structure.managers, with: { structure_id: "'s-1'" } }
          requester: context.email
          outcomes:
            approve: set_password
            reject:
              goto: refused
              comment: required
              set: { refusal: decision.comment }
        timers:
          - after: P7D
            escalate: { resolver: structure.managers, with: { structure_id: "'admins'" } }
          - after: P30D
            goto: expired
      set_password:
        on:
          activate:
            fields:
              password: { type: password, required: true, policy: settings.password_policy }
            goto: activate
        timers:
          - after: settings.validity
            goto: expired
      activate:
        action: account.activate
        with: { account_id: context.email, password: input.password }
        goto: issue
      issue:
        action: activation.issue
        with: { account_id: context.email }
        goto: done
        notify:
          - template: welcome
            to: context.email
            with: { link: result.link, email: context.email }
      done:
        final: success
      too_young:
        final: refused
      refused:
        final: refused
        notify:
          - template: refused
            to: context.email
            with: { reason: context.refusal }
      expired:
        final: expired
    """

let engineCatalog = """
    actions:
      directory.lookup:
        input: { siret: { type: siret, required: true } }
        output: { found: bool, name: string? }
        example: { found: true, name: ACME }
      account.activate:
        input:
          account_id: { type: string, required: true }
          password: { type: password, required: true }
        output: { ok: bool }
        example: { ok: true }
      activation.issue:
        input: { account_id: { type: string, required: true } }
        output: { link: secret, expires_at: date }
        example: { link: "https://example.org/activate/TOKEN", expires_at: "2026-02-01T00:00:00Z" }
    assignees:
      structure.managers:
        input: { structure_id: { type: string, required: true } }
        example: [manager-1]
    """

/// A workspace with the test process and catalogue, checked clean.
func engineWorkspace(_ extra: [String: String] = [:]) throws -> Workspace {
    var workspace = Workspace()
    workspace.add(source: engineCatalog, file: "actions.yaml")
    workspace.add(source: membershipProcess, file: "membership.yaml")
    for (file, text) in extra.sorted(by: { $0.key < $1.key }) { workspace.add(source: text, file: file) }
    let diagnostics = Checker.check(workspace).filter { $0.severity == .error }
    #expect(diagnostics.isEmpty, "\(diagnostics.map(\.description))")
    return workspace
}

func membershipInterpreter() throws -> Interpreter {
    let workspace = try engineWorkspace()
    let definition = try #require(workspace.definition(named: "membership"))
    return Interpreter(definition: definition)
}

let t0 = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z

extension Result where Success == Interpreter.Progress, Failure == Rejection {
    /// The finished step, failing the test when the event was rejected or stopped on an action.
    func step(sourceLocation: Testing.SourceLocation = #_sourceLocation) throws -> Interpreter.Step {
        switch self {
        case .failure(let rejection):
            Issue.record("rejected: \(rejection)", sourceLocation: sourceLocation)
            throw rejection
        case .success(.action(let call, _)):
            Issue.record("suspended on \(call.action)", sourceLocation: sourceLocation)
            throw EngineError("suspended")
        case .success(.done(let step)): return step
        }
    }

    func rejection() -> Rejection? {
        if case .failure(let rejection) = self { return rejection }
        return nil
    }
}

/// Runs a macro-step to the end, answering actions with `results`.
func drive(_ interpreter: Interpreter, _ result: Result<Interpreter.Progress, Rejection>, results: [String: Value])
    throws -> (Interpreter.Step, [ActionCall])
{
    var calls: [ActionCall] = []
    guard case .success(var progress) = result else {
        if case .failure(let rejection) = result { throw rejection }
        throw EngineError("unreachable")
    }
    while case .action(let call, let suspended) = progress {
        calls.append(call)
        guard case .success(let next) = interpreter.resume(suspended, result: results[call.action] ?? .object([:]))
        else { throw EngineError("resume failed") }
        progress = next
    }
    guard case .done(let step) = progress else { throw EngineError("unreachable") }
    return (step, calls)
}
