import Foundation
import Synchronization

/// Where the runtime reads the time: the system clock in production, a manual one in tests.
public protocol RuntimeClock: Sendable {
    func now() -> Date
}

public struct SystemClock: RuntimeClock {
    public init() {}
    public func now() -> Date { Date() }
}

/// A clock tests move by hand, to make timers fall due without waiting.
public final class ManualClock: RuntimeClock {
    private let current: Mutex<Date>

    public init(_ start: Date) { current = Mutex(start) }

    public func now() -> Date { current.withLock { $0 } }

    public func set(_ date: Date) { current.withLock { $0 = date } }

    public func advance(by seconds: TimeInterval) { current.withLock { $0 = $0.addingTimeInterval(seconds) } }
}
