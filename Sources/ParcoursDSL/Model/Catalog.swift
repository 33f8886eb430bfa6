/// The actions and assignee resolvers a runtime implements, as declared in an action catalogue
/// (`workflows/actions.yaml`). The checker uses it to check `action:` states and `assignees:`.
public struct ActionCatalog: Sendable, Hashable {
    public var actions: [String: ActionSignature] = [:]
    public var resolvers: [String: ResolverSignature] = [:]
    /// The catalogue files it was read from.
    public var files: [String] = []

    public init() {}

    /// Adds another catalogue's entries (the first declaration of a name wins; the checker reports the others).
    public mutating func merge(_ other: ActionCatalog) {
        actions.merge(other.actions) { first, _ in first }
        resolvers.merge(other.resolvers) { first, _ in first }
        files += other.files
    }
}

public struct ActionSignature: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
    public var description: String?
    public var input: [FieldSpec] = []
    /// Output members and their types.
    public var output: [String: ValueType] = [:]
    /// The result the simulator returns when a scenario stubs nothing.
    public var example: Value?

    public var outputType: ValueType { .object(output) }
}

public struct ResolverSignature: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
    public var description: String?
    public var input: [FieldSpec] = []
    /// Candidates the simulator uses when a scenario says nothing.
    public var example: [String] = []
}

/// A tenant's configuration: its overrides of processes' settings.
public struct TenantConfiguration: Sendable, Hashable {
    public var name: Located<String>
    public var title: String?
    /// Process name → setting name → value.
    public var settings: [String: [String: Located<Value>]] = [:]
    public var processLocations: [String: SourceLocation] = [:]
    public var file: String
}
