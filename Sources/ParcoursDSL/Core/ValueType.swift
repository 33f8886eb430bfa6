/// The static type of a value, used by the checker for expressions, fields, results and templates.
public indirect enum ValueType: Hashable, Sendable, CustomStringConvertible {
    /// Unknown or unchecked: accepted everywhere.
    case any
    /// The type of the literal `null`.
    case null
    case bool
    case number
    case string
    /// A string that must never be stored (a password, a token): see "Secrets" in docs/dsl.md.
    case secret
    case date
    case duration
    case list(ValueType)
    /// An object; `nil` fields means any mapping (members are `any`).
    case object([String: ValueType]?)
    /// `T?`: the type or null.
    case optional(ValueType)

    /// The type or null (`T?`); idempotent, and `any`/`null` stay as they are.
    public var orNull: ValueType {
        switch self {
        case .any, .null, .optional: self
        default: .optional(self)
        }
    }

    /// The type without its nullability.
    public var nonNull: ValueType {
        if case .optional(let wrapped) = self { return wrapped }
        return self
    }

    public var isNullable: Bool {
        switch self {
        case .optional, .null, .any: true
        default: false
        }
    }

    /// True for `secret`, and for lists, objects and optionals containing a secret.
    public var containsSecret: Bool {
        switch self {
        case .secret: true
        case .optional(let wrapped), .list(let wrapped): wrapped.containsSecret
        case .object(let fields): fields?.values.contains { $0.containsSecret } ?? false
        default: false
        }
    }

    /// The type of member `name`, or nil when this type has no such member.
    public func member(_ name: String) -> ValueType? {
        switch self {
        case .any: return .any
        case .object(nil): return .any
        case .object(let fields?): return fields[name]
        case .optional(let wrapped):
            return wrapped.member(name).map { $0.orNull }
        default: return nil
        }
    }

    /// Whether a value of type `other` may be used where this type is expected.
    ///
    /// A `secret` is accepted where a `string` is expected only by the caller's choice (see
    /// `acceptsSecretAsString`); storing a secret in a non-secret slot is what the checker refuses.
    public func accepts(_ other: ValueType) -> Bool {
        switch (self, other) {
        case (.any, _), (_, .any): return true
        case (.optional, .null): return true
        case (.optional(let wrapped), .optional(let otherWrapped)): return wrapped.accepts(otherWrapped)
        case (.optional(let wrapped), _): return wrapped.accepts(other)
        case (_, .optional), (_, .null): return false
        case (.secret, .string), (.secret, .secret): return true
        case (.list(let item), .list(let otherItem)): return item.accepts(otherItem)
        case (.object(nil), .object): return true
        case (.object(let fields?), .object(let otherFields?)):
            return fields.allSatisfy { name, type in
                if let otherType = otherFields[name] { return type.accepts(otherType) }
                return type.isNullable
            }
        case (.object(.some), .object(nil)): return true
        default: return self == other
        }
    }

    public var description: String {
        switch self {
        case .any: "any"
        case .null: "null"
        case .bool: "bool"
        case .number: "number"
        case .string: "string"
        case .secret: "secret"
        case .date: "date"
        case .duration: "duration"
        case .list(let item): "list<\(item)>"
        case .object(nil): "object"
        case .object(let fields?):
            "{" + fields.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ") + "}"
        case .optional(let wrapped): "\(wrapped)?"
        }
    }

    /// Parses a type written in a definition: `string`, `number?`, `list<string>`, `object`, `secret`…
    /// Returns nil for an unknown type name.
    public static func parse(_ text: String) -> ValueType? {
        var text = text.trimmingCharacters(in: .whitespaces)
        var nullable = false
        if text.hasSuffix("?") {
            nullable = true
            text.removeLast()
            text = text.trimmingCharacters(in: .whitespaces)
        }
        let base: ValueType
        if text.hasPrefix("list<"), text.hasSuffix(">") {
            guard let item = parse(String(text.dropFirst(5).dropLast())) else { return nil }
            base = .list(item)
        } else {
            switch text {
            case "any": base = .any
            case "bool", "boolean": base = .bool
            case "number", "integer": base = .number
            case "string", "text": base = .string
            case "secret": base = .secret
            case "date", "datetime": base = .date
            case "duration": base = .duration
            case "object": base = .object(nil)
            case "list": base = .list(.any)
            default: return nil
            }
        }
        return nullable ? base.orNull : base
    }

    /// The names `parse` understands, for "did you mean …?".
    public static let typeNames = [
        "any", "bool", "number", "string", "secret", "date", "duration", "object", "list<string>",
    ]

    /// The most precise type of a value (for settings and stubbed results).
    public static func of(_ value: Value) -> ValueType {
        switch value {
        case .null: return .null
        case .bool: return .bool
        case .number: return .number
        case .string(let s): return ISODuration(s) != nil && s.hasPrefix("P") ? .duration : .string
        case .date: return .date
        case .duration: return .duration
        case .list(let items):
            let types = Set(items.map(ValueType.of))
            return .list(types.count == 1 ? types.first ?? .any : .any)
        case .object(let fields): return .object(fields.mapValues(ValueType.of))
        }
    }
}
