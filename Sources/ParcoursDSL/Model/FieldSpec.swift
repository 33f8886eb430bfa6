/// The type of an input field, as a form would render it.
public enum FieldType: String, Sendable, Hashable, CaseIterable {
    case string, text, email, phone, siret, siren, vat, ridet, tahiti
    case `enum`, boolean, integer, number, date, datetime, list, object, password, secret

    /// Password and secret fields are never stored and appear as `***` in history.
    public var isSecret: Bool { self == .password || self == .secret }

    /// Field types whose values are strings.
    public var isTextual: Bool {
        switch self {
        case .string, .text, .email, .phone, .siret, .siren, .vat, .ridet, .tahiti, .enum, .password, .secret: true
        default: false
        }
    }
}

/// One accepted value of an `enum` field.
public struct EnumValue: Sendable, Hashable {
    public var value: String
    public var label: String?
}

/// A field of an input event, of `params`, or of an action's input.
public struct FieldSpec: Sendable, Hashable {
    public var name: String
    public var location: SourceLocation
    public var type: FieldType
    public var required = false
    public var label: String?
    public var help: String?
    public var defaultValue: Value?
    public var values: [EnumValue] = []
    public var minLength: Int?
    public var maxLength: Int?
    public var pattern: String?
    public var minimum: Double?
    public var maximum: Double?
    public var sameAs: Located<String>?
    /// The item of a `list` field (indirect through an array to keep the struct finite).
    public var itemSpecs: [FieldSpec] = []
    public var fields: [FieldSpec] = []
    public var prefill: Expression?
    public var editable = true
    public var policy: Expression?
    public var store = true

    public init(name: String, location: SourceLocation, type: FieldType) {
        self.name = name
        self.location = location
        self.type = type
    }

    public var item: FieldSpec? { itemSpecs.first }

    /// Whether the accepted value is kept in context (never for secrets).
    public var isStored: Bool { store && !type.isSecret }

    /// The type expressions see: nullable unless required or defaulted.
    public var valueType: ValueType {
        let base: ValueType
        switch type {
        case .boolean: base = .bool
        case .integer, .number: base = .number
        case .date, .datetime: base = .date
        case .list: base = .list(item?.valueType.nonNull ?? .any)
        case .object:
            base =
                fields.isEmpty
                ? .object(nil) : .object(Dictionary(fields.map { ($0.name, $0.valueType) }) { a, _ in a })
        case .password, .secret: base = .secret
        default: base = .string
        }
        return required || defaultValue != nil ? base : base.orNull
    }
}
