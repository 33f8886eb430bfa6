/// Croatia (OIB): 11 digits with an ISO 7064 Mod 11,10 check digit.
enum CroatiaVAT: VATCountryRule {
    static let prefix = "HR"
    static let shape = "11 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 11)
        guard ISO7064.isValidMod11Hybrid(digits) else { throw .checkDigit }
    }
}
