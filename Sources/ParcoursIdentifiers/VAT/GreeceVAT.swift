/// Greece (ΑΦΜ, prefix `EL`): 9 digits with a check digit; the old 8-digit form is completed with a 0.
enum GreeceVAT: VATCountryRule {
    static let prefix = "EL"
    static let shape = "9 digits"

    static func canonical(_ body: String) -> String {
        body.count == 8 && body.isAllDigits ? "0" + body : body
    }

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 9)
        let sum = digits.prefix(8).reduce(0) { $0 * 2 + $1 }
        guard sum * 2 % 11 % 10 == digits[8] else { throw .checkDigit }
    }
}
