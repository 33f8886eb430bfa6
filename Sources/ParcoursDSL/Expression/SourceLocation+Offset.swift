extension SourceLocation {
    /// The location `column` scalars into line `line` of a text that starts at this location.
    ///
    /// `line` and `column` are 0-based offsets inside the text: line 0 continues this location's line,
    /// later lines restart at column 1 (see `advanced(lines:columns:)`).
    func offset(line: Int, column: Int) -> SourceLocation {
        line == 0 ? advanced(columns: column) : advanced(lines: line, columns: column)
    }
}

extension Unicode.Scalar {
    /// The scalar quoted for a message: `'x'`, or `U+00A0` for invisible and control characters.
    var quotedForMessage: String {
        let invisible =
            value < 0x21 || (0x7F...0xA0).contains(value) || properties.isWhitespace
            || properties.generalCategory == .format || properties.generalCategory == .control
        if invisible {
            let hex = String(value, radix: 16, uppercase: true)
            return "U+" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
        }
        return "'\(Character(self))'"
    }

    var isASCIIDigit: Bool { ("0"..."9").contains(self) }

    var isIdentifierStart: Bool { ("a"..."z").contains(self) || ("A"..."Z").contains(self) || self == "_" }

    var isIdentifierContinuation: Bool { isIdentifierStart || isASCIIDigit }
}
