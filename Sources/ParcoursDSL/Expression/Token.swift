/// One lexical token of an expression.
struct Token: Sendable, Equatable {
    /// What a token is; literals carry their decoded value.
    enum Kind: Sendable, Equatable {
        case number(Double)
        case string(String)
        case identifier(String)
        // Keywords.
        case trueKeyword, falseKeyword, nullKeyword
        case andKeyword, orKeyword, notKeyword, inKeyword
        // Punctuation and operators.
        case dot, comma, leftParen, rightParen, leftBracket, rightBracket
        case plus, minus
        case equal, notEqual, less, lessEqual, greater, greaterEqual
        case ampersandAmpersand, pipePipe, bang, questionQuestion
        case end
    }

    var kind: Kind
    /// The token's first scalar in the expression's source.
    var start: String.Index
    /// Just past the token's last scalar.
    var end: String.Index
    /// Where the token starts.
    var location: SourceLocation

    /// The keyword spelled `word`, or nil when `word` is an ordinary identifier.
    static func keyword(_ word: String) -> Kind? {
        switch word {
        case "true": .trueKeyword
        case "false": .falseKeyword
        case "null": .nullKeyword
        case "and": .andKeyword
        case "or": .orKeyword
        case "not": .notKeyword
        case "in": .inKeyword
        default: nil
        }
    }

    /// The word a keyword token is spelt with, for keywords used as member names (`result.in`).
    var keywordSpelling: String? {
        switch kind {
        case .trueKeyword: "true"
        case .falseKeyword: "false"
        case .nullKeyword: "null"
        case .andKeyword: "and"
        case .orKeyword: "or"
        case .notKeyword: "not"
        case .inKeyword: "in"
        default: nil
        }
    }
}
