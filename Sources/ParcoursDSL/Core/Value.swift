import Foundation

/// A value as processes see it: in context, payloads, action results, settings and expressions.
public enum Value: Hashable, Sendable {
    case null
    case bool(Bool)
    case number(Double)
    case string(String)
    /// An instant, always handled in UTC.
    case date(Date)
    case duration(ISODuration)
    case list([Value])
    case object([String: Value])

    public var isNull: Bool { if case .null = self { true } else { false } }

    public var stringValue: String? { if case .string(let s) = self { s } else { nil } }
    public var boolValue: Bool? { if case .bool(let b) = self { b } else { nil } }
    public var numberValue: Double? { if case .number(let n) = self { n } else { nil } }
    public var objectValue: [String: Value]? { if case .object(let o) = self { o } else { nil } }
    public var listValue: [Value]? { if case .list(let l) = self { l } else { nil } }

    /// The member `name` of an object, or null.
    public subscript(member name: String) -> Value {
        if case .object(let fields) = self { return fields[name] ?? .null }
        return .null
    }

    /// A short name of the value's kind, for error messages.
    public var kindName: String {
        switch self {
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .date: "date"
        case .duration: "duration"
        case .list: "list"
        case .object: "object"
        }
    }
}

extension Value: CustomStringConvertible {
    /// The value as text: strings bare, numbers without a useless `.0`, dates in ISO-8601, the rest as JSON.
    public var description: String {
        switch self {
        case .null: "null"
        case .bool(let b): b ? "true" : "false"
        case .number(let n): Value.format(number: n)
        case .string(let s): s
        case .date(let d): Value.iso8601(d)
        case .duration(let d): d.description
        case .list, .object: jsonText()
        }
    }

    static func format(number n: Double) -> String {
        if n == n.rounded(), abs(n) < 1e15 { return String(Int64(n)) }
        return String(n)
    }

    /// ISO-8601 in UTC with seconds, e.g. `2026-01-31T09:00:00Z`.
    public static func iso8601(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(timeZone: .gmt))
    }

    /// Parses an ISO-8601 date-time (`2026-01-31T09:00:00Z`, fractional seconds allowed) or a date (`2026-01-31`).
    public static func parseDate(_ text: String) -> Date? {
        let text = text.trimmingCharacters(in: .whitespaces)
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: .gmt)) { return date }
        if let date = try? Date(
            text, strategy: Date.ISO8601FormatStyle(includingFractionalSeconds: true, timeZone: .gmt))
        {
            return date
        }
        if let date = try? Date(text, strategy: Date.ISO8601FormatStyle(timeZone: .gmt).year().month().day()) {
            return date
        }
        return nil
    }
}

// MARK: - JSON

extension Value {
    /// Builds a value from the result of `JSONSerialization` (or any Foundation property list).
    public init(json: Any) {
        switch json {
        case is NSNull: self = .null
        case let number as NSNumber:
            // JSONSerialization hands booleans over as NSNumber whose Objective-C type is `c` (char).
            if String(cString: number.objCType) == "c" {
                self = .bool(number.boolValue)
            } else {
                self = .number(number.doubleValue)
            }
        case let bool as Bool: self = .bool(bool)
        case let int as Int: self = .number(Double(int))
        case let double as Double: self = .number(double)
        case let string as String: self = .string(string)
        case let array as [Any]: self = .list(array.map(Value.init(json:)))
        case let dictionary as [String: Any]: self = .object(dictionary.mapValues(Value.init(json:)))
        default: self = .string(String(describing: json))
        }
    }

    /// Parses JSON text into a value.
    public static func parseJSON(_ text: String) throws -> Value {
        try JSONText.parse(text, tagged: false)
    }

    /// A Foundation object for `JSONSerialization`; dates and durations become ISO-8601 strings.
    public var jsonObject: Any {
        switch self {
        case .null: NSNull()
        case .bool(let b): b
        case .number(let n): n == n.rounded() && abs(n) < 1e15 ? Int(n) as Any : n as Any
        case .string(let s): s
        case .date(let d): Value.iso8601(d)
        case .duration(let d): d.description
        case .list(let l): l.map(\.jsonObject)
        case .object(let o): o.mapValues(\.jsonObject)
        }
    }

    /// Compact JSON with sorted keys (stable output for comparisons and hashes).
    public func jsonText(pretty: Bool = false) -> String {
        guard pretty else { return JSONText.write(self, tagged: false) }
        let options: JSONSerialization.WritingOptions = [
            .sortedKeys, .fragmentsAllowed, .withoutEscapingSlashes, .prettyPrinted,
        ]
        guard let data = try? JSONSerialization.data(withJSONObject: jsonObject, options: options) else {
            return "null"
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension Value: ExpressibleByStringLiteral, ExpressibleByBooleanLiteral, ExpressibleByIntegerLiteral,
    ExpressibleByFloatLiteral, ExpressibleByNilLiteral, ExpressibleByArrayLiteral, ExpressibleByDictionaryLiteral
{
    public init(stringLiteral value: String) { self = .string(value) }
    public init(booleanLiteral value: Bool) { self = .bool(value) }
    public init(integerLiteral value: Int) { self = .number(Double(value)) }
    public init(floatLiteral value: Double) { self = .number(value) }
    public init(nilLiteral: ()) { self = .null }
    public init(arrayLiteral elements: Value...) { self = .list(elements) }
    public init(dictionaryLiteral elements: (String, Value)...) {
        // Built by assignment (the last value of a repeated key wins): `Dictionary(_:uniquingKeysWith:)` goes
        // through a generic merge that cost as much as the rest of building the waiting view.
        var object: [String: Value] = [:]
        object.reserveCapacity(elements.count)
        for (key, value) in elements { object[key] = value }
        self = .object(object)
    }
}
