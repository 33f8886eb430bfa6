/// Denmark (CVR): 8 digits, not starting with 0, with a weighted mod 11 check.
enum DenmarkVAT: VATCountryRule {
    static let prefix = "DK"
    static let shape = "8 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digitsWithoutLeadingZero(body, count: 8)
        guard CheckArithmetic.weightedSum(digits, [2, 7, 6, 5, 4, 3, 2, 1]) % 11 == 0 else { throw .checkDigit }
    }
}
