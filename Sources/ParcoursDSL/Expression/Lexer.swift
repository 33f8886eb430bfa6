/// Turns an expression's source into tokens, one at a time, in a single pass over its Unicode scalars.
///
/// Lines and columns are tracked as it goes so that every token and every error has a precise location.
struct Lexer {
    let source: String.UnicodeScalarView
    let base: SourceLocation
    private(set) var index: String.Index
    /// The number of scalars before `index`, for columns.
    private var offset = 0
    /// 0-based line of `index`, relative to the first line of the source.
    private var line = 0
    /// The offset of the first scalar of the current line.
    private var lineStart = 0

    init(source: String, base: SourceLocation) {
        self.source = source.unicodeScalars
        self.base = base
        self.index = self.source.startIndex
    }

    /// The location of the scalar at `offset`, which must be on the current line.
    private func location(ofOffset offset: Int) -> SourceLocation {
        base.offset(line: line, column: offset - lineStart)
    }

    /// The location of the next scalar.
    var location: SourceLocation { location(ofOffset: offset) }

    private func peek() -> Unicode.Scalar? { index < source.endIndex ? source[index] : nil }

    private func peekSecond() -> Unicode.Scalar? {
        guard index < source.endIndex else { return nil }
        let next = source.index(after: index)
        return next < source.endIndex ? source[next] : nil
    }

    /// Consumes one scalar, keeping track of lines.
    private mutating func advance() {
        guard index < source.endIndex else { return }
        if source[index] == "\n" {
            line += 1
            lineStart = offset + 1
        }
        index = source.index(after: index)
        offset += 1
    }

    private mutating func skipWhitespace() {
        while let scalar = peek(), scalar == " " || scalar == "\t" || scalar == "\n" || scalar == "\r" {
            advance()
        }
    }

    /// The next token, or a diagnostic for malformed input.
    mutating func next() throws(Diagnostic) -> Token {
        skipWhitespace()
        let start = index
        let startLocation = location
        func token(_ kind: Token.Kind) -> Token {
            Token(kind: kind, start: start, end: index, location: startLocation)
        }
        guard let scalar = peek() else { return token(.end) }

        if scalar.isASCIIDigit { return try lexNumber(start: start, location: startLocation) }
        if scalar.isIdentifierStart {
            var word = ""
            while let next = peek(), next.isIdentifierContinuation {
                word.unicodeScalars.append(next)
                advance()
            }
            return token(Token.keyword(word) ?? .identifier(word))
        }
        if scalar == "'" || scalar == "\"" {
            return try lexString(quote: scalar, start: start, location: startLocation)
        }

        advance()
        let next = peek()
        switch scalar {
        case ".": return token(.dot)
        case ",": return token(.comma)
        case "(": return token(.leftParen)
        case ")": return token(.rightParen)
        case "[": return token(.leftBracket)
        case "]": return token(.rightBracket)
        case "+": return token(.plus)
        case "-": return token(.minus)
        case "=":
            guard next == "=" else { throw .error("unexpected '='; did you mean '=='?", at: startLocation) }
            advance()
            return token(.equal)
        case "!":
            if next == "=" {
                advance()
                return token(.notEqual)
            }
            return token(.bang)
        case "<":
            if next == "=" {
                advance()
                return token(.lessEqual)
            }
            return token(.less)
        case ">":
            if next == "=" {
                advance()
                return token(.greaterEqual)
            }
            return token(.greater)
        case "&":
            guard next == "&" else { throw .error("unexpected '&'; did you mean '&&'?", at: startLocation) }
            advance()
            return token(.ampersandAmpersand)
        case "|":
            guard next == "|" else { throw .error("unexpected '|'; did you mean '||'?", at: startLocation) }
            advance()
            return token(.pipePipe)
        case "?":
            guard next == "?" else { throw .error("unexpected '?'; did you mean '??'?", at: startLocation) }
            advance()
            return token(.questionQuestion)
        default:
            throw .error("unexpected character \(scalar.quotedForMessage)", at: startLocation)
        }
    }

    /// `123` or `12.5`: ASCII digits with an optional fraction (a digit must follow the point).
    private mutating func lexNumber(start: String.Index, location: SourceLocation) throws(Diagnostic) -> Token {
        var text = ""
        while let scalar = peek(), scalar.isASCIIDigit {
            text.unicodeScalars.append(scalar)
            advance()
        }
        if peek() == ".", let digit = peekSecond(), digit.isASCIIDigit {
            text.append(".")
            advance()
            while let scalar = peek(), scalar.isASCIIDigit {
                text.unicodeScalars.append(scalar)
                advance()
            }
        }
        if let scalar = peek(), scalar.isIdentifierContinuation {
            var word = text
            while let next = peek(), next.isIdentifierContinuation || next == "." {
                word.unicodeScalars.append(next)
                advance()
            }
            throw .error("invalid number '\(word.prefix(40))'", at: location)
        }
        guard let value = Double(text), value.isFinite else {
            throw .error("number '\(text.prefix(40))' is too large", at: location)
        }
        return Token(kind: .number(value), start: start, end: index, location: location)
    }

    /// A quoted string; the escapes are `\\`, `\'`, `\"`, `\n`, `\r`, `\t`, `\0` and `\u{…}`.
    private mutating func lexString(quote: Unicode.Scalar, start: String.Index, location startLocation: SourceLocation)
        throws(Diagnostic) -> Token
    {
        advance()
        var value = String.UnicodeScalarView()
        while true {
            guard let scalar = peek() else { throw .error("unterminated string", at: startLocation) }
            if scalar == quote {
                advance()
                return Token(kind: .string(String(value)), start: start, end: index, location: startLocation)
            }
            if scalar != "\\" {
                value.append(scalar)
                advance()
                continue
            }
            let escapeLocation = location
            advance()
            guard let escaped = peek() else { throw .error("unterminated string", at: startLocation) }
            switch escaped {
            case "\\", "'", "\"": value.append(escaped)
            case "n": value.append("\n")
            case "r": value.append("\r")
            case "t": value.append("\t")
            case "0": value.append("\0")
            case "u":
                value.append(try lexUnicodeEscape(at: escapeLocation))
                continue
            default:
                let quoted = escaped.quotedForMessage
                let shown = quoted.hasPrefix("'") ? "'\\\(Character(escaped))'" : "'\\' followed by \(quoted)"
                throw .error("unknown escape sequence \(shown) in string", at: escapeLocation)
            }
            advance()
        }
    }

    /// `\u{1F600}` (the index is on the `u`): one to six hexadecimal digits naming a Unicode scalar.
    private mutating func lexUnicodeEscape(at location: SourceLocation) throws(Diagnostic) -> Unicode.Scalar {
        let message = "invalid Unicode escape: write \\u{…} with 1 to 6 hexadecimal digits"
        advance()
        guard peek() == "{" else { throw .error(message, at: location) }
        advance()
        var digits = ""
        while let scalar = peek(), scalar != "}" {
            guard scalar.properties.isASCIIHexDigit, digits.count < 6 else { throw .error(message, at: location) }
            digits.unicodeScalars.append(scalar)
            advance()
        }
        guard peek() == "}", !digits.isEmpty else { throw .error(message, at: location) }
        advance()
        guard let value = UInt32(digits, radix: 16), let scalar = Unicode.Scalar(value) else {
            throw .error("invalid Unicode escape: U+\(digits.uppercased()) is not a Unicode scalar", at: location)
        }
        return scalar
    }
}
