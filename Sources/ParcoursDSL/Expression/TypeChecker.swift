/// The static type checker of expressions.
///
/// Semantics of the language (the evaluator follows the same rules at run time):
///
/// - **Literals**: numbers (`12`, `3.5`; no exponent), strings in single or double quotes with the escapes
///   `\\ \' \" \n \r \t \0 \u{…}`, `true`, `false`, `null`, lists `[a, b]` (a trailing comma is allowed; the item
///   type is the join of the items' types, `list<any>` when they have nothing in common or the list is empty).
/// - **Names**: a bare name is a root of the scope. A root listed as unavailable reports its explanation; an
///   unknown one suggests the closest root; a function name used without a call says so.
/// - **Members and indexes**: `x.name` and `x['name']` read an object's field (an unknown field of an object
///   with known fields is an error; members of `object` and `any` are `any`); `x[i]` reads a list item, and is
///   nullable because an index out of range (negative, too large, or not a whole number) gives null. Reading a
///   member or an index of null gives null (optional chaining), so the result of a read through a nullable
///   value is nullable. Keywords may be used as member names (`result.in`).
/// - **Equality** `==`, `!=`: the operands must have the same base type (`string` and `secret` alike, lists of
///   comparable items, any objects), or either is `null` or `any`. Values are compared deeply; durations
///   part by part (`P1D != PT24H`); a date or duration equals a string holding the same date or duration.
/// - **Ordering** `<`, `<=`, `>`, `>=`: numbers, strings (by Unicode scalars), dates, durations (by approximate
///   length); both operands of the same base type, nullable allowed. At run time a null operand makes the
///   comparison false. Comparing with the `null` literal is an error (it would always be false).
/// - Comparisons do not chain: `a < b < c` is a syntax error.
/// - **Logic** `and`/`&&`, `or`/`||`, `not`/`!`: operands `bool` or `bool?` (null counts as false);
///   `and`/`or` short-circuit; the result is `bool`.
/// - **Membership** `x in y`, `x not in y`: `y` a list whose items are comparable with `x`, or a string and
///   `x` a string (substring test; the empty string is in every string). A null `y` contains nothing.
/// - **Arithmetic**: `number ± number` is a number, nullable when either operand is (null propagates);
///   `string + string` joins, a null operand counting as `""` (nullable only when both operands are);
///   `date ± duration` and `duration + date` give a date; `duration + duration` adds part by part;
///   `date - date` is the duration in seconds between them; null propagates through date arithmetic.
///   Unary `-` negates a number. An infinite or undefined result is a run-time error.
/// - **Null**: `a ?? b` is `a`'s non-null type joined with `b`'s type (just `a`'s type when `a` is never
///   null); the types must join, so `number? ?? 'x'` is an error.
/// - **Functions** (see `BuiltinFunction`): string functions keep nullability (`lower(null)` is null) and
///   taint; `len` counts characters (grapheme clusters) or items, and `len(null)` is 0; `starts_with`, `ends_with`, `contains`, `matches`, `is_email` are false for a
///   null subject; `matches` matches the whole string, and a literal pattern is compiled here; `duration`
///   checks a literal here; `coalesce` needs two or more arguments and joins like `??`; `if` is lazy and
///   joins its branches.
/// - **Secrets**: a `secret` is a string that must never be stored. A string computed from a secret is a
///   secret: concatenation, `lower`/`upper`/`trim`, `??`/`coalesce`/`if` with a secret branch, reading a list
///   or object of secrets. Comparisons, lengths and other booleans or numbers computed from a secret are not.
///   Secrecy is never lost to `any`: joined with `any` (or added to it) a secret stays a secret, and the two
///   constructs that could only be typed `any` are refused: a list literal mixing a secret with items of
///   another kind, and an object read with a computed key when the fields do not join and one is secret.
/// - **Limits**: expressions nest at most `ExpressionParser.maximumDepth` (100) levels, brackets and operations
///   alike; a regular-expression match is abandoned after `WholeStringRegex.timeLimit` (0.5 s).
/// - **Errors**: each problem is reported once, where it is; an ill-typed part has type `any` so that it does
///   not cause further errors.
struct TypeChecker {
    let scope: TypeScope
    let source: String
    private(set) var diagnostics: [Diagnostic] = []

    init(scope: TypeScope, source: String) {
        self.scope = scope
        self.source = source
    }

    private mutating func report(_ message: String, at location: SourceLocation) {
        diagnostics.append(.error(message, at: location))
    }

    /// The source of a node, shortened, for messages.
    private func text(of node: ExpressionNode) -> String {
        let scalars = source.unicodeScalars
        guard node.range.lowerBound >= scalars.startIndex, node.range.upperBound <= scalars.endIndex else { return "" }
        let text = scalars[node.range]
        return String(String.UnicodeScalarView(text.prefix(40))) + (text.count > 40 ? "…" : "")
    }

    /// The static type of `node`, recording every problem found.
    mutating func check(_ node: ExpressionNode) -> ValueType {
        switch node.kind {
        case .literal(let value):
            switch value {
            case .bool: return .bool
            case .number: return .number
            case .string: return .string
            default: return .null
            }
        case .list(let items):
            let types = items.map { check($0) }
            guard var item = types.first else { return .list(.any) }
            for (type, node) in zip(types, items).dropFirst() {
                if let joined = ValueType.join(item, type) {
                    item = joined
                } else if item.containsSecret || type.containsSecret {
                    // `list<any>` would lose the secret.
                    report("a list cannot mix \(item) and \(type) items when one is a secret", at: node.location)
                    return .any
                } else {
                    item = .any
                }
            }
            return .list(item)
        case .root(let name):
            return checkRoot(name, at: node.location)
        case .member(let base, let name, let nameLocation):
            let baseType = check(base)
            return member(name, of: baseType, base: base, at: nameLocation)
        case .index(let base, let index):
            return checkIndex(base: base, index: index)
        case .call(let name, let arguments):
            return checkCall(name, arguments, at: node.location)
        case .unary(.not, let operand):
            requireCondition(operand, of: "not")
            return .bool
        case .unary(.negate, let operand):
            let type = check(operand)
            if type.nonNull == .number || type.nonNull == .any { return type }
            report("operator '-' cannot be applied to \(type)", at: node.location)
            return .any
        case .binary(let op, let left, let right, let operatorLocation):
            return checkBinary(op, left, right, at: operatorLocation)
        }
    }

    private mutating func checkRoot(_ name: String, at location: SourceLocation) -> ValueType {
        if let type = scope.roots[name] { return type }
        if let reason = scope.unavailableRoots[name] {
            report(reason, at: location)
        } else if let function = BuiltinFunction(rawValue: name) {
            let call = function.arity.minimum == 0 ? "\(name)()" : "\(name)(…)"
            report("'\(name)' is a function; call it as \(call)", at: location)
        } else {
            let candidates = scope.roots.keys.sorted() + ["true", "false", "null"]
            report("unknown name '\(name)'\(suggestion(for: name, in: candidates))", at: location)
        }
        return .any
    }

    /// The type of member `name` of a value of type `type`; through a nullable value, nullable.
    private mutating func member(
        _ name: String, of type: ValueType, base: ExpressionNode, at location: SourceLocation
    ) -> ValueType {
        let nullable = type.isNullable
        switch type.nonNull {
        case .any, .object(nil): return .any
        case .null: return .null
        case .object(let fields?):
            guard let memberType = fields[name] else {
                report(
                    "'\(text(of: base))' has no member '\(name)'\(suggestion(for: name, in: fields.keys.sorted()))",
                    at: location)
                return .any
            }
            return nullable ? memberType.orNull : memberType
        case let other:
            report("'\(text(of: base))' has no member '\(name)': it is of type \(other)", at: location)
            return .any
        }
    }

    private mutating func checkIndex(base: ExpressionNode, index: ExpressionNode) -> ValueType {
        let baseType = check(base)
        let indexType = check(index)
        switch baseType.nonNull {
        case .any:
            if !(indexType.isNullable(.number) || indexType.acceptsAsString) {
                report("an index must be a number or a string, not \(indexType)", at: index.location)
            }
            return .any
        case .null:
            return .null
        case .list(let item):
            if !indexType.isNullable(.number) {
                report("a list index must be a number, not \(indexType)", at: index.location)
            }
            return item.orNull
        case .object(let fields):
            if case .literal(.string(let name)) = index.kind {
                return member(name, of: baseType, base: base, at: index.location)
            }
            if !indexType.acceptsAsString {
                report("an object key must be a string, not \(indexType)", at: index.location)
            }
            guard let fields, let first = fields.values.first else { return .any }
            let joined = fields.values.dropFirst().reduce(Optional(first)) { partial, type in
                partial.flatMap { ValueType.join($0, type) }
            }
            if joined == nil, let secret = fields.filter({ $0.value.containsSecret }).keys.min() {
                // `any` would lose the secret.
                report(
                    "a key computed at run time could read the secret '\(secret)' of '\(text(of: base))'; "
                        + "write the key literally", at: index.location)
                return .any
            }
            return (joined ?? .any).orNull
        case let other:
            report("'\(text(of: base))' cannot be indexed: it is of type \(other)", at: index.location)
            return .any
        }
    }

    private mutating func checkCall(_ name: String, _ arguments: [ExpressionNode], at location: SourceLocation)
        -> ValueType
    {
        guard let function = BuiltinFunction(rawValue: name) else {
            report("unknown function '\(name)'\(suggestion(for: name, in: BuiltinFunction.names))", at: location)
            for argument in arguments { _ = check(argument) }
            return .any
        }
        let types = arguments.map { check($0) }
        let (minimum, maximum) = function.arity
        guard arguments.count >= minimum, arguments.count <= maximum ?? Int.max else {
            report("'\(name)' expects \(function.arityDescription), got \(arguments.count)", at: location)
            return .any
        }
        let checked = zip(types, arguments).map { BuiltinFunction.Argument(type: $0, node: $1) }
        return function.resultType(of: checked, at: location, diagnostics: &diagnostics)
    }

    private mutating func requireCondition(_ operand: ExpressionNode, of operatorName: String) {
        let type = check(operand)
        if !type.isCondition {
            report("the operand of '\(operatorName)' must be a bool, not \(type)", at: operand.location)
        }
    }

    private mutating func checkBinary(
        _ op: ExpressionNode.BinaryOperator, _ left: ExpressionNode, _ right: ExpressionNode,
        at location: SourceLocation
    ) -> ValueType {
        switch op {
        case .and, .or:
            requireCondition(left, of: op.symbol)
            requireCondition(right, of: op.symbol)
            return .bool
        case .coalesce:
            let (leftType, rightType) = (check(left), check(right))
            guard let type = BuiltinFunction.coalesced(leftType, rightType) else {
                report("'??' cannot combine \(leftType.nonNull) and \(rightType)", at: location)
                return .any
            }
            return type
        case .equal, .notEqual:
            let (leftType, rightType) = (check(left), check(right))
            if !ValueType.areComparable(leftType, rightType) {
                report("cannot compare \(leftType) with \(rightType)", at: location)
            }
            return .bool
        case .less, .lessEqual, .greater, .greaterEqual:
            checkOrdering(op, check(left), check(right), at: location)
            return .bool
        case .in, .notIn:
            checkMembership(op, check(left), check(right), at: location)
            return .bool
        case .add, .subtract:
            let (leftType, rightType) = (check(left), check(right))
            guard let type = arithmeticType(op, leftType, rightType) else {
                report("operator '\(op.symbol)' cannot be applied to \(leftType) and \(rightType)", at: location)
                return .any
            }
            return type
        }
    }

    private mutating func checkOrdering(
        _ op: ExpressionNode.BinaryOperator, _ left: ValueType, _ right: ValueType, at location: SourceLocation
    ) {
        if left == .null || right == .null {
            report("comparing with null using '\(op.symbol)' is always false; use '==' or '!='", at: location)
            return
        }
        for type in [left, right] where !type.isOrderable {
            report("operator '\(op.symbol)' cannot compare values of type \(type)", at: location)
            return
        }
        let (x, y) = (left.nonNull.ignoringSecret, right.nonNull.ignoringSecret)
        if x != y, x != .any, y != .any {
            report("cannot compare \(left) with \(right)", at: location)
        }
    }

    private mutating func checkMembership(
        _ op: ExpressionNode.BinaryOperator, _ element: ValueType, _ container: ValueType,
        at location: SourceLocation
    ) {
        switch container.nonNull {
        case .any:
            return
        case .list(let item):
            if !ValueType.areComparable(element, item) {
                report("cannot look for a \(element) in a \(container)", at: location)
            }
        case .string, .secret:
            if !element.acceptsAsString {
                report("cannot look for a \(element) in a \(container)", at: location)
            }
        default:
            report("the right side of '\(op.symbol)' must be a list or a string, not \(container)", at: location)
        }
    }

    /// The type of `left + right` or `left - right`, or nil when the operator does not apply.
    private func arithmeticType(_ op: ExpressionNode.BinaryOperator, _ left: ValueType, _ right: ValueType)
        -> ValueType?
    {
        let (x, y) = (left.nonNull, right.nonNull)
        if x == .any || y == .any {
            // Unchecked, but a secret joined to anything stays a secret.
            let other = x == .any ? right : left
            guard op == .add, other.isStringLike, other.containsSecret else { return .any }
            return other
        }
        if x == .null, y == .null { return nil }
        let eitherNullable = left.isNullable || right.isNullable
        func propagating(_ type: ValueType) -> ValueType { eitherNullable ? type.orNull : type }
        // Treat the null literal as "the other side's kind".
        let (a, b) = (x == .null ? y : x, y == .null ? x : y)
        switch (op, a, b) {
        case (_, .number, .number):
            return propagating(.number)
        case (.add, .string, .string), (.add, .string, .secret), (.add, .secret, .string), (.add, .secret, .secret):
            let base: ValueType = a == .secret || b == .secret ? .secret : .string
            return left.isNullable && right.isNullable ? base.orNull : base
        case (_, .date, .duration), (.add, .duration, .date):
            return propagating(.date)
        case (.add, .duration, .duration), (.subtract, .date, .date):
            return propagating(.duration)
        default:
            return nil
        }
    }
}
