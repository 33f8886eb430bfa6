/// A value with the position of the YAML node it was read from.
public struct Located<Wrapped: Sendable & Hashable>: Sendable, Hashable {
    public var value: Wrapped
    public var location: SourceLocation

    public init(_ value: Wrapped, at location: SourceLocation) {
        self.value = value
        self.location = location
    }
}

/// A named expression, in the order written (action inputs, sub-process params, notification params).
public struct Binding: Sendable, Hashable {
    public var name: Located<String>
    public var expression: Expression
}
