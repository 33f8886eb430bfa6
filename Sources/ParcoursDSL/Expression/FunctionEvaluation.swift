import Foundation

extension BuiltinFunction {
    /// Calls the function; arguments are evaluated only when needed (`if` and `coalesce` are lazy).
    ///
    /// The argument count has been checked by the caller.
    func evaluate(_ arguments: [ExpressionNode], at location: SourceLocation, with evaluator: Evaluator)
        throws(EvaluationError) -> Value
    {
        func node(_ index: Int) throws(EvaluationError) -> ExpressionNode {
            guard arguments.indices.contains(index) else {
                throw EvaluationError("'\(rawValue)' expects \(arityDescription)", at: location)
            }
            return arguments[index]
        }
        func value(_ index: Int) throws(EvaluationError) -> Value { try evaluator.evaluate(try node(index)) }
        func mismatch(_ index: Int, _ what: String, _ value: Value) throws(EvaluationError) -> EvaluationError {
            EvaluationError(
                "argument \(index + 1) of '\(rawValue)' must be \(what), not a \(value.kindName)",
                at: try node(index).location)
        }
        /// A string argument; nil for null.
        func string(_ index: Int) throws(EvaluationError) -> String? {
            switch try value(index) {
            case .null: return nil
            case .string(let text): return text
            case let other: throw try mismatch(index, "a string", other)
            }
        }
        func mapString(_ transform: (String) -> String) throws(EvaluationError) -> Value {
            guard let text = try string(0) else { return .null }
            return .string(transform(text))
        }

        switch self {
        case .len:
            switch try value(0) {
            case .null: return .number(0)
            case .string(let text): return .number(Double(text.count))
            case .list(let items): return .number(Double(items.count))
            case let other: throw try mismatch(0, "a string or a list", other)
            }
        case .lower:
            return try mapString { $0.lowercased() }
        case .upper:
            return try mapString { $0.uppercased() }
        case .trim:
            return try mapString { $0.trimmingCharacters(in: .whitespacesAndNewlines) }
        case .startsWith, .endsWith:
            guard let text = try string(0), let affix = try string(1) else { return .bool(false) }
            return .bool(self == .startsWith ? text.hasPrefix(affix) : text.hasSuffix(affix))
        case .contains:
            let container = try value(0)
            if container.isNull { return .bool(false) }
            return .bool(try ValueComparison.contains(container, try value(1), at: try node(1).location))
        case .matches:
            guard let text = try string(0), let pattern = try string(1) else { return .bool(false) }
            switch WholeStringRegex.matches(text, pattern: pattern) {
            case .success(let matched): return .bool(matched)
            case .failure(let problem): throw EvaluationError(problem.message, at: try node(1).location)
            }
        case .now:
            return .date(evaluator.environment.now)
        case .duration:
            let argument = try value(0)
            switch argument {
            case .null: return .null
            case .duration(let duration): return .duration(duration)
            case .string(let text):
                guard let duration = ISODuration.checked(text) else {
                    throw EvaluationError("invalid ISO-8601 duration '\(text.prefix(60))'", at: try node(0).location)
                }
                return .duration(duration)
            default: throw try mismatch(0, "a string or a duration", argument)
            }
        case .formatDate:
            let argument = try value(0)
            if argument.isNull { return .null }
            guard let date = ValueComparison.date(argument) else { throw try mismatch(0, "a date", argument) }
            guard date.isWithinExpressionRange else {
                throw EvaluationError("the date is out of range", at: try node(0).location)
            }
            return .string(ParisTime.format(date))
        case .coalesce:
            for index in arguments.indices {
                let argument = try value(index)
                if !argument.isNull { return argument }
            }
            return .null
        case .if:
            let condition = try value(0)
            switch condition {
            case .bool(true): return try value(1)
            case .bool(false), .null: return try value(2)
            default: throw try mismatch(0, "a bool", condition)
            }
        case .isEmail:
            guard let text = try string(0) else { return .bool(false) }
            return .bool(EmailAddress.isValid(text))
        }
    }
}
