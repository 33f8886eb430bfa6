/// Why an identifier is invalid: a message for a person.
struct IdentifierProblem: Error, Hashable, Sendable {
    var message: String

    init(_ message: String) {
        self.message = message
    }

    /// The generic check-digit failure.
    static let checkDigit = IdentifierProblem("check digit does not match")

    /// `count` digits were expected but `actual` characters were found.
    static func length(_ expected: String, got actual: Int) -> IdentifierProblem {
        IdentifierProblem("\(expected) expected, got \(actual)")
    }

    /// A character that should have been a digit.
    static func notDigit(_ character: Character) -> IdentifierProblem {
        IdentifierProblem("only digits expected, found '\(character)'")
    }
}
