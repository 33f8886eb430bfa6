/// Austria (UID): `U` followed by 8 digits; the last is a Luhn-derived check digit over digits 2–7.
enum AustriaVAT: VATCountryRule {
    static let prefix = "AT"
    static let shape = "'U' followed by 8 digits"

    static func validate(_ body: String) throws(IdentifierProblem) {
        guard body.first == "U", let digits = body.dropFirst().digitValues, digits.count == 8 else {
            throw formatProblem
        }
        let check = CheckArithmetic.mod(6 - Luhn.checksum(Array(digits.prefix(7))), 10)
        guard check == digits[7] else { throw .checkDigit }
    }
}
