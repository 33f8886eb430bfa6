/// Slovakia (IČ DPH): 10 digits, a multiple of 11, not starting with 0, whose third digit is 2, 3, 4,
/// 7, 8 or 9; a valid birth number is accepted too.
enum SlovakiaVAT: VATCountryRule {
    static let prefix = "SK"
    static let shape = "10 digits"

    private static let thirdDigits: Set<Int> = [2, 3, 4, 7, 8, 9]

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 10)
        if BirthNumber.isValid(digits) { return }
        guard digits[0] != 0 else { throw problem("the number cannot start with 0") }
        guard thirdDigits.contains(digits[2]) else { throw problem("the third digit must be 2, 3, 4, 7, 8 or 9") }
        guard CheckArithmetic.number(digits) % 11 == 0 else { throw .checkDigit }
    }
}
