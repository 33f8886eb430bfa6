/// Bulgaria: 9 digits for legal entities; 10 digits for persons (an EGN, a foreigner's PNF, or another
/// number with its own weighted check digit).
enum BulgariaVAT: VATCountryRule {
    static let prefix = "BG"
    static let shape = "9 or 10 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 9, 10)
        let valid =
            digits.count == 9
            ? legalCheckDigit(Array(digits.prefix(8))) == digits[8]
            : isValidEGN(digits) || isValidPNF(digits) || otherCheckDigit(Array(digits.prefix(9))) == digits[9]
        guard valid else { throw .checkDigit }
    }

    private static func legalCheckDigit(_ digits: [Int]) -> Int {
        var check = CheckArithmetic.weightedSum(digits, Array(1...8)) % 11
        if check == 10 { check = CheckArithmetic.weightedSum(digits, Array(3...10)) % 11 }
        return check % 10
    }

    /// `nil` when the weighted remainder is 10: no digit can match.
    private static func otherCheckDigit(_ digits: [Int]) -> Int? {
        let check = CheckArithmetic.mod(11 - CheckArithmetic.weightedSum(digits, [4, 3, 2, 7, 6, 5, 4, 3, 2]), 11)
        return check == 10 ? nil : check
    }

    /// EGN (personal number): a birth date (month + 20 before 1900, + 40 from 2000), then a check digit.
    private static func isValidEGN(_ digits: [Int]) -> Bool {
        var year = 1900 + CheckArithmetic.number(digits[0..<2])
        var month = CheckArithmetic.number(digits[2..<4])
        let day = CheckArithmetic.number(digits[4..<6])
        if month > 40 {
            year += 100
            month -= 40
        } else if month > 20 {
            year -= 100
            month -= 20
        }
        guard CalendarDate.isValid(year: year, month: month, day: day) else { return false }
        let check = CheckArithmetic.weightedSum(digits, [2, 4, 8, 5, 10, 9, 7, 3, 6]) % 11 % 10
        return check == digits[9]
    }

    /// PNF (foreigner's number): a weighted check digit.
    private static func isValidPNF(_ digits: [Int]) -> Bool {
        CheckArithmetic.weightedSum(digits, [21, 19, 17, 13, 11, 9, 7, 3, 1]) % 10 == digits[9]
    }
}
