/// Hungary (ANUM): 8 digits with a weighted mod 10 check.
enum HungaryVAT: VATCountryRule {
    static let prefix = "HU"
    static let shape = "8 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 8)
        guard CheckArithmetic.weightedSum(digits, [9, 7, 3, 1, 9, 7, 3, 1]) % 10 == 0 else { throw .checkDigit }
    }
}
