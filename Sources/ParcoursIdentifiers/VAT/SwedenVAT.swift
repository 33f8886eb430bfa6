/// Sweden (momsregistreringsnummer): the 10-digit organisation number (Luhn) followed by `01`.
enum SwedenVAT: VATCountryRule {
    static let prefix = "SE"
    static let shape = "12 digits ending in 01"

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 12)
        guard digits.suffix(2) == [0, 1] else { throw formatProblem }
        guard Luhn.isValid(Array(digits.prefix(10))) else { throw .checkDigit }
    }
}
