import ParcoursRuntime
import Synchronization

/// The mail transport of the tests: it keeps every message handed to it.
public final class Mailbox: MailTransport, Sendable {
    private let sent = Mutex<[MailMessage]>([])

    public init() {}

    /// Every message so far, in the order sent.
    public var messages: [MailMessage] { sent.withLock { $0 } }

    public func send(_ message: MailMessage) async throws {
        sent.withLock { $0.append(message) }
    }
}
