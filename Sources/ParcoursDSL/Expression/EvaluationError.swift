/// A problem met while evaluating an expression or rendering a template, such as a value of an unexpected
/// kind in an unchecked (`any`) place, an invalid run-time regular expression or an arithmetic overflow.
public struct EvaluationError: Error, Hashable, Sendable, CustomStringConvertible {
    /// What went wrong, for people.
    public var message: String
    /// Where, in the definition, the expression part that failed starts.
    public var location: SourceLocation

    /// An error with this message at this location.
    public init(_ message: String, at location: SourceLocation) {
        self.message = message
        self.location = location
    }

    /// `file:line:col: message`.
    public var description: String { "\(location): \(message)" }
}
