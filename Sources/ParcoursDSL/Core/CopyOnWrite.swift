/// A value kept in one shared box and copied only when it is written while shared: copying a type that stores one
/// costs a single reference count, whatever strings, lists and expressions the value holds. The model's large types
/// (`FieldSpec`, `StateDefinition`) keep their properties in one, since the interpreter copies them wherever it reads
/// one.
struct CopyOnWrite<Value: Sendable & Hashable>: Sendable, Hashable {
    /// Mutated only while uniquely referenced (see `value`'s `_modify`), so sharing it between threads is safe.
    private final class Box: @unchecked Sendable {
        var value: Value
        init(_ value: Value) { self.value = value }
    }

    private var box: Box

    init(_ value: Value) { box = Box(value) }

    /// Read in place (a property read copies that property only), written after a copy when the box is shared.
    var value: Value {
        _read { yield box.value }
        _modify {
            if !isKnownUniquelyReferenced(&box) { box = Box(box.value) }
            yield &box.value
        }
    }

    static func == (lhs: CopyOnWrite, rhs: CopyOnWrite) -> Bool {
        lhs.box === rhs.box || lhs.box.value == rhs.box.value
    }

    func hash(into hasher: inout Hasher) { hasher.combine(box.value) }
}
