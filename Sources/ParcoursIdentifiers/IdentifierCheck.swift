/// The verdict on one identifier: what was given, its normalised form and, when invalid, why.
public struct IdentifierCheck: Hashable, Sendable {
    /// The value as it was given.
    public var input: String
    /// The value with spaces, dots, dashes and non-breaking spaces removed and letters upper-cased
    /// (and, for a few formats, a conventionally omitted leading zero restored).
    public var normalized: String
    /// `nil` when the value is valid; otherwise a message for a person saying what is wrong.
    public var problem: String?

    /// Whether the value is a valid identifier of the kind checked.
    public var isValid: Bool { problem == nil }

    /// Creates a verdict.
    public init(input: String, normalized: String, problem: String?) {
        self.input = input
        self.normalized = normalized
        self.problem = problem
    }
}
