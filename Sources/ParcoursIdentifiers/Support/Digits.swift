extension Character {
    /// The value of an ASCII digit, `nil` for any other character (including non-ASCII digits).
    var asciiDigit: Int? {
        guard let ascii = asciiValue, (48...57).contains(ascii) else { return nil }
        return Int(ascii - 48)
    }

    /// Whether this is an ASCII letter A–Z (upper case).
    var isUppercaseASCIILetter: Bool {
        guard let ascii = asciiValue else { return false }
        return (65...90).contains(ascii)
    }
}

extension Collection where Element == Character {
    /// The digit values when the text is non-empty and made of ASCII digits only, `nil` otherwise.
    var digitValues: [Int]? {
        guard !isEmpty else { return nil }
        var values: [Int] = []
        values.reserveCapacity(count)
        for character in self {
            guard let digit = character.asciiDigit else { return nil }
            values.append(digit)
        }
        return values
    }

    /// Whether the text is non-empty and made of ASCII digits only.
    var isAllDigits: Bool { digitValues != nil }

    /// The first character that is not an ASCII digit.
    var firstNonDigit: Character? { first { $0.asciiDigit == nil } }
}

extension StringProtocol {
    /// The characters from offset `start` up to (not including) offset `end`, clamped to the text.
    func slice(_ start: Int, _ end: Int? = nil) -> Substring {
        let text = Substring(self)
        let from = Swift.min(Swift.max(start, 0), text.count)
        let upTo = Swift.max(from, Swift.min(end ?? text.count, text.count))
        return text.dropFirst(from).prefix(upTo - from)
    }
}

/// Arithmetic helpers shared by the check-digit algorithms.
enum CheckArithmetic {
    /// The remainder of `value` divided by `modulus`, always in `0..<modulus` (like Python's `%`).
    static func mod(_ value: Int, _ modulus: Int) -> Int {
        let remainder = value % modulus
        return remainder < 0 ? remainder + modulus : remainder
    }

    /// The sum of `digits[i] × weights[i]` over the shorter of the two.
    static func weightedSum(_ digits: [Int], _ weights: [Int]) -> Int {
        zip(digits, weights).reduce(0) { $0 + $1.0 * $1.1 }
    }

    /// The number written by `digits` (at most 18 of them, so it fits an `Int`).
    static func number(_ digits: some Sequence<Int>) -> Int {
        digits.reduce(0) { $0 * 10 + $1 }
    }
}
