/// The names an expression may use at one place of a definition, with their static types.
public struct TypeScope: Sendable {
    /// The roots an expression can read here, e.g. `"context": .object([...])`, `"input": …`.
    public var roots: [String: ValueType]
    /// Roots that exist in the language but not at this place, with the reason shown when one is used,
    /// e.g. `"result": "'result' is only available in the transition of an action state"`.
    public var unavailableRoots: [String: String]

    /// A scope with these roots, and the explanations for the roots that are not available here.
    public init(roots: [String: ValueType], unavailableRoots: [String: String] = [:]) {
        self.roots = roots
        self.unavailableRoots = unavailableRoots
    }
}
