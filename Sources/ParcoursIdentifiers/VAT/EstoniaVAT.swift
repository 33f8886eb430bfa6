/// Estonia (KMKR): 9 digits with a weighted mod 10 check.
enum EstoniaVAT: VATCountryRule {
    static let prefix = "EE"
    static let shape = "9 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 9)
        guard CheckArithmetic.weightedSum(digits, [3, 7, 1, 3, 7, 1, 3, 7, 1]) % 10 == 0 else { throw .checkDigit }
    }
}
