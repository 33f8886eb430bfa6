import ParcoursIdentifiers
import Testing

/// Asserts that `value` is valid as `kind`.
func expectValid(
    _ kind: IdentifierKind, _ value: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let check = Identifiers.check(kind, value)
    #expect(check.isValid, "\(kind.rawValue) \(value): \(check.problem ?? "")", sourceLocation: sourceLocation)
}

/// Asserts that `value` is invalid as `kind`, with exactly `message`.
func expectProblem(
    _ kind: IdentifierKind, _ value: String, _ message: String, sourceLocation: SourceLocation = #_sourceLocation
) {
    let check = Identifiers.check(kind, value)
    #expect(check.problem == message, "\(kind.rawValue) \(value)", sourceLocation: sourceLocation)
}
