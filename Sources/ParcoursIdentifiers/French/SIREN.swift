/// SIREN: the 9-digit French company number, with a Luhn check digit.
enum SIREN {
    /// Throws the first problem with `number` (already normalised).
    static func validate(_ number: String) throws(IdentifierProblem) {
        let digits = try FixedDigits.parse(number, count: 9)
        guard digits.contains(where: { $0 != 0 }) else {
            throw IdentifierProblem("all-zero number is not a valid SIREN")
        }
        guard Luhn.isValid(digits) else { throw .checkDigit }
    }
}
