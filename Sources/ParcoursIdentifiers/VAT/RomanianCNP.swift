/// The Romanian personal number (CNP): sex/century digit, YYMMDD birth date, county code, serial and a
/// weighted check digit.
enum RomanianCNP {
    /// County codes in use (01–48, 51, 52, 70 and 80–83).
    private static let counties: Set<Int> = Set(1...48).union([51, 52, 70, 80, 81, 82, 83])
    private static let weights = [2, 7, 9, 1, 4, 6, 3, 5, 8, 2, 7, 9]

    /// Throws when `number` is not a valid CNP.
    static func validate(_ number: String) throws(IdentifierProblem) {
        guard let digits = number.digitValues, digits.count == 13 else {
            throw IdentifierProblem("RO: a CNP has 13 digits")
        }
        guard digits[0] != 0 else { throw IdentifierProblem("RO: a CNP cannot start with 0") }
        let century = [1: 1900, 2: 1900, 3: 1800, 4: 1800, 5: 2000, 6: 2000][digits[0]] ?? 1900
        let year = century + CheckArithmetic.number(digits[1..<3])
        let month = CheckArithmetic.number(digits[3..<5])
        let day = CheckArithmetic.number(digits[5..<7])
        guard CalendarDate.isValid(year: year, month: month, day: day) else {
            throw IdentifierProblem("RO: the CNP does not hold a valid birth date")
        }
        guard counties.contains(CheckArithmetic.number(digits[7..<9])) else {
            throw IdentifierProblem("RO: the CNP does not hold a known county code")
        }
        let check = CheckArithmetic.weightedSum(digits, weights) % 11
        guard (check == 10 ? 1 : check) == digits[12] else { throw .checkDigit }
    }
}
