/// Lithuania (PVM): 9 digits (legal entities, 8th digit 1) or 12 digits (temporary registrations,
/// 11th digit 1), with a two-pass weighted mod 11 check digit.
enum LithuaniaVAT: VATCountryRule {
    static let prefix = "LT"
    static let shape = "9 or 12 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 9, 12)
        guard digits[digits.count - 2] == 1 else {
            throw problem("the digit before the check digit must be 1")
        }
        guard checkDigit(Array(digits.dropLast())) == digits[digits.count - 1] else { throw .checkDigit }
    }

    private static func checkDigit(_ digits: [Int]) -> Int {
        var check = 0
        for (index, digit) in digits.enumerated() { check += (1 + index % 9) * digit }
        check %= 11
        if check == 10 {
            check = 0
            for (index, digit) in digits.enumerated() { check += (1 + (index + 2) % 9) * digit }
        }
        return check % 11 % 10
    }
}
