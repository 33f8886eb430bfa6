/// When to try a failed delivery again: exponential backoff with a cap, a limit on attempts, and a jitter that
/// is derived from the message id and the attempt number rather than drawn at random.
///
/// The jitter spreads messages that failed together (the relay was down) so they do not all come back at the same
/// second, while the same message and attempt always get the same delay: tests and replays are reproducible.
///
/// With the defaults, the delays after attempts 1, 2, 3… are about 30 s, 1 min, 2 min, 4 min, 8 min, 16 min,
/// 32 min, then 1 h, each shortened by up to 20 %; a message is given up after its 12th attempt, 4 to 5 hours
/// after the first.
public struct RetryPolicy: Sendable, Hashable {
    /// The delay after the first failed attempt, before jitter.
    public var initialDelay: Duration
    /// The factor between two successive delays (at least 1).
    public var multiplier: Double
    /// The longest delay.
    public var maximumDelay: Duration
    /// The number of attempts after which a message is given up, the first one included (at least 1).
    public var maxAttempts: Int
    /// The largest fraction removed from a delay by the jitter, from 0 (none) to 1.
    public var jitter: Double

    /// Creates a policy; out-of-range values are clamped (`multiplier` ≥ 1, `maxAttempts` ≥ 1, `jitter` in 0…1,
    /// `maximumDelay` ≥ `initialDelay` ≥ 0).
    public init(
        initialDelay: Duration = .seconds(30),
        multiplier: Double = 2,
        maximumDelay: Duration = .seconds(3600),
        maxAttempts: Int = 12,
        jitter: Double = 0.2
    ) {
        self.initialDelay = max(initialDelay, .zero)
        self.multiplier = multiplier.isFinite ? max(multiplier, 1) : 1
        self.maximumDelay = max(maximumDelay, self.initialDelay)
        self.maxAttempts = max(maxAttempts, 1)
        self.jitter = jitter.isFinite ? min(max(jitter, 0), 1) : 0
    }

    /// The wait before the next attempt, after attempt `n` (1 for the first) of message `messageId` failed:
    /// `min(initialDelay × multiplier^(n-1), maximumDelay)`, reduced by a jitter fraction in `[0, jitter)` that
    /// depends only on `messageId` and `n`; rounded to the millisecond. An `n` below 1 counts as 1.
    public func delay(afterAttempt n: Int, messageId: String) -> Duration {
        let attempt = max(n, 1)
        let initial = Self.seconds(initialDelay)
        let cap = Self.seconds(maximumDelay)
        let exponent = Double(min(attempt - 1, 4096))
        let base = min(initial * pow(multiplier, exponent), cap)
        let fraction = Self.unitInterval(messageId: messageId, attempt: attempt)
        let seconds = base * (1 - jitter * fraction)
        return .milliseconds(Int64((seconds * 1000).rounded()))
    }

    /// True when `error` is transient and fewer than `maxAttempts` attempts were made (`attempts` counts the one
    /// that just failed).
    public func shouldRetry(_ error: DeliveryError, attempts: Int) -> Bool {
        error.isTransient && attempts < maxAttempts
    }

    private static func seconds(_ duration: Duration) -> Double {
        let (seconds, attoseconds) = duration.components
        return Double(seconds) + Double(attoseconds) / 1e18
    }

    /// `x^y` for `x` ≥ 1 without Foundation, by repeated squaring (`y` is a whole number here).
    private func pow(_ x: Double, _ y: Double) -> Double {
        var result = 1.0
        var base = x
        var exponent = Int(y)
        while exponent > 0 {
            if exponent & 1 == 1 { result *= base }
            base *= base
            exponent >>= 1
            if result.isInfinite { break }
        }
        return result
    }

    /// A number in `[0, 1)` from FNV-1a 64 of the id's UTF-8, a NUL, and the attempt in decimal.
    static func unitInterval(messageId: String, attempt: Int) -> Double {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in Array(messageId.utf8) + [0] + Array(String(attempt).utf8) {
            hash ^= UInt64(byte)
            hash = hash &* 0x0000_0100_0000_01B3
        }
        // Mix the bits so that nearby inputs spread over the whole interval.
        hash ^= hash >> 33
        hash = hash &* 0xff51_afd7_ed55_8ccd
        hash ^= hash >> 33
        return Double(hash >> 11) / Double(UInt64(1) << 53)
    }
}
