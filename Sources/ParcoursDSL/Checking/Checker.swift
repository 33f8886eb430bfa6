/// The static checks of `parcours validate`: every problem of every file, in one run.
public enum Checker {
    /// Checks everything in the workspace and returns the load and check diagnostics, sorted.
    public static func check(_ workspace: Workspace) -> [Diagnostic] {
        var diagnostics = workspace.diagnostics
        var seen: [String: SourceLocation] = [:]
        for definition in workspace.definitions {
            if let first = seen[definition.name.value] {
                diagnostics.append(
                    .error(
                        "process '\(definition.name.value)' is already defined at \(first)",
                        at: definition.name.location))
            } else {
                seen[definition.name.value] = definition.name.location
            }
            diagnostics += DefinitionChecker(definition: definition, workspace: workspace).check()
        }
        if !workspace.hasCatalog, workspace.definitions.contains(where: { $0.usesActionsOrResolvers }) {
            let location = workspace.definitions.first?.name.location ?? .synthetic("parcours")
            diagnostics.append(
                .error(
                    "no action catalogue found: pass --actions FILE, or keep workflows/actions.yaml in this folder or a parent",
                    at: location))
        }
        for tenant in workspace.tenants { diagnostics += checkTenant(tenant, in: workspace) }
        for scenario in workspace.scenarios { diagnostics += checkScenario(scenario, in: workspace) }
        return diagnostics.sortedForDisplay()
    }

    static func checkTenant(_ tenant: TenantConfiguration, in workspace: Workspace) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        for (process, settings) in tenant.settings {
            let location = tenant.processLocations[process] ?? tenant.name.location
            guard let definition = workspace.definition(named: process) else {
                let names = workspace.definitions.map(\.name.value) + workspace.referenceDefinitions.map(\.name.value)
                diagnostics.append(
                    .error("unknown process '\(process)'\(didYouMean(process, in: names))", at: location))
                continue
            }
            diagnostics += checkSettingOverrides(settings, of: definition)
        }
        return diagnostics
    }

    /// Overrides must name declared settings and keep their types.
    static func checkSettingOverrides(_ overrides: [String: Located<Value>], of definition: ProcessDefinition)
        -> [Diagnostic]
    {
        var diagnostics: [Diagnostic] = []
        let defaults = Dictionary(definition.settings.map { ($0.name, $0) }) { first, _ in first }
        for (name, value) in overrides {
            guard let setting = defaults[name] else {
                diagnostics.append(
                    .error(
                        "process '\(definition.name.value)' has no setting '\(name)'\(didYouMean(name, in: defaults.keys))",
                        at: value.location))
                continue
            }
            let expected = setting.type
            let given = ValueType.of(value.value)
            if !settingTypeAccepts(expected, given) {
                diagnostics.append(
                    .error("setting '\(name)' must be of type \(expected), found \(given)", at: value.location))
            }
        }
        return diagnostics
    }

    /// Lists of anything accept lists of something; objects accept objects whose known members match.
    static func settingTypeAccepts(_ expected: ValueType, _ given: ValueType) -> Bool {
        switch (expected, given) {
        case (.list, .list): return true
        case (.object(let fields?), .object(let givenFields?)):
            return givenFields.allSatisfy { name, type in fields[name].map { settingTypeAccepts($0, type) } ?? false }
        default: return expected.accepts(given)
        }
    }

    static func checkScenario(_ scenario: Scenario, in workspace: Workspace) -> [Diagnostic] {
        var diagnostics: [Diagnostic] = []
        guard let definition = workspace.definition(named: scenario.process.value) else {
            let names = workspace.definitions.map(\.name.value) + workspace.referenceDefinitions.map(\.name.value)
            return [
                .error(
                    "unknown process '\(scenario.process.value)'\(didYouMean(scenario.process.value, in: names))",
                    at: scenario.process.location)
            ]
        }
        if let tenant = scenario.tenant, workspace.tenant(named: tenant.value) == nil {
            diagnostics.append(
                .error(
                    "unknown tenant '\(tenant.value)'\(didYouMean(tenant.value, in: workspace.tenants.map(\.name.value)))",
                    at: tenant.location))
        }
        diagnostics += checkSettingOverrides(scenario.settings, of: definition)
        if workspace.hasCatalog {
            for action in scenario.stubs.keys where workspace.catalog.actions[action] == nil {
                diagnostics.append(
                    .error(
                        "unknown action '\(action)' in 'stubs'\(didYouMean(action, in: workspace.catalog.actions.keys))",
                        at: scenario.location))
            }
        }
        return diagnostics
    }
}

extension ProcessDefinition {
    var usesActionsOrResolvers: Bool {
        states.contains { state in
            switch state.kind {
            case .action, .approval: true
            default: false
            }
        }
    }
}
