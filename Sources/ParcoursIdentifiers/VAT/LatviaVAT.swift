/// Latvia (PVN): 11 digits — a legal entity (first digit above 3, weighted mod 11 check), or a person's
/// code (starting with 32 since 2017, otherwise a DDMMYY birth date and a century digit) with a check digit.
enum LatviaVAT: VATCountryRule {
    static let prefix = "LV"
    static let shape = "11 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 11)
        if digits[0] > 3 {
            let sum = CheckArithmetic.weightedSum(digits, [9, 1, 4, 8, 3, 10, 2, 5, 7, 6, 1])
            guard sum % 11 == 3 else { throw .checkDigit }
            return
        }
        if !(digits[0] == 3 && digits[1] == 2) {
            let day = CheckArithmetic.number(digits[0..<2])
            let month = CheckArithmetic.number(digits[2..<4])
            let year = CheckArithmetic.number(digits[4..<6]) + 1800 + digits[6] * 100
            guard CalendarDate.isValid(year: year, month: month, day: day) else {
                throw problem("the personal code does not start with a valid birth date")
            }
        }
        let sum = 1 + CheckArithmetic.weightedSum(digits, [10, 5, 8, 4, 2, 1, 6, 3, 7, 9])
        guard sum % 11 % 10 == digits[10] else { throw .checkDigit }
    }
}
