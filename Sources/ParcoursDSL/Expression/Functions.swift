/// The functions expressions can call, with their static typing rules (their evaluation is in
/// `FunctionEvaluation.swift`).
enum BuiltinFunction: String, CaseIterable, Sendable {
    case len
    case lower
    case upper
    case trim
    case startsWith = "starts_with"
    case endsWith = "ends_with"
    case contains
    case matches
    case now
    case duration
    case formatDate = "format_date"
    case coalesce
    case `if`
    case isEmail = "is_email"

    /// The function names, sorted, for "did you mean …?".
    static let names = allCases.map(\.rawValue).sorted()

    /// The accepted argument counts; `nil` upper bound means "or more".
    var arity: (minimum: Int, maximum: Int?) {
        switch self {
        case .now: (0, 0)
        case .len, .lower, .upper, .trim, .duration, .formatDate, .isEmail: (1, 1)
        case .startsWith, .endsWith, .contains, .matches: (2, 2)
        case .coalesce: (2, nil)
        case .if: (3, 3)
        }
    }

    /// "1 argument", "no arguments", "at least 2 arguments".
    var arityDescription: String {
        let (minimum, maximum) = arity
        func count(_ n: Int) -> String { n == 0 ? "no arguments" : n == 1 ? "1 argument" : "\(n) arguments" }
        guard let maximum else { return "at least \(count(minimum))" }
        return minimum == maximum ? count(minimum) : "\(minimum) to \(count(maximum))"
    }

    /// An argument after checking: its type, where it is, and its text when it is a string literal.
    struct Argument {
        var type: ValueType
        var location: SourceLocation
        /// The text of a string literal argument, for checks done at type-check time.
        var literalString: String?

        init(type: ValueType, node: ExpressionNode) {
            self.type = type
            self.location = node.location
            if case .literal(.string(let text)) = node.kind { literalString = text }
        }

        init(type: ValueType, location: SourceLocation) {
            self.type = type
            self.location = location
        }
    }

    /// The result type of a call with these (already checked) arguments, reporting misuses.
    ///
    /// The argument count has been checked by the caller.
    func resultType(of arguments: [Argument], at location: SourceLocation, diagnostics: inout [Diagnostic])
        -> ValueType
    {
        func argument(_ index: Int) -> Argument {
            arguments.indices.contains(index) ? arguments[index] : Argument(type: .any, location: location)
        }
        func require(_ index: Int, _ what: String, _ accepted: (ValueType) -> Bool) {
            let argument = argument(index)
            guard !accepted(argument.type) else { return }
            diagnostics.append(
                .error(
                    "argument \(index + 1) of '\(rawValue)' must be \(what), not \(argument.type)",
                    at: argument.location))
        }
        func requireString(_ index: Int) { require(index, "a string", \.acceptsAsString) }

        switch self {
        case .len:
            require(0, "a string or a list") { type in
                if case .list = type.nonNull { return true }
                return type.acceptsAsString
            }
            return .number
        case .lower, .upper, .trim:
            requireString(0)
            let type = argument(0).type
            if type.nonNull == .null { return .null }
            if type.nonNull == .any { return .string.orNull }
            let base: ValueType = type.containsSecret ? .secret : .string
            return type.isNullable ? base.orNull : base
        case .startsWith, .endsWith, .isEmail:
            for index in arguments.indices { requireString(index) }
            return .bool
        case .contains:
            let container = argument(0)
            let element = argument(1)
            switch container.type.nonNull {
            case .list(let item):
                if !ValueType.areComparable(element.type, item) {
                    diagnostics.append(
                        .error(
                            "cannot look for a \(element.type) in a \(container.type)", at: element.location))
                }
            case .any, .null:
                break
            default:
                if container.type.isStringLike {
                    requireString(1)
                } else {
                    require(0, "a string or a list") { _ in false }
                }
            }
            return .bool
        case .matches:
            requireString(0)
            requireString(1)
            let pattern = argument(1)
            if let text = pattern.literalString, let problem = WholeStringRegex.problem(with: text) {
                diagnostics.append(.error(problem, at: pattern.location))
            }
            return .bool
        case .now:
            return .date
        case .duration:
            let text = argument(0)
            require(0, "a string or a duration") { $0.acceptsAsString || $0.nonNull == .duration }
            if let literal = text.literalString, ISODuration.checked(literal) == nil {
                diagnostics.append(
                    .error(
                        "invalid ISO-8601 duration '\(literal)' (write e.g. P30D, PT2H30M or P1Y2M)",
                        at: text.location))
            }
            return text.type.isNullable ? ValueType.duration.orNull : .duration
        case .formatDate:
            require(0, "a date") { $0.isNullable(.date) }
            let type = argument(0).type
            return type.isNullable ? ValueType.string.orNull : .string
        case .coalesce:
            var result = argument(0).type
            for next in arguments.dropFirst() {
                guard let joined = BuiltinFunction.coalesced(result, next.type) else {
                    diagnostics.append(
                        .error(
                            "the arguments of 'coalesce' have incompatible types \(result.nonNull) and \(next.type)",
                            at: next.location))
                    return .any
                }
                result = joined
            }
            return result
        case .if:
            require(0, "a bool") { $0.isCondition }
            let (whenTrue, whenFalse) = (argument(1).type, argument(2).type)
            guard let joined = ValueType.join(whenTrue, whenFalse) else {
                diagnostics.append(
                    .error(
                        "the branches of 'if' have incompatible types \(whenTrue) and \(whenFalse)",
                        at: argument(2).location))
                return .any
            }
            return joined
        }
    }

    /// The type of `a ?? b` (and of each step of `coalesce`): `a`'s non-null type joined with `b`'s type;
    /// `null ?? b` is `b`; just `a`'s type when `a` is never null. Nil when the two have nothing in common.
    static func coalesced(_ a: ValueType, _ b: ValueType) -> ValueType? {
        if a == .null { return b }
        if !a.isNullable { return ValueType.join(a, b).map { _ in a } }
        return ValueType.join(a.nonNull, b)
    }
}
