/// Germany (USt-IdNr.): 9 digits, not starting with 0, with an ISO 7064 Mod 11,10 check digit.
enum GermanyVAT: VATCountryRule {
    static let prefix = "DE"
    static let shape = "9 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digitsWithoutLeadingZero(body, count: 9)
        guard ISO7064.isValidMod11Hybrid(digits) else { throw .checkDigit }
    }
}
