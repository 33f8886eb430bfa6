/// France (n° TVA): a 2-character key, then the 9-digit SIREN.
///
/// The numeric key is (12 + 3 × (SIREN mod 97)) mod 97. The older alphanumeric keys (digits and letters
/// except I and O) are accepted with their own check, as python-stdnum does. Numbers given to Monaco
/// companies have `000` where a SIREN starts and are not SIRENs, so the Luhn check does not apply to them.
enum FranceVAT: VATCountryRule {
    static let prefix = "FR"
    static let shape = "a 2-character key and the 9-digit SIREN"

    private static let keyAlphabet = Array("0123456789ABCDEFGHJKLMNPQRSTUVWXYZ")

    static func validate(_ body: String) throws(IdentifierProblem) {
        let characters = Array(body)
        guard characters.count == 11,
            let keyHigh = keyAlphabet.firstIndex(of: characters[0]),
            let keyLow = keyAlphabet.firstIndex(of: characters[1]),
            let sirenDigits = characters[2...].digitValues
        else { throw formatProblem }
        guard sirenDigits.contains(where: { $0 != 0 }) else {
            throw problem("all-zero number is not a valid SIREN")
        }
        let isMonaco = sirenDigits.prefix(3) == [0, 0, 0]
        guard isMonaco || Luhn.isValid(sirenDigits) else {
            throw problem("the SIREN (last 9 digits) fails its check digit")
        }
        let siren = CheckArithmetic.number(sirenDigits)
        let valid: Bool
        if keyHigh < 10 && keyLow < 10 {
            valid = keyHigh * 10 + keyLow == (12 + 3 * (siren % 97)) % 97
        } else {
            // Alphanumeric key: the key's rank gives a value whose mod 11 must match the SIREN.
            let check = keyHigh < 10 ? keyHigh * 24 + keyLow - 10 : keyHigh * 34 + keyLow - 100
            valid = (siren + 1 + check / 11) % 11 == check % 11
        }
        guard valid else { throw .checkDigit }
    }
}
