/// Finland (ALV): 8 digits with a weighted mod 11 check.
enum FinlandVAT: VATCountryRule {
    static let prefix = "FI"
    static let shape = "8 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 8)
        guard CheckArithmetic.weightedSum(digits, [7, 9, 10, 5, 8, 4, 2, 1]) % 11 == 0 else { throw .checkDigit }
    }
}
