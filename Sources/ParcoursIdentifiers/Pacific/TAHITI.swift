/// TAHITI: the French Polynesian company number — 6 digits, or since 2011 one letter and 5 digits —
/// optionally followed by the 3-digit establishment number. No check digit is documented.
enum TAHITI {
    /// Throws the first problem with `number` (already normalised).
    static func validate(_ number: String) throws(IdentifierProblem) {
        guard number.count == 6 || number.count == 9 else {
            throw IdentifierProblem(
                "6 characters expected (6 digits, or a letter and 5 digits), or 9 with the establishment number, "
                    + "got \(number.count)")
        }
        if let first = number.first, first.asciiDigit == nil, !first.isUppercaseASCIILetter {
            throw IdentifierProblem("a digit or a letter expected first, found '\(first)'")
        }
        if let character = number.dropFirst().firstNonDigit { throw .notDigit(character) }
        guard number.prefix(6).contains(where: { $0 != "0" }) else {
            throw IdentifierProblem("all-zero number is not a valid TAHITI")
        }
    }
}
