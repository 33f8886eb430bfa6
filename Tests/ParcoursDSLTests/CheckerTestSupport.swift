import ParcoursDSL

/// A small catalogue for checker tests.
let testCatalog = """
    actions:
      directory.lookup:
        input:
          siret: { type: siret, required: true }
        output:
          found: bool
          name: string?
        example: { found: true, name: ACME }
      activation.issue:
        input:
          account_id: { type: string, required: true }
        output:
          link: secret
          expires_at: date
      account.activate:
        input:
          account_id: { type: string, required: true }
          password: { type: password, required: true }
        output:
          ok: bool
    assignees:
      structure.managers:
        input:
          structure_id: { type: string, required: true }
        example: [manager-1]
    """

/// Loads YAML documents (file name → text) with the test catalogue and checks them.
func check(_ files: [String: String], catalog: Bool = true) -> [Diagnostic] {
    var workspace = Workspace()
    if catalog { workspace.add(source: testCatalog, file: "actions.yaml") }
    for (file, text) in files.sorted(by: { $0.key < $1.key }) { workspace.add(source: text, file: file) }
    return Checker.check(workspace)
}

/// The diagnostics as the CLI prints them.
func lines(_ diagnostics: [Diagnostic]) -> [String] { diagnostics.map(\.description) }
