/// Ireland: 7 digits and a check letter, optionally followed by a second letter (since 2013, `W`…`V`);
/// or the old form: a digit, a letter or `+`/`*`, 5 digits and a check letter.
enum IrelandVAT: VATCountryRule {
    static let prefix = "IE"
    static let shape = "7 digits and 1 or 2 letters"

    /// Check letters: index 0 is `W`, then `A` to `V`.
    private static let alphabet = Array("WABCDEFGHIJKLMNOPQRSTUV")
    private static let oldStyleSecondCharacters = Set("ABCDEFGHIJKLMNOPQRSTUVWXYZ+*")

    static func validate(_ body: String) throws(IdentifierProblem) {
        let characters = Array(body)
        guard characters.count == 8 || characters.count == 9,
            let first = characters[0].asciiDigit,
            let middle = characters[2..<7].digitValues,
            characters[7...].allSatisfy({ alphabet.contains($0) })
        else { throw formatProblem }
        let expected: Character
        if let second = characters[1].asciiDigit {
            // Current form: 7 digits, the check letter, and an optional second letter that is part of the sum.
            let secondLetter = characters.count == 9 ? characters[8] : nil
            expected = checkLetter([first, second] + middle, secondLetter: secondLetter)
        } else if oldStyleSecondCharacters.contains(characters[1]) {
            // Old form: the digits are read as 0, the 5 middle digits, then the first digit.
            expected = checkLetter([0] + middle + [first], secondLetter: nil)
        } else {
            throw formatProblem
        }
        guard characters[7] == expected else { throw .checkDigit }
    }

    private static func checkLetter(_ digits: [Int], secondLetter: Character?) -> Character {
        let letterValue = secondLetter.flatMap { alphabet.firstIndex(of: $0) } ?? 0
        let sum = CheckArithmetic.weightedSum(digits, Array((2...8).reversed())) + 9 * letterValue
        return alphabet[sum % 23]
    }
}
