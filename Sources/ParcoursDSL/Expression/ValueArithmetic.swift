import Foundation

/// Run-time `+` and `-`.
enum ValueArithmetic {
    static func apply(
        _ op: ExpressionNode.BinaryOperator, _ a: Value, _ b: Value, at location: SourceLocation
    ) throws(EvaluationError) -> Value {
        let adding = op == .add
        switch (a, b) {
        case (.number(let x), .number(let y)):
            let result = adding ? x + y : x - y
            guard result.isFinite else {
                throw EvaluationError("the result of '\(op.symbol)' is out of range", at: location)
            }
            return .number(result)
        case (.null, .null), (.null, .number), (.number, .null):
            return .null
        case (.string(let x), .string(let y)) where adding:
            return .string(x + y)
        case (.string(let x), .null) where adding, (.null, .string(let x)) where adding:
            return .string(x)
        case (.null, .date), (.date, .null), (.null, .duration), (.duration, .null):
            return .null
        case (.date(let date), _):
            if !adding, let other = ValueComparison.date(b) {
                return try difference(date, other, at: location)
            }
            if let duration = ValueComparison.duration(b) {
                return try shift(date, by: duration, adding: adding, at: location)
            }
        case (.duration(let duration), _) where adding:
            if case .duration(let other) = b {
                guard duration.isWithinExpressionRange, other.isWithinExpressionRange,
                    let sum = duration.adding(other)
                else { throw EvaluationError("the result of '+' is out of range", at: location) }
                return .duration(sum)
            }
            if let date = ValueComparison.date(b) {
                return try shift(date, by: duration, adding: true, at: location)
            }
        case (.string, .duration(let duration)):
            if let date = ValueComparison.date(a) {
                return try shift(date, by: duration, adding: adding, at: location)
            }
        case (.string, .date(let date)) where !adding:
            if let other = ValueComparison.date(a) {
                return try difference(other, date, at: location)
            }
        default:
            break
        }
        throw EvaluationError(
            "operator '\(op.symbol)' cannot be applied to a \(a.kindName) and a \(b.kindName)", at: location)
    }

    private static func shift(_ date: Date, by duration: ISODuration, adding: Bool, at location: SourceLocation)
        throws(EvaluationError) -> Value
    {
        guard date.isWithinExpressionRange, duration.isWithinExpressionRange else {
            throw EvaluationError("a date or duration is out of range", at: location)
        }
        let result = duration.added(to: date, sign: adding ? 1 : -1)
        guard result.isWithinExpressionRange else {
            throw EvaluationError("the resulting date is out of range", at: location)
        }
        return .date(result)
    }

    private static func difference(_ a: Date, _ b: Date, at location: SourceLocation) throws(EvaluationError)
        -> Value
    {
        guard a.isWithinExpressionRange, b.isWithinExpressionRange else {
            throw EvaluationError("a date is out of range", at: location)
        }
        return .duration(ISODuration(seconds: a.timeIntervalSince(b)))
    }
}
