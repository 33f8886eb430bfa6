/// Luxembourg: 8 digits; the last two are the first six mod 89.
enum LuxembourgVAT: VATCountryRule {
    static let prefix = "LU"
    static let shape = "8 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 8)
        guard CheckArithmetic.number(digits.prefix(6)) % 89 == CheckArithmetic.number(digits.suffix(2)) else {
            throw .checkDigit
        }
    }
}
