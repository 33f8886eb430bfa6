/// Cyprus: 8 digits (not starting with 12) followed by a check letter.
enum CyprusVAT: VATCountryRule {
    static let prefix = "CY"
    static let shape = "8 digits and a check letter"

    /// The value of each digit in an odd position (1st, 3rd…).
    private static let oddPositionValues = [1, 0, 5, 7, 9, 13, 15, 17, 19, 21]
    private static let letters = Array("ABCDEFGHIJKLMNOPQRSTUVWXYZ")

    static func validate(_ body: String) throws(IdentifierProblem) {
        guard let digits = body.dropLast().digitValues, digits.count == 8, let last = body.last else {
            throw formatProblem
        }
        guard !body.hasPrefix("12") else { throw problem("the number cannot start with 12") }
        var sum = 0
        for (index, digit) in digits.enumerated() {
            sum += index % 2 == 0 ? oddPositionValues[digit] : digit
        }
        guard letters[sum % 26] == last else { throw .checkDigit }
    }
}
