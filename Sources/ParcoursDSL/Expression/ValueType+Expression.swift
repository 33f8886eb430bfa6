/// The type relations the expression checker needs: joins, comparability, and shape tests.
extension ValueType {
    /// `string` or `secret`, possibly nullable.
    var isStringLike: Bool {
        switch nonNull {
        case .string, .secret: true
        default: false
        }
    }

    /// A `string`, `secret`, `null` or `any` (a value a string parameter accepts, null included).
    var acceptsAsString: Bool { isStringLike || isNullOrAny }

    /// `null` or `any` (also `any?`).
    var isNullOrAny: Bool {
        switch nonNull {
        case .null, .any: true
        default: false
        }
    }

    /// True when the non-null part is `base`, or the type is `null` or `any`.
    func isNullable(_ base: ValueType) -> Bool { nonNull == base || isNullOrAny }

    /// `bool`, `bool?`, `null` or `any`: a condition (null counts as false).
    var isCondition: Bool { isNullable(.bool) }

    /// `secret` read as `string`, for comparisons.
    var ignoringSecret: ValueType { self == .secret ? .string : self }

    /// The smallest type holding values of both types, or nil when they have nothing in common.
    ///
    /// A `string` joined with a `secret` is a `secret`; `null` makes the other type nullable; lists join
    /// their items (to `list<any>` if those are unrelated); objects keep every field, nullable when only one
    /// side has it. Joined with `any`, a type containing a secret is kept (secrecy wins over precision);
    /// any other type gives `any`.
    static func join(_ a: ValueType, _ b: ValueType) -> ValueType? {
        if a == b { return a }
        if a == .any { return b.containsSecret ? b : .any }
        if b == .any { return a.containsSecret ? a : .any }
        if a == .null { return b.orNull }
        if b == .null { return a.orNull }
        guard let base = joinBase(a.nonNull, b.nonNull) else { return nil }
        return a.isNullable || b.isNullable ? base.orNull : base
    }

    private static func joinBase(_ x: ValueType, _ y: ValueType) -> ValueType? {
        if x == y { return x }
        switch (x, y) {
        case (.any, _): return y.containsSecret ? y : .any
        case (_, .any): return x.containsSecret ? x : .any
        case (.null, _): return y
        case (_, .null): return x
        case (.string, .secret), (.secret, .string): return .secret
        case (.list(let p), .list(let q)): return .list(join(p, q) ?? .any)
        case (.object(let f?), .object(let g?)):
            var fields: [String: ValueType] = [:]
            for name in Set(f.keys).union(g.keys) {
                switch (f[name], g[name]) {
                case (let p?, let q?): fields[name] = join(p, q) ?? .any
                case (let p?, nil), (nil, let p?): fields[name] = p.orNull
                case (nil, nil): break
                }
            }
            return .object(fields)
        case (.object, .object): return .object(nil)
        default: return nil
        }
    }

    /// Whether `==` may compare values of these types: the same base type (`string` and `secret` alike,
    /// lists of comparable items, any two objects), or either side `null` or `any`.
    static func areComparable(_ a: ValueType, _ b: ValueType) -> Bool {
        let x = a.nonNull.ignoringSecret
        let y = b.nonNull.ignoringSecret
        switch (x, y) {
        case (.any, _), (_, .any), (.null, _), (_, .null): return true
        case (.list(let p), .list(let q)): return areComparable(p, q)
        case (.object, .object): return true
        default: return x == y
        }
    }

    /// Types `<`, `<=`, `>`, `>=` order: numbers, strings (and secrets), dates and durations.
    var isOrderable: Bool {
        switch nonNull {
        case .number, .string, .secret, .date, .duration, .any: true
        default: false
        }
    }
}
