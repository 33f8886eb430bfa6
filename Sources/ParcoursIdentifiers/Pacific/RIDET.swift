/// RIDET: the New Caledonian company number (7 digits, often written as 6 without the leading zero),
/// optionally followed by the 3-digit establishment number. No check digit is documented.
enum RIDET {
    /// The 6- or 9-digit forms (leading zero omitted) completed to 7 or 10 digits.
    static func canonical(_ number: String) -> String {
        guard number.isAllDigits, number.count == 6 || number.count == 9 else { return number }
        return "0" + number
    }

    /// Throws the first problem with `number` (normalised, so 7 or 10 digits when well formed).
    static func validate(_ number: String) throws(IdentifierProblem) {
        if let character = number.firstNonDigit { throw .notDigit(character) }
        guard number.count == 7 || number.count == 10 else {
            throw IdentifierProblem(
                "6 or 7 digits expected, or 9 or 10 with the establishment number, got \(number.count)")
        }
        guard number.prefix(7).contains(where: { $0 != "0" }) else {
            throw IdentifierProblem("all-zero number is not a valid RIDET")
        }
    }
}
