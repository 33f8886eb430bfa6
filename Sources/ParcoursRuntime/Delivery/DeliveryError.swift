/// Why a message could not be delivered, and whether trying again later can help.
///
/// Transports throw only this error (and `CancellationError` when their task is cancelled). A worker asks
/// `RetryPolicy.shouldRetry(_:attempts:)`, or reads `disposition`, and keeps `message` for the person who looks
/// at the outbox.
public struct DeliveryError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong, for programs (metrics, outbox columns).
    public enum Code: String, Sendable, Hashable {
        /// The message cannot be rendered: header injection, a bad id, an unknown header. Permanent.
        case invalidMessage = "invalid_message"
        /// The sender or a recipient is not a usable address. Permanent.
        case invalidAddress = "invalid_address"
        /// The server could not be reached: connection refused, unknown host, connect timeout. Transient.
        case connectionFailed = "connection_failed"
        /// The server did not answer a command in time. Transient.
        case timeout
        /// The server closed the connection before the message was accepted. Transient.
        case connectionClosed = "connection_closed"
        /// The server's reply was malformed or unexpected. Transient.
        case protocolError = "protocol_error"
        /// Authentication was refused (SMTP 535, permanent; 454, transient) or no common mechanism exists.
        case authenticationFailed = "authentication_failed"
        /// The server refused a command: transient for a 4xx reply, permanent for a 5xx reply.
        case rejected
        /// Some or all recipients were refused; see `refusedRecipients`.
        case recipientsRefused = "recipients_refused"
        /// The message could not be stored (for example, a full disk under `EMLFolderTransport`). Transient.
        case storageFailed = "storage_failed"
        /// The transport's configuration is unusable (for example, a HELO name with spaces). Permanent.
        case invalidConfiguration = "invalid_configuration"
        /// An error that is not a delivery error was caught; treated as transient.
        case unexpected
    }

    /// Whether another attempt may succeed.
    public enum Disposition: String, Sendable, Hashable {
        /// Try again later: the server is down, busy or slow, or answered 4xx.
        case transient
        /// Do not try again: the server answered 5xx or the message itself is wrong.
        case permanent
    }

    /// What went wrong.
    public var code: Code
    /// Whether another attempt may succeed.
    public var disposition: Disposition
    /// A sentence for a person: what failed, where, and the server's own words when there are any.
    public var message: String
    /// The SMTP reply code that caused the failure, when a server answered.
    public var replyCode: Int?
    /// The recipients the server refused (`recipientsRefused`); the others, if any, received the message.
    public var refusedRecipients: [String]

    /// Creates an error.
    public init(
        _ code: Code,
        _ disposition: Disposition,
        _ message: String,
        replyCode: Int? = nil,
        refusedRecipients: [String] = []
    ) {
        self.code = code
        self.disposition = disposition
        self.message = message
        self.replyCode = replyCode
        self.refusedRecipients = refusedRecipients
    }

    /// True when another attempt may succeed.
    public var isTransient: Bool { disposition == .transient }

    /// True when another attempt cannot succeed.
    public var isPermanent: Bool { disposition == .permanent }

    /// `error` itself when it is a `DeliveryError`, otherwise a transient `unexpected` error describing it.
    public static func classifying(_ error: any Error) -> DeliveryError {
        if let error = error as? DeliveryError { return error }
        return DeliveryError(.unexpected, .transient, "unexpected error during delivery: \(error)")
    }

    public var description: String { "\(message) [\(code.rawValue), \(disposition.rawValue)]" }

    /// The disposition of an SMTP reply code: 4xx is transient, anything else permanent.
    static func disposition(ofReply code: Int) -> Disposition {
        (400..<500).contains(code) ? .transient : .permanent
    }
}
