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
///
/// Its properties live in one shared, copy-on-write box: a field is copied wherever it is read (every event is
/// validated against its fields), and a copy then costs one reference count instead of one per string, list and
/// expression it holds.
public struct FieldSpec: Sendable, Hashable {
    struct Properties: Sendable, Hashable {
        var name: String
        var location: SourceLocation
        var type: FieldType
        var required: Bool = false
        var label: String? = nil
        var help: String? = nil
        var defaultValue: Value? = nil
        var values: [EnumValue] = []
        var minLength: Int? = nil
        var maxLength: Int? = nil
        var pattern: String? = nil
        var minimum: Double? = nil
        var maximum: Double? = nil
        var sameAs: Located<String>? = nil
        var itemSpecs: [FieldSpec] = []
        var fields: [FieldSpec] = []
        var prefill: Expression? = nil
        var editable: Bool = true
        var policy: Expression? = nil
        var store: Bool = true
    }

    private var storage: CopyOnWrite<Properties>

    public var name: String {
        get { storage.value.name }
        set { storage.value.name = newValue }
    }
    public var location: SourceLocation {
        get { storage.value.location }
        set { storage.value.location = newValue }
    }
    public var type: FieldType {
        get { storage.value.type }
        set { storage.value.type = newValue }
    }
    public var required: Bool {
        get { storage.value.required }
        set { storage.value.required = newValue }
    }
    public var label: String? {
        get { storage.value.label }
        set { storage.value.label = newValue }
    }
    public var help: String? {
        get { storage.value.help }
        set { storage.value.help = newValue }
    }
    public var defaultValue: Value? {
        get { storage.value.defaultValue }
        set { storage.value.defaultValue = newValue }
    }
    public var values: [EnumValue] {
        get { storage.value.values }
        set { storage.value.values = newValue }
    }
    public var minLength: Int? {
        get { storage.value.minLength }
        set { storage.value.minLength = newValue }
    }
    public var maxLength: Int? {
        get { storage.value.maxLength }
        set { storage.value.maxLength = newValue }
    }
    public var pattern: String? {
        get { storage.value.pattern }
        set { storage.value.pattern = newValue }
    }
    public var minimum: Double? {
        get { storage.value.minimum }
        set { storage.value.minimum = newValue }
    }
    public var maximum: Double? {
        get { storage.value.maximum }
        set { storage.value.maximum = newValue }
    }
    public var sameAs: Located<String>? {
        get { storage.value.sameAs }
        set { storage.value.sameAs = newValue }
    }
    /// The item of a `list` field (indirect through an array to keep the struct finite).
    public var itemSpecs: [FieldSpec] {
        get { storage.value.itemSpecs }
        set { storage.value.itemSpecs = newValue }
    }
    public var fields: [FieldSpec] {
        get { storage.value.fields }
        set { storage.value.fields = newValue }
    }
    public var prefill: Expression? {
        get { storage.value.prefill }
        set { storage.value.prefill = newValue }
    }
    public var editable: Bool {
        get { storage.value.editable }
        set { storage.value.editable = newValue }
    }
    public var policy: Expression? {
        get { storage.value.policy }
        set { storage.value.policy = newValue }
    }
    public var store: Bool {
        get { storage.value.store }
        set { storage.value.store = newValue }
    }

    public init(name: String, location: SourceLocation, type: FieldType) {
        storage = CopyOnWrite(Properties(name: name, location: location, type: type))
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
