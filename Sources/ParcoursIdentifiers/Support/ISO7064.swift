/// The ISO 7064 check-character systems used by some VAT numbers.
enum ISO7064 {
    /// ISO 7064 Mod 11,10 (German and Croatian numbers): whether the last digit of `digits` checks.
    static func isValidMod11Hybrid(_ digits: [Int]) -> Bool {
        var check = 5
        for digit in digits {
            check = ((check == 0 ? 10 : check) * 2 % 11 + digit) % 10
        }
        return check == 1
    }

    /// ISO 7064 Mod 97,10 over digits and letters (A = 10 … Z = 35): whether the remainder is 1.
    /// Returns `false` when a character is neither an ASCII digit nor an upper-case ASCII letter.
    static func isValidMod97(_ text: some StringProtocol) -> Bool {
        var remainder = 0
        for character in text {
            if let digit = character.asciiDigit {
                remainder = (remainder * 10 + digit) % 97
            } else if character.isUppercaseASCIILetter, let ascii = character.asciiValue {
                remainder = (remainder * 100 + Int(ascii) - 55) % 97
            } else {
                return false
            }
        }
        return remainder == 1
    }
}
