/// Parsing of identifiers that are a fixed number of digits.
enum FixedDigits {
    /// The digits of `number`, which must be exactly `count` ASCII digits.
    static func parse(_ number: String, count: Int) throws(IdentifierProblem) -> [Int] {
        if let character = number.firstNonDigit { throw .notDigit(character) }
        guard number.count == count else { throw .length("\(count) digits", got: number.count) }
        return number.compactMap(\.asciiDigit)
    }
}
