/// Poland (NIP): 10 digits with a weighted mod 11 check.
enum PolandVAT: VATCountryRule {
    static let prefix = "PL"
    static let shape = "10 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 10)
        let sum = CheckArithmetic.weightedSum(digits, [6, 5, 7, 2, 3, 4, 5, 6, 7, -1])
        guard CheckArithmetic.mod(sum, 11) == 0 else { throw .checkDigit }
    }
}
