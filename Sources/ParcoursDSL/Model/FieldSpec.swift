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

    /// Mutated only while uniquely referenced (see `properties`), so sharing it between threads is safe.
    final class Box: @unchecked Sendable {
        var properties: Properties
        init(_ properties: Properties) { self.properties = properties }
    }

    private var box: Box

    private var properties: Properties {
        get { box.properties }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.properties) }
            yield &box.properties
        }
    }

    public var name: String {
        get { box.properties.name }
        set { properties.name = newValue }
    }
    public var location: SourceLocation {
        get { box.properties.location }
        set { properties.location = newValue }
    }
    public var type: FieldType {
        get { box.properties.type }
        set { properties.type = newValue }
    }
    public var required: Bool {
        get { box.properties.required }
        set { properties.required = newValue }
    }
    public var label: String? {
        get { box.properties.label }
        set { properties.label = newValue }
    }
    public var help: String? {
        get { box.properties.help }
        set { properties.help = newValue }
    }
    public var defaultValue: Value? {
        get { box.properties.defaultValue }
        set { properties.defaultValue = newValue }
    }
    public var values: [EnumValue] {
        get { box.properties.values }
        set { properties.values = newValue }
    }
    public var minLength: Int? {
        get { box.properties.minLength }
        set { properties.minLength = newValue }
    }
    public var maxLength: Int? {
        get { box.properties.maxLength }
        set { properties.maxLength = newValue }
    }
    public var pattern: String? {
        get { box.properties.pattern }
        set { properties.pattern = newValue }
    }
    public var minimum: Double? {
        get { box.properties.minimum }
        set { properties.minimum = newValue }
    }
    public var maximum: Double? {
        get { box.properties.maximum }
        set { properties.maximum = newValue }
    }
    public var sameAs: Located<String>? {
        get { box.properties.sameAs }
        set { properties.sameAs = newValue }
    }
    /// The item of a `list` field (indirect through an array to keep the struct finite).
    public var itemSpecs: [FieldSpec] {
        get { box.properties.itemSpecs }
        set { properties.itemSpecs = newValue }
    }
    public var fields: [FieldSpec] {
        get { box.properties.fields }
        set { properties.fields = newValue }
    }
    public var prefill: Expression? {
        get { box.properties.prefill }
        set { properties.prefill = newValue }
    }
    public var editable: Bool {
        get { box.properties.editable }
        set { properties.editable = newValue }
    }
    public var policy: Expression? {
        get { box.properties.policy }
        set { properties.policy = newValue }
    }
    public var store: Bool {
        get { box.properties.store }
        set { properties.store = newValue }
    }

    public init(name: String, location: SourceLocation, type: FieldType) {
        box = Box(Properties(name: name, location: location, type: type))
    }

    public static func == (lhs: FieldSpec, rhs: FieldSpec) -> Bool {
        lhs.box === rhs.box || lhs.box.properties == rhs.box.properties
    }

    public func hash(into hasher: inout Hasher) { hasher.combine(box.properties) }

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
