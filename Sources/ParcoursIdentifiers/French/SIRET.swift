/// SIRET: the 14-digit French establishment number, a SIREN followed by a 5-digit establishment number.
///
/// The 14 digits pass the Luhn check and so does the SIREN. La Poste (SIREN 356000000) numbers its
/// establishments so that the sum of the 14 digits is a multiple of 5 instead; INSEE accepts Luhn-valid
/// ones too.
enum SIRET {
    /// The SIREN of La Poste, whose establishments follow their own check rule.
    static let laPosteSIREN = [3, 5, 6, 0, 0, 0, 0, 0, 0]

    /// Throws the first problem with `number` (already normalised).
    static func validate(_ number: String) throws(IdentifierProblem) {
        let digits = try FixedDigits.parse(number, count: 14)
        guard digits.contains(where: { $0 != 0 }) else {
            throw IdentifierProblem("all-zero number is not a valid SIRET")
        }
        let siren = Array(digits.prefix(9))
        guard siren.contains(where: { $0 != 0 }) else {
            throw IdentifierProblem("the SIREN part (first 9 digits) is all zeros")
        }
        guard Luhn.isValid(siren) else {
            throw IdentifierProblem("the SIREN part (first 9 digits) fails its check digit")
        }
        if siren == laPosteSIREN {
            guard digits.reduce(0, +) % 5 == 0 || Luhn.isValid(digits) else {
                throw IdentifierProblem(
                    "check digit does not match (a La Poste SIRET has digits adding up to a multiple of 5)")
            }
        } else {
            guard Luhn.isValid(digits) else { throw .checkDigit }
        }
    }
}
