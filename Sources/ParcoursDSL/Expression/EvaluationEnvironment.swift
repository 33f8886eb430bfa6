import Foundation

/// The values an expression reads when it is evaluated.
public struct EvaluationEnvironment: Sendable {
    /// The value of each root, e.g. `"context"`, `"input"`, `"settings"`.
    public var roots: [String: Value]
    /// The instant `now()` returns: the clock of the event being handled.
    public var now: Date

    /// An environment with these roots and this clock.
    public init(roots: [String: Value], now: Date) {
        self.roots = roots
        self.now = now
    }
}
