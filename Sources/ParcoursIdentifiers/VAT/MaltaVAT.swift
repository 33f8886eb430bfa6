/// Malta: 8 digits, not starting with 0, with a weighted mod 37 check.
enum MaltaVAT: VATCountryRule {
    static let prefix = "MT"
    static let shape = "8 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digitsWithoutLeadingZero(body, count: 8)
        guard CheckArithmetic.weightedSum(digits, [3, 4, 6, 7, 8, 9, 10, 1]) % 37 == 0 else { throw .checkDigit }
    }
}
