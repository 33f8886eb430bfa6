extension StringProtocol {
    /// The text without leading and trailing white space and line breaks.
    ///
    /// The same characters as Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` (Unicode's
    /// White_Space property: the Z categories, U+0009–U+000D and U+0085; and, as Foundation does, the zero-width
    /// space U+200B), without a round trip through `NSString`: every text field of every event is trimmed.
    public var trimmingWhitespace: String {
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhitespaceOrNewline }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isWhitespaceOrNewline })!
        return String(scalars[first...last])
    }

    /// Whether the text is empty or only white space and line breaks.
    public var isBlank: Bool { unicodeScalars.allSatisfy(\.isWhitespaceOrNewline) }
}

extension Unicode.Scalar {
    /// Unicode's White_Space property or the zero-width space, with the ASCII answer computed directly.
    public var isWhitespaceOrNewline: Bool {
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return value == 0x200B || properties.isWhitespace
    }
}
