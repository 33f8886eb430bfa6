// The fast paths are inlinable: callers in other modules (the field validator reads every text field of every
// event) then get them specialized for `String` instead of calling the generic versions through witness tables.
extension StringProtocol {
    /// The text without leading and trailing white space and line breaks.
    ///
    /// The same characters as Foundation's `trimmingCharacters(in: .whitespacesAndNewlines)` (Unicode's
    /// White_Space property: the Z categories, U+0009–U+000D and U+0085; and, as Foundation does, the zero-width
    /// space U+200B), without a round trip through `NSString`: every text field of every event is trimmed.
    @inlinable
    public var trimmingWhitespace: String {
        // The usual case, text that starts and ends with a visible ASCII character, without decoding scalars.
        let text = Substring(self)
        if let first = text.utf8.first, let last = text.utf8.last, isVisibleASCII(first), isVisibleASCII(last) {
            return String(text)
        }
        return trimmingWhitespaceScalars(text)
    }

    /// Whether the text is empty or only white space and line breaks.
    @inlinable
    public var isBlank: Bool {
        for byte in utf8 {
            if byte >= 0x80 { return isBlankScalars(Substring(self)) }
            if isVisibleASCII(byte) { return false }
        }
        return true
    }
}

/// An ASCII byte that is not white space (space, U+0009–U+000D); the first byte of a non-ASCII character is not one.
@inlinable
func isVisibleASCII(_ byte: UInt8) -> Bool {
    byte < 0x80 && byte != 0x20 && !(0x09...0x0D).contains(byte)
}

/// `trimmingWhitespace` scalar by scalar.
@usableFromInline
func trimmingWhitespaceScalars(_ text: Substring) -> String {
    let scalars = text.unicodeScalars
    guard let first = scalars.firstIndex(where: { !$0.isWhitespaceOrNewline }) else { return "" }
    let last = scalars.lastIndex(where: { !$0.isWhitespaceOrNewline })!
    return String(scalars[first...last])
}

/// `isBlank` scalar by scalar.
@usableFromInline
func isBlankScalars(_ text: Substring) -> Bool {
    text.unicodeScalars.allSatisfy(\.isWhitespaceOrNewline)
}

extension Unicode.Scalar {
    /// Unicode's White_Space property or the zero-width space, with the ASCII answer computed directly.
    public var isWhitespaceOrNewline: Bool {
        if value < 0x80 { return value == 0x20 || (0x09...0x0D).contains(value) }
        return value == 0x200B || properties.isWhitespace
    }
}
