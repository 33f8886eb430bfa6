import Testing

@testable import ParcoursRuntime

@Suite("Delivery: retry policy")
struct DeliveryRetryPolicyTests {
    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    @Test("without jitter, delays grow by the multiplier up to the cap")
    func growthAndCap() {
        let policy = RetryPolicy(
            initialDelay: .seconds(10), multiplier: 3, maximumDelay: .seconds(500), maxAttempts: 10, jitter: 0)
        let delays = (1...7).map { Self.seconds(policy.delay(afterAttempt: $0, messageId: "m")) }
        #expect(delays == [10, 30, 90, 270, 500, 500, 500])
        #expect(policy.delay(afterAttempt: 0, messageId: "m") == .seconds(10))
        #expect(policy.delay(afterAttempt: 10_000, messageId: "m") == .seconds(500))
        #expect(policy.delay(afterAttempt: .max, messageId: "m") == .seconds(500))
    }

    @Test("the default policy: 30 s doubling to 1 h, shortened by at most 20 %, 12 attempts")
    func defaults() {
        let policy = RetryPolicy()
        #expect(policy.maxAttempts == 12)
        var previous = 0.0
        for attempt in 1...12 {
            let base = min(30 * Double(1 << (attempt - 1)), 3600)
            let delay = Self.seconds(policy.delay(afterAttempt: attempt, messageId: "outbox-42"))
            #expect(delay <= base && delay >= base * 0.8, "attempt \(attempt): \(delay)")
            if base < 3600 { #expect(delay > previous) }
            previous = delay
        }
    }

    @Test("jitter is deterministic: the same id and attempt always give the same delay")
    func determinism() {
        let policy = RetryPolicy()
        let again = RetryPolicy()
        for attempt in 1...12 {
            #expect(
                policy.delay(afterAttempt: attempt, messageId: "a")
                    == again.delay(afterAttempt: attempt, messageId: "a"))
        }
        // Known values (FNV-1a 64 of "a\01", mixed), so that a change of the formula is noticed.
        #expect(policy.delay(afterAttempt: 1, messageId: "a") == .milliseconds(28_806))
        #expect(policy.delay(afterAttempt: 2, messageId: "a") == .milliseconds(52_166))
        #expect(policy.delay(afterAttempt: 5, messageId: "outbox-42") == .milliseconds(384_915))
        #expect(policy.delay(afterAttempt: 1, messageId: "a") != policy.delay(afterAttempt: 1, messageId: "b"))
    }

    @Test("jitter spreads messages that failed together over the allowed range")
    func spread() {
        let policy = RetryPolicy(initialDelay: .seconds(100), maximumDelay: .seconds(100), jitter: 0.5)
        let delays = (0..<500).map { Self.seconds(policy.delay(afterAttempt: 3, messageId: "message-\($0)")) }
        #expect(delays.allSatisfy { $0 > 50 && $0 <= 100 })
        #expect(Set(delays).count > 450)
        #expect(delays.filter { $0 < 75 }.count > 150)
        #expect(delays.filter { $0 >= 75 }.count > 150)
        let fractions = (1...200).map { RetryPolicy.unitInterval(messageId: "same", attempt: $0) }
        #expect(fractions.allSatisfy { $0 >= 0 && $0 < 1 })
        #expect(Set(fractions).count == 200)
    }

    @Test("out-of-range settings are clamped")
    func clamping() {
        let policy = RetryPolicy(
            initialDelay: .seconds(-5), multiplier: 0.5, maximumDelay: .seconds(-1), maxAttempts: 0, jitter: 7)
        #expect(policy.initialDelay == .zero)
        #expect(policy.multiplier == 1)
        #expect(policy.maxAttempts == 1)
        #expect(policy.jitter == 1)
        #expect(policy.delay(afterAttempt: 3, messageId: "m") == .zero)
    }

    @Test("transient errors are retried until maxAttempts; permanent ones never")
    func shouldRetry() {
        let policy = RetryPolicy(maxAttempts: 3)
        let transient = DeliveryError(.connectionFailed, .transient, "connection refused")
        let permanent = DeliveryError(.rejected, .permanent, "550 no such user", replyCode: 550)
        #expect(policy.shouldRetry(transient, attempts: 1))
        #expect(policy.shouldRetry(transient, attempts: 2))
        #expect(!policy.shouldRetry(transient, attempts: 3))
        #expect(!policy.shouldRetry(transient, attempts: 4))
        #expect(!policy.shouldRetry(permanent, attempts: 1))
        #expect(DeliveryError.disposition(ofReply: 421) == .transient)
        #expect(DeliveryError.disposition(ofReply: 452) == .transient)
        #expect(DeliveryError.disposition(ofReply: 550) == .permanent)
        #expect(DeliveryError.disposition(ofReply: 554) == .permanent)
    }

    @Test("an unknown error is classified as a transient delivery error")
    func classifying() {
        struct Odd: Error {}
        let classified = DeliveryError.classifying(Odd())
        #expect(classified.code == .unexpected && classified.isTransient)
        let own = DeliveryError(.rejected, .permanent, "no")
        #expect(DeliveryError.classifying(own) == own)
        #expect(own.description == "no [rejected, permanent]")
    }
}
