extension StringProtocol {
    /// The text without leading and trailing white space and line breaks.
    ///
    /// The same characters as Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` (Unicode's
    /// White_Space property: the Z categories, U+0009–U+000D and U+0085; and, as Foundation does, the zero-width
    /// space U+200B), without a round trip through `NSString`: every text field of every event is trimmed.
    public var trimmingWhitespace: String {
        // The usual case, text that starts and ends with a visible ASCII character, without decoding scalars.
        let bytes = Substring(self).utf8
        if let first = bytes.first, let last = bytes.last, Self.isVisibleASCII(first), Self.isVisibleASCII(last) {
            return String(self)
        }
        let scalars = Substring(self).unicodeScalars
        guard let first = scalars.firstIndex(where: { !$0.isWhitespaceOrNewline }) else { return "" }
        let last = scalars.lastIndex(where: { !$0.isWhitespaceOrNewline })!
        return String(scalars[first...last])
    }

    /// Whether the text is empty or only white space and line breaks.
    public var isBlank: Bool {
        for byte in utf8 {
            if byte >= 0x80 { return unicodeScalars.allSatisfy(\.isWhitespaceOrNewline) }
            if Self.isVisibleASCII(byte) { return false }
        }
        return true
    }

    /// An ASCII byte that is not white space (space, U+0009–U+000D); the first byte of a non-ASCII character is
    /// not one.
    @inline(__always)
    private static func isVisibleASCII(_ byte: UInt8) -> Bool {
        byte < 0x80 && byte != 0x20 && !(0x09...0x0D).contains(byte)
    }
}

extension Unicode.Scalar {
    /// Unicode's White_Space property or the zero-width space, with the ASCII answer computed directly.
    public var isWhitespaceOrNewline: Bool {
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return value == 0x200B || properties.isWhitespace
    }
}
