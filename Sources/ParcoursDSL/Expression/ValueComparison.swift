import Foundation

/// Run-time equality, ordering and membership of values.
enum ValueComparison {
    /// The value as a date: a date, or a string holding an ISO-8601 date.
    static func date(_ value: Value) -> Date? {
        switch value {
        case .date(let date): date
        case .string(let text): Value.parseDate(text)
        default: nil
        }
    }

    /// The value as a duration: a duration, or a string holding an ISO-8601 duration.
    static func duration(_ value: Value) -> ISODuration? {
        switch value {
        case .duration(let duration): duration
        case .string(let text): ISODuration(text)
        default: nil
        }
    }

    /// Deep equality; numbers by value, durations part by part, a date or duration equal to a string holding
    /// it.
    static func equal(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.date(let x), .string(let text)), (.string(let text), .date(let x)):
            return Value.parseDate(text) == x
        case (.duration(let x), .string(let text)), (.string(let text), .duration(let x)):
            return ISODuration(text) == x
        case (.list(let x), .list(let y)):
            return x.count == y.count && zip(x, y).allSatisfy { equal($0, $1) }
        case (.object(let x), .object(let y)):
            return x.count == y.count
                && x.allSatisfy { key, value in y[key].map { equal(value, $0) } ?? false }
        default:
            return a == b
        }
    }

    /// -1, 0 or 1; nil when either value is null; an error for values that cannot be ordered together.
    static func order(_ a: Value, _ b: Value, at location: SourceLocation) throws(EvaluationError) -> Int? {
        func sign<T: Comparable>(_ x: T, _ y: T) -> Int { x < y ? -1 : x == y ? 0 : 1 }
        switch (a, b) {
        case (.null, _), (_, .null):
            return nil
        case (.number(let x), .number(let y)):
            return sign(x, y)
        case (.string(let x), .string(let y)):
            return x.unicodeScalars.lexicographicallyPrecedes(y.unicodeScalars) ? -1 : x == y ? 0 : 1
        case (.date, _), (_, .date):
            if let x = date(a), let y = date(b) { return sign(x, y) }
        case (.duration, _), (_, .duration):
            if let x = duration(a), let y = duration(b) {
                guard x.isWithinExpressionRange, y.isWithinExpressionRange else {
                    throw EvaluationError("a duration is out of range", at: location)
                }
                return sign(x.approximateSeconds, y.approximateSeconds)
            }
        default:
            break
        }
        throw EvaluationError("cannot compare a \(a.kindName) with a \(b.kindName)", at: location)
    }

    /// Whether `container` (a list or a string) contains `element`; a null container contains nothing.
    static func contains(_ container: Value, _ element: Value, at location: SourceLocation)
        throws(EvaluationError) -> Bool
    {
        switch (container, element) {
        case (.null, _):
            return false
        case (.list(let items), _):
            return items.contains { equal($0, element) }
        case (.string, .null):
            return false
        case (.string(let text), .string(let part)):
            return part.isEmpty || text.contains(part)
        case (.string, _):
            throw EvaluationError("cannot look for a \(element.kindName) in a string", at: location)
        default:
            throw EvaluationError(
                "cannot look for a value in a \(container.kindName): expected a list or a string", at: location)
        }
    }
}
