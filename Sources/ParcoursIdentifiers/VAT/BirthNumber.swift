/// The Czech and Slovak birth number (rodné číslo): YYMMDD (month + 50 for women, + 20 when the serial
/// overflowed), then a serial; 9 digits before 1954, 10 digits (a multiple of 11, give or take) since.
enum BirthNumber {
    /// Throws when `digits` are not a valid birth number; messages are prefixed with `country`.
    static func validate(_ digits: [Int], country: String) throws(IdentifierProblem) {
        guard digits.count == 9 || digits.count == 10 else {
            throw IdentifierProblem("\(country): a birth number has 9 or 10 digits")
        }
        var year = 1900 + CheckArithmetic.number(digits[0..<2])
        let month = CheckArithmetic.number(digits[2..<4]) % 50 % 20
        let day = CheckArithmetic.number(digits[4..<6])
        if digits.count == 9 {
            if year >= 1980 { year -= 100 }
            guard year <= 1953 else {
                throw IdentifierProblem("\(country): 9-digit birth numbers were only issued before 1954")
            }
        } else if year < 1954 {
            year += 100
        }
        guard CalendarDate.isValid(year: year, month: month, day: day) else {
            throw IdentifierProblem("\(country): the birth number does not start with a valid date")
        }
        if digits.count == 10 {
            guard CheckArithmetic.number(digits.prefix(9)) % 11 % 10 == digits[9] else { throw .checkDigit }
        }
    }

    /// Whether `digits` are a valid birth number.
    static func isValid(_ digits: [Int]) -> Bool {
        do {
            try validate(digits, country: "")
            return true
        } catch {
            return false
        }
    }
}
