import Logging

/// A transport that sends nothing and logs one line per message: its id, recipients and subject.
///
/// The body is never logged: it may carry a secret link (an activation or password-reset token). The message is
/// still rendered first, so an invalid message fails here as it would with a real transport.
public struct LogMailTransport: MailTransport {
    private let logger: Logger
    private let level: Logger.Level

    /// Creates a transport logging at `level` (`info` by default).
    public init(logger: Logger = Logger(label: "parcours.delivery"), level: Logger.Level = .info) {
        self.logger = logger
        self.level = level
    }

    /// Logs `message` (without its body).
    /// - Throws: `DeliveryError` when the message cannot be rendered.
    public func send(_ message: MailMessage) async throws {
        _ = try MailRenderer().render(message)
        logger.log(
            level: level, "mail \(message.id) to \(message.to.joined(separator: ", ")): \(message.subject)",
            metadata: [
                "message_id": "\(message.id)",
                "to": .array(message.to.map { "\($0)" }),
                "subject": "\(message.subject)",
            ])
    }
}
