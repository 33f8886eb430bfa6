/// A SQL file cut into statements, the way `psql` cuts its input.
///
/// PostgresNIO sends every query with the extended protocol, which accepts one statement at a time, so a migration
/// is split at the semicolons that end a statement: not those inside quotes (`'…'`, `E'…'`, `"…"`), dollar quotes
/// (`$$…$$`, `$tag$…$tag$`), comments (`--`, nested `/* */`), parentheses, or the `BEGIN ATOMIC … END` body of a
/// `CREATE FUNCTION` / `CREATE PROCEDURE`.
public struct SQLScript: Sendable, Hashable {
    /// One statement of a script.
    public struct Statement: Sendable, Hashable {
        /// The statement's text, from its first significant character (comments before it are left out) to the
        /// final semicolon (excluded).
        public var sql: String
        /// The line (from 1) where the statement starts in the script.
        public var line: Int

        /// The script's line of a character of ``sql``, given as PostgreSQL's error `position` (from 1, in
        /// characters).
        public func line(atPosition position: Int) -> Int {
            line + sql.unicodeScalars.prefix(max(0, position - 1)).filter { $0 == "\n" }.count
        }
    }

    /// The statements, in order; comments-only stretches are left out.
    public let statements: [Statement]

    /// Splits `text` into statements.
    public init(_ text: String) {
        statements = Self.split(Array(text.unicodeScalars))
    }

    private static func split(_ characters: [Unicode.Scalar]) -> [Statement] {
        var statements: [Statement] = []
        var start = 0  // index of the current statement's first significant character
        var startLine = 1  // its line
        var line = 1
        var hasContent = false  // the statement has something else than blanks and comments
        var parenthesisDepth = 0
        var beginDepth = 0  // BEGIN … END depth inside CREATE FUNCTION/PROCEDURE bodies
        var leadingWords: [String] = []  // the statement's first words, upper-cased (up to 4)
        var index = 0
        let count = characters.count

        func at(_ offset: Int) -> Unicode.Scalar? {
            let position = index + offset
            return position < count ? characters[position] : nil
        }
        func markContent() {
            if !hasContent {
                hasContent = true
                start = index
                startLine = line
            }
        }
        func advance() {
            if characters[index] == "\n" { line += 1 }
            index += 1
        }
        func finishStatement(end: Int) {
            if hasContent {
                let text = String(String.UnicodeScalarView(characters[start..<end]))
                statements.append(Statement(sql: trimmed(text), line: startLine))
            }
            hasContent = false
            parenthesisDepth = 0
            beginDepth = 0
            leadingWords = []
        }
        var isRoutineDefinition: Bool {
            guard leadingWords.first == "CREATE" else { return false }
            let rest = leadingWords.dropFirst().drop(while: { $0 == "OR" || $0 == "REPLACE" })
            return rest.first == "FUNCTION" || rest.first == "PROCEDURE"
        }

        while index < count {
            let character = characters[index]
            switch character {
            case "-" where at(1) == "-":
                while index < count, characters[index] != "\n" { advance() }
            case "/" where at(1) == "*":
                var depth = 0
                repeat {
                    if characters[index] == "/", at(1) == "*" {
                        depth += 1
                        advance()
                        advance()
                    } else if characters[index] == "*", at(1) == "/" {
                        depth -= 1
                        advance()
                        advance()
                    } else {
                        advance()
                    }
                } while index < count && depth > 0
            case "'":
                markContent()
                let escapes =
                    index > 0 && (characters[index - 1] == "E" || characters[index - 1] == "e")
                    && (index < 2 || !isIdentifierCharacter(characters[index - 2]))
                advance()
                while index < count {
                    let current = characters[index]
                    if escapes, current == "\\" {
                        advance()
                        if index < count { advance() }
                        continue
                    }
                    advance()
                    if current == "'" {
                        if index < count, characters[index] == "'" {
                            advance()
                        } else {
                            break
                        }
                    }
                }
            case "\"":
                markContent()
                advance()
                while index < count {
                    let current = characters[index]
                    advance()
                    if current == "\"" {
                        if index < count, characters[index] == "\"" {
                            advance()
                        } else {
                            break
                        }
                    }
                }
            case "$" where index == 0 || !isIdentifierCharacter(characters[index - 1]):
                markContent()
                if let tagLength = dollarTagLength(characters, from: index) {
                    let tag = characters[index..<index + tagLength]
                    for _ in 0..<tagLength { advance() }
                    while index < count {
                        if characters[index] == "$", index + tagLength <= count,
                            characters[index..<index + tagLength].elementsEqual(tag)
                        {
                            for _ in 0..<tagLength { advance() }
                            break
                        }
                        advance()
                    }
                } else {
                    advance()
                }
            case "(":
                markContent()
                parenthesisDepth += 1
                advance()
            case ")":
                markContent()
                parenthesisDepth = max(0, parenthesisDepth - 1)
                advance()
            case ";":
                if parenthesisDepth == 0, beginDepth == 0 {
                    finishStatement(end: index)
                    advance()
                } else {
                    advance()
                }
            default:
                if isIdentifierStart(character) {
                    markContent()
                    let wordStart = index
                    while index < count, isIdentifierCharacter(characters[index]) { advance() }
                    let word = String(String.UnicodeScalarView(characters[wordStart..<index])).uppercased()
                    if leadingWords.count < 4 { leadingWords.append(word) }
                    if isRoutineDefinition {
                        if word == "BEGIN" || word == "CASE" {
                            beginDepth += 1
                        } else if word == "END", beginDepth > 0 {
                            beginDepth -= 1
                        }
                    }
                } else {
                    if !character.properties.isWhitespace { markContent() }
                    advance()
                }
            }
        }
        finishStatement(end: count)
        return statements
    }

    /// The length of the opening `$tag$` at `index`, if there is one (`$1` is a parameter, not a tag).
    private static func dollarTagLength(_ characters: [Unicode.Scalar], from index: Int) -> Int? {
        var position = index + 1
        while position < characters.count {
            let character = characters[position]
            if character == "$" { return position - index + 1 }
            let valid = position == index + 1 ? isIdentifierStart(character) : isIdentifierCharacter(character)
            if !valid || character == "$" { return nil }
            position += 1
        }
        return nil
    }

    private static func isIdentifierStart(_ character: Unicode.Scalar) -> Bool {
        character == "_" || character.properties.isAlphabetic || character.value >= 0x80
    }

    private static func isIdentifierCharacter(_ character: Unicode.Scalar) -> Bool {
        isIdentifierStart(character) || ("0"..."9").contains(character) || character == "$"
    }

    private static func trimmed(_ text: String) -> String {
        var scalars = Substring(text).unicodeScalars[...]
        while let first = scalars.first, first.properties.isWhitespace { scalars.removeFirst() }
        while let last = scalars.last, last.properties.isWhitespace { scalars.removeLast() }
        return String(String.UnicodeScalarView(scalars))
    }
}
