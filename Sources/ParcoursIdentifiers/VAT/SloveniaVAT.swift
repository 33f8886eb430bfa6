/// Slovenia (ID za DDV): 8 digits, not starting with 0, with a weighted mod 11 check digit.
enum SloveniaVAT: VATCountryRule {
    static let prefix = "SI"
    static let shape = "8 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digitsWithoutLeadingZero(body, count: 8)
        let check = 11 - CheckArithmetic.weightedSum(digits, Array((2...8).reversed())) % 11
        // A remainder of 0 would need the check "digit" 11: no such number is valid.
        guard check != 11, check % 10 == digits[7] else { throw .checkDigit }
    }
}
