/// Portugal (NIF/NIPC): 9 digits, not starting with 0, with a weighted mod 11 check digit.
enum PortugalVAT: VATCountryRule {
    static let prefix = "PT"
    static let shape = "9 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digitsWithoutLeadingZero(body, count: 9)
        let sum = CheckArithmetic.weightedSum(digits, Array((2...9).reversed()))
        guard CheckArithmetic.mod(11 - sum, 11) % 10 == digits[8] else { throw .checkDigit }
    }
}
