import Foundation

/// Everything the designer tools work on: the process definitions, action catalogues, tenant files and scenarios
/// found under some paths, with the diagnostics of reading them.
public struct Workspace: Sendable {
    public var definitions: [ProcessDefinition] = []
    /// Definitions loaded only so that sub-processes resolve (e.g. workflows/ when checking examples/).
    public var referenceDefinitions: [ProcessDefinition] = []
    public var catalog = ActionCatalog()
    /// False when no catalogue was found: actions cannot be checked.
    public var hasCatalog = false
    public var tenants: [TenantConfiguration] = []
    public var scenarios: [Scenario] = []
    public var diagnostics: [Diagnostic] = []
    /// How many YAML files were read.
    public var fileCount = 0

    public init() {}

    /// A process by name, among the checked definitions first, then the reference ones.
    public func definition(named name: String) -> ProcessDefinition? {
        definitions.first { $0.name.value == name } ?? referenceDefinitions.first { $0.name.value == name }
    }

    public func tenant(named name: String) -> TenantConfiguration? { tenants.first { $0.name.value == name } }

    /// What a YAML document is: `process`, `actions`, `assignees`, `scenario` or `tenant` (its first such key), or
    /// nil when it is none of them or does not parse.
    public static func documentKind(of source: String) -> String? {
        guard let node = YAMLSource.parse(source, file: "").0, let entries = node.entries else { return nil }
        return entries.compactMap(\.key.scalarText).first {
            ["process", "actions", "assignees", "scenario", "tenant"].contains($0)
        }
    }

    /// Adds one YAML document; `reference` documents contribute definitions and catalogues only, silently.
    public mutating func add(source: String, file: String, reference: Bool = false) {
        if !reference { fileCount += 1 }
        let (node, parseDiagnostics) = YAMLSource.parse(source, file: file)
        let sink = DiagnosticSink()
        sink.diagnostics = parseDiagnostics
        defer { if !reference { diagnostics += sink.diagnostics } }
        guard let node else { return }
        guard let root = MappingReader(node, what: "the document", sink: sink) else { return }
        let first = root.keys.first { ["process", "actions", "assignees", "scenario", "tenant"].contains($0) }
        switch first {
        case "process":
            guard let definition = ProcessLoader(sink: sink, file: file).load(root, source: source) else { return }
            if reference {
                referenceDefinitions.append(definition)
            } else {
                definitions.append(definition)
            }
        case "actions", "assignees":
            let loaded = CatalogLoader(sink: sink, file: file).load(root)
            for (name, action) in loaded.actions where !reference {
                if let existing = catalog.actions[name], existing.location != action.location {
                    sink.error("action '\(name)' is already declared at \(existing.location)", at: action.location)
                }
            }
            catalog.merge(loaded)
            hasCatalog = true
        case "scenario":
            guard !reference else { return }
            if let scenario = ScenarioLoader(sink: sink, file: file).load(root) { scenarios.append(scenario) }
        case "tenant":
            guard !reference else { return }
            if let tenant = TenantLoader(sink: sink, file: file).load(root) { tenants.append(tenant) }
        default:
            sink.error(
                "unknown document: start it with 'process:', 'actions:', 'scenario:' or 'tenant:'"
                    + didYouMean(root.keys.first ?? "", in: ["process", "actions", "assignees", "scenario", "tenant"]),
                at: node.location)
        }
    }

    /// Reads files and folders (recursively, `*.yaml` and `*.yml`). When no catalogue is among them, `catalogPath`
    /// is used, else `workflows/actions.yaml` in the current folder or a parent of the paths; definitions found
    /// beside that catalogue are loaded as references so that sub-processes resolve.
    public static func load(paths: [String], catalogPath: String? = nil) -> Workspace {
        var workspace = Workspace()
        let files = yamlFiles(in: paths, workspace: &workspace)
        let loaded = Set(files.map { URL(fileURLWithPath: $0).standardizedFileURL.path })
        for file in files {
            guard let text = readText(file, workspace: &workspace) else { continue }
            workspace.add(source: text, file: displayPath(file))
        }
        var catalogFile = catalogPath
        if catalogFile == nil, !workspace.hasCatalog { catalogFile = discoverCatalog(near: paths) }
        if let catalogFile {
            let absolute = URL(fileURLWithPath: catalogFile).standardizedFileURL.path
            if !loaded.contains(absolute), let text = readText(catalogFile, workspace: &workspace) {
                // A broken catalogue is reported even though it was not named.
                workspace.add(source: text, file: displayPath(catalogFile))
                workspace.fileCount -= 1
            }
            let folder = URL(fileURLWithPath: absolute).deletingLastPathComponent().path
            var ignored = Workspace()
            for file in yamlFiles(in: [folder], workspace: &ignored)
            where !loaded.contains(URL(fileURLWithPath: file).standardizedFileURL.path) && file != absolute {
                if let text = try? String(contentsOfFile: file, encoding: .utf8) {
                    workspace.add(source: text, file: displayPath(file), reference: true)
                }
            }
        }
        return workspace
    }

    static func readText(_ file: String, workspace: inout Workspace) -> String? {
        guard let data = FileManager.default.contents(atPath: file) else {
            workspace.diagnostics.append(
                .error("cannot read the file", at: SourceLocation(file: displayPath(file), line: 1, column: 1)))
            return nil
        }
        guard let text = String(data: data, encoding: .utf8) else {
            workspace.diagnostics.append(
                .error("the file is not UTF-8 text", at: SourceLocation(file: displayPath(file), line: 1, column: 1)))
            return nil
        }
        return text
    }

    /// The YAML files under `paths`, sorted, folders searched recursively.
    static func yamlFiles(in paths: [String], workspace: inout Workspace) -> [String] {
        var result: [String] = []
        let manager = FileManager.default
        for path in paths {
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: path, isDirectory: &isDirectory) else {
                workspace.diagnostics.append(
                    .error("no such file or folder", at: SourceLocation(file: path, line: 0, column: 0)))
                continue
            }
            if !isDirectory.boolValue {
                result.append(path)
                continue
            }
            var found: [String] = []
            if let enumerator = manager.enumerator(atPath: path) {
                for case let relative as String in enumerator
                where relative.hasSuffix(".yaml") || relative.hasSuffix(".yml") {
                    if relative.split(separator: "/").contains(where: { $0.hasPrefix(".") }) { continue }
                    found.append((path as NSString).appendingPathComponent(relative))
                }
            }
            result += found.sorted()
        }
        var seen = Set<String>()
        return result.filter { seen.insert(URL(fileURLWithPath: $0).standardizedFileURL.path).inserted }
    }

    static func discoverCatalog(near paths: [String]) -> String? {
        if let fromEnvironment = ProcessInfo.processInfo.environment["PARCOURS_ACTIONS"], !fromEnvironment.isEmpty {
            return fromEnvironment
        }
        let manager = FileManager.default
        var starts = [manager.currentDirectoryPath]
        starts += paths.map { URL(fileURLWithPath: $0).standardizedFileURL.path }
        for start in starts {
            var folder = URL(fileURLWithPath: start)
            for _ in 0..<12 {
                let candidate = folder.appendingPathComponent("workflows/actions.yaml").path
                if manager.fileExists(atPath: candidate) { return candidate }
                let parent = folder.deletingLastPathComponent()
                if parent.path == folder.path { break }
                folder = parent
            }
        }
        return nil
    }

    /// A path relative to the current folder when it is inside it, as compilers print them.
    static func displayPath(_ path: String) -> String {
        let absolute = URL(fileURLWithPath: path).standardizedFileURL.path
        let current = URL(fileURLWithPath: FileManager.default.currentDirectoryPath).standardizedFileURL.path + "/"
        return absolute.hasPrefix(current) ? String(absolute.dropFirst(current.count)) : path
    }
}
