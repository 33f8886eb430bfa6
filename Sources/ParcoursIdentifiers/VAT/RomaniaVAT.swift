/// Romania: a CUI/CIF of 2 to 10 digits (not starting with 0) with a weighted check digit, or a
/// 13-digit personal number (CNP).
enum RomaniaVAT: VATCountryRule {
    static let prefix = "RO"
    static let shape = "2 to 10 digits (or a 13-digit CNP)"

    static func validate(_ body: String) throws(IdentifierProblem) {
        if body.count == 13 {
            try RomanianCNP.validate(body)
            return
        }
        let digits = try digitsWithoutLeadingZero(body)
        let padded = Array(repeating: 0, count: 10 - digits.count) + digits
        let sum = CheckArithmetic.weightedSum(Array(padded.prefix(9)), [7, 5, 3, 2, 1, 7, 5, 3, 2])
        guard 10 * sum % 11 % 10 == digits[digits.count - 1] else { throw .checkDigit }
    }

    private static func digitsWithoutLeadingZero(_ body: String) throws(IdentifierProblem) -> [Int] {
        guard let digits = body.digitValues else { throw formatProblem }
        guard digits.first != 0 else { throw problem("the number cannot start with 0") }
        guard (2...10).contains(digits.count) else { throw formatProblem }
        return digits
    }
}
