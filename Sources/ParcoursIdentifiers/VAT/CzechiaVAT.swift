/// Czechia (DIČ): 8 digits for legal entities, 9 digits starting with 6 for some individuals, or an
/// individual's birth number (9 or 10 digits).
enum CzechiaVAT: VATCountryRule {
    static let prefix = "CZ"
    static let shape = "8, 9 or 10 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 8, 9, 10)
        if digits.count == 8 {
            guard digits[0] != 9 else { throw problem("an 8-digit number cannot start with 9") }
            guard legalCheckDigit(Array(digits.prefix(7))) == digits[7] else { throw .checkDigit }
        } else if digits.count == 9 && digits[0] == 6 {
            guard specialCheckDigit(Array(digits[1..<8])) == digits[8] else { throw .checkDigit }
        } else {
            try BirthNumber.validate(digits, country: prefix)
        }
    }

    private static func legalCheckDigit(_ digits: [Int]) -> Int {
        let check = CheckArithmetic.mod(11 - CheckArithmetic.weightedSum(digits, Array((2...8).reversed())), 11)
        return (check == 0 ? 1 : check) % 10
    }

    private static func specialCheckDigit(_ digits: [Int]) -> Int {
        let check = CheckArithmetic.weightedSum(digits, Array((2...8).reversed())) % 11
        return CheckArithmetic.mod(8 - CheckArithmetic.mod(10 - check, 11), 10)
    }
}
