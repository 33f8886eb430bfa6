/// The Netherlands (btw-id): 9 digits, `B`, then a 2-digit branch number (not 00). The 9 digits are a
/// BSN/RSIN with its mod 11 check, or (since 2020) the whole number passes ISO 7064 Mod 97,10.
/// Leading zeros of the 9 digits may be omitted; they are restored.
enum NetherlandsVAT: VATCountryRule {
    static let prefix = "NL"
    static let shape = "9 digits, 'B' and 2 digits"

    static func canonical(_ body: String) -> String {
        let number = body.dropLast(3)
        let padding = String(repeating: "0", count: max(0, 9 - number.count))
        return padding + number + body.suffix(3)
    }

    static func validate(_ body: String) throws(IdentifierProblem) {
        let characters = Array(body)
        guard characters.count == 12, characters[9] == "B", let digits = characters[0..<9].digitValues,
            let branch = characters[10...].digitValues
        else { throw formatProblem }
        guard digits.contains(where: { $0 != 0 }) else { throw problem("the number cannot be all zeros") }
        guard branch != [0, 0] else { throw problem("the branch number after B cannot be 00") }
        guard isValidBSN(digits) || ISO7064.isValidMod97(prefix + body) else { throw .checkDigit }
    }

    /// The BSN/RSIN "eleven test": 9×d1 + 8×d2 + … + 2×d8 − d9 is a multiple of 11.
    private static func isValidBSN(_ digits: [Int]) -> Bool {
        (CheckArithmetic.weightedSum(digits, Array((2...9).reversed())) - digits[8]) % 11 == 0
    }
}
