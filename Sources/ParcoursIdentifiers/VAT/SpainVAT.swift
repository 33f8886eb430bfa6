/// Spain (NIF): 9 characters — a DNI (8 digits and a letter), an NIE (X, Y or Z, 7 digits, a letter),
/// a K/L/M number, or a CIF (an organisation letter, 7 digits and a check digit or letter).
enum SpainVAT: VATCountryRule {
    static let prefix = "ES"
    static let shape = "9 characters (a letter or digit, 7 digits, a letter or digit)"

    private static let dniLetters = Array("TRWAGMYFPDXBNJZSQVHLCKE")
    private static let cifOrganisationLetters = Set("ABCDEFGHJNPQRSUVW")
    private static let cifCheckLetters = Array("JABCDEFGHI")

    static func validate(_ body: String) throws(IdentifierProblem) {
        let characters = Array(body)
        guard characters.count == 9, let middle = characters[1..<8].digitValues else { throw formatProblem }
        let first = characters[0]
        let last = characters[8]
        let valid: Bool
        if first == "K" || first == "L" || first == "M" {
            // Spaniards under 14, Spaniards abroad without a DNI, foreigners without an NIE: DNI letter.
            valid = last == dniLetter(CheckArithmetic.number(middle))
        } else if let digit = first.asciiDigit {
            valid = last == dniLetter(CheckArithmetic.number([digit] + middle))
        } else if let nieDigit = Array("XYZ").firstIndex(of: first) {
            valid = last == dniLetter(CheckArithmetic.number([nieDigit] + middle))
        } else if cifOrganisationLetters.contains(first) {
            // Either a check digit or the matching letter is accepted.
            let check = Luhn.checkDigit(for: middle)
            valid = last.asciiDigit == check || last == cifCheckLetters[check]
        } else {
            throw problem("unknown first letter '\(first)'")
        }
        guard valid else { throw .checkDigit }
    }

    private static func dniLetter(_ number: Int) -> Character {
        dniLetters[number % 23]
    }
}
