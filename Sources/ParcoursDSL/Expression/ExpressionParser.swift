/// A recursive-descent parser for expressions, one token of look-ahead, stopping at the first syntax error.
///
/// Grammar, lowest precedence first:
///
///     expression := or ('??' or)*
///     or         := and (('or' | '||') and)*
///     and        := not (('and' | '&&') not)*
///     not        := ('not' | '!') not | comparison
///     comparison := additive (('==' | '!=' | '<' | '<=' | '>' | '>=' | 'in' | 'not' 'in') additive)?
///     additive   := unary (('+' | '-') unary)*
///     unary      := '-' unary | postfix
///     postfix    := primary ('.' name | '[' expression ']')*
///     primary    := number | string | 'true' | 'false' | 'null' | '[' (expression (',' expression)* ','?)? ']'
///                 | '(' expression ')' | name | name '(' (expression (',' expression)* ','?)? ')'
///
/// Comparisons do not chain (`a < b < c` is an error). Both the parser's recursion and the depth of the tree
/// it builds are bounded by `maximumDepth`, so no input can exhaust the stack here or in the checker and
/// evaluator, which recurse over the tree.
struct ExpressionParser {
    /// The deepest nesting accepted, both of brackets and of operations.
    static let maximumDepth = 100

    private var lexer: Lexer
    private var current: Token
    private var nesting = 0
    /// The end of the last consumed token.
    private var consumedEnd: String.Index

    private init(lexer: Lexer, current: Token) {
        self.lexer = lexer
        self.current = current
        self.consumedEnd = current.start
    }

    /// Parses a whole expression: the tree, or nil and one diagnostic.
    static func parse(_ source: String, at location: SourceLocation) -> (ExpressionNode?, [Diagnostic]) {
        var lexer = Lexer(source: source, base: location)
        do throws(Diagnostic) {
            let first = try lexer.next()
            var parser = ExpressionParser(lexer: lexer, current: first)
            let node = try parser.parseExpression()
            guard case .end = parser.current.kind else {
                throw .error(
                    "unexpected \(parser.describe(parser.current)) after the expression", at: parser.current.location)
            }
            return (node, [])
        } catch {
            return (nil, [error])
        }
    }

    // MARK: - Tokens

    private mutating func advance() throws(Diagnostic) {
        consumedEnd = current.end
        current = try lexer.next()
    }

    /// The current token as shown in messages.
    private func describe(_ token: Token) -> String {
        if case .end = token.kind { return "end of expression" }
        let text = lexer.source[token.start..<token.end]
        guard !text.isEmpty else { return "end of expression" }
        return "'\(String(String.UnicodeScalarView(text.prefix(30))))\(text.count > 30 ? "…" : "")'"
    }

    private func expected(_ what: String) -> Diagnostic {
        .error("expected \(what), found \(describe(current))", at: current.location)
    }

    private mutating func expect(_ kind: Token.Kind, _ what: String) throws(Diagnostic) {
        guard current.kind == kind else { throw expected(what) }
        try advance()
    }

    /// A node, refused when the tree would become deeper than allowed.
    private func make(_ kind: ExpressionNode.Kind, from start: Token, to end: String.Index) throws(Diagnostic)
        -> ExpressionNode
    {
        let node = ExpressionNode(kind, location: start.location, range: start.start..<max(start.start, end))
        guard node.depth <= Self.maximumDepth else { throw tooDeep(at: start.location) }
        return node
    }

    private func tooDeep(at location: SourceLocation) -> Diagnostic {
        .error("expression is nested too deeply (the limit is \(Self.maximumDepth) levels)", at: location)
    }

    /// Enters one more level of recursion; the caller leaves it with `nesting -= 1`.
    private mutating func enter() throws(Diagnostic) {
        guard nesting < Self.maximumDepth else { throw tooDeep(at: current.location) }
        nesting += 1
    }

    private mutating func consume() throws(Diagnostic) -> Token {
        let token = current
        try advance()
        return token
    }

    // MARK: - Rules

    private mutating func parseExpression() throws(Diagnostic) -> ExpressionNode {
        try enter()
        defer { nesting -= 1 }
        return try parseCoalesce()
    }

    private mutating func parseCoalesce() throws(Diagnostic) -> ExpressionNode {
        let start = current
        var left = try parseOr()
        while case .questionQuestion = current.kind {
            let op = try consume()
            let right = try parseOr()
            left = try make(
                .binary(.coalesce, left, right, operatorLocation: op.location), from: start, to: right.range.upperBound)
        }
        return left
    }

    private mutating func parseOr() throws(Diagnostic) -> ExpressionNode {
        let start = current
        var left = try parseAnd()
        while current.kind == .orKeyword || current.kind == .pipePipe {
            let op = try consume()
            let right = try parseAnd()
            left = try make(
                .binary(.or, left, right, operatorLocation: op.location), from: start, to: right.range.upperBound)
        }
        return left
    }

    private mutating func parseAnd() throws(Diagnostic) -> ExpressionNode {
        let start = current
        var left = try parseNot()
        while current.kind == .andKeyword || current.kind == .ampersandAmpersand {
            let op = try consume()
            let right = try parseNot()
            left = try make(
                .binary(.and, left, right, operatorLocation: op.location), from: start, to: right.range.upperBound)
        }
        return left
    }

    private mutating func parseNot() throws(Diagnostic) -> ExpressionNode {
        guard current.kind == .notKeyword || current.kind == .bang else { return try parseComparison() }
        let start = try consume()
        try enter()
        defer { nesting -= 1 }
        let operand = try parseNot()
        return try make(.unary(.not, operand), from: start, to: operand.range.upperBound)
    }

    private func comparisonOperator(_ kind: Token.Kind) -> ExpressionNode.BinaryOperator? {
        switch kind {
        case .equal: .equal
        case .notEqual: .notEqual
        case .less: .less
        case .lessEqual: .lessEqual
        case .greater: .greater
        case .greaterEqual: .greaterEqual
        case .inKeyword: .in
        case .notKeyword: .notIn
        default: nil
        }
    }

    private mutating func parseComparison() throws(Diagnostic) -> ExpressionNode {
        let start = current
        let left = try parseAdditive()
        guard let op = comparisonOperator(current.kind) else { return left }
        let opToken = try consume()
        if op == .notIn { try expect(.inKeyword, "'in' after 'not'") }
        let right = try parseAdditive()
        if comparisonOperator(current.kind) != nil {
            throw .error(
                "comparisons cannot be chained; combine them with 'and'", at: current.location)
        }
        return try make(
            .binary(op, left, right, operatorLocation: opToken.location), from: start, to: right.range.upperBound)
    }

    private mutating func parseAdditive() throws(Diagnostic) -> ExpressionNode {
        let start = current
        var left = try parseUnary()
        while current.kind == .plus || current.kind == .minus {
            let op = try consume()
            let right = try parseUnary()
            let binary: ExpressionNode.BinaryOperator = op.kind == .plus ? .add : .subtract
            left = try make(
                .binary(binary, left, right, operatorLocation: op.location), from: start, to: right.range.upperBound)
        }
        return left
    }

    private mutating func parseUnary() throws(Diagnostic) -> ExpressionNode {
        guard current.kind == .minus else { return try parsePostfix() }
        let start = try consume()
        try enter()
        defer { nesting -= 1 }
        let operand = try parseUnary()
        return try make(.unary(.negate, operand), from: start, to: operand.range.upperBound)
    }

    private mutating func parsePostfix() throws(Diagnostic) -> ExpressionNode {
        let start = current
        var node = try parsePrimary()
        while true {
            switch current.kind {
            case .dot:
                try advance()
                let nameToken = current
                let name: String
                if case .identifier(let identifier) = nameToken.kind {
                    name = identifier
                } else if let keyword = nameToken.keywordSpelling {
                    name = keyword
                } else {
                    throw expected("a member name after '.'")
                }
                _ = try consume()
                node = try make(
                    .member(node, name: name, nameLocation: nameToken.location), from: start, to: consumedEnd)
            case .leftBracket:
                try advance()
                let index = try parseExpression()
                guard current.kind == .rightBracket else { throw expected("']'") }
                _ = try consume()
                node = try make(.index(node, index), from: start, to: consumedEnd)
            case .leftParen:
                if case .member(_, let name, _) = node.kind, BuiltinFunction(rawValue: name) != nil {
                    throw .error(
                        "'\(name)' is not a method; write \(name)(…) with the value as its first argument",
                        at: current.location)
                }
                throw .error(
                    "unexpected '('; only functions can be called, by name, as in len(x)", at: current.location)
            default:
                return node
            }
        }
    }

    private mutating func parsePrimary() throws(Diagnostic) -> ExpressionNode {
        let start = current
        switch current.kind {
        case .number(let number):
            _ = try consume()
            return try make(.literal(.number(number)), from: start, to: consumedEnd)
        case .string(let string):
            _ = try consume()
            return try make(.literal(.string(string)), from: start, to: consumedEnd)
        case .trueKeyword, .falseKeyword:
            _ = try consume()
            return try make(.literal(.bool(start.kind == .trueKeyword)), from: start, to: consumedEnd)
        case .nullKeyword:
            _ = try consume()
            return try make(.literal(.null), from: start, to: consumedEnd)
        case .leftParen:
            try advance()
            let inner = try parseExpression()
            guard current.kind == .rightParen else { throw expected("')'") }
            _ = try consume()
            // Parentheses only group: the node keeps its own range, so messages quote what is inside.
            return inner
        case .leftBracket:
            try advance()
            let items = try parseList(closing: .rightBracket, "']'")
            return try make(.list(items), from: start, to: consumedEnd)
        case .identifier(let name):
            _ = try consume()
            guard current.kind == .leftParen else { return try make(.root(name), from: start, to: consumedEnd) }
            try advance()
            let arguments = try parseList(closing: .rightParen, "')'")
            return try make(.call(name: name, arguments: arguments), from: start, to: consumedEnd)
        default:
            throw expected("an expression")
        }
    }

    /// Comma-separated expressions up to `closing` (consumed); a trailing comma is allowed.
    private mutating func parseList(closing: Token.Kind, _ closingText: String) throws(Diagnostic)
        -> [ExpressionNode]
    {
        var items: [ExpressionNode] = []
        while current.kind != closing {
            items.append(try parseExpression())
            if current.kind == .comma {
                try advance()
            } else if current.kind != closing {
                throw expected("',' or \(closingText)")
            }
        }
        _ = try consume()
        return items
    }
}
