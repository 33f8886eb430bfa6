import Foundation

/// An e-mail notification, ready to hand to a `MailTransport`.
///
/// `id` is stable across delivery attempts: it is rendered as the `Message-ID` header `<id@domain>` (the domain
/// of `from`) and names the file an `EMLFolderTransport` writes, so that delivering the same message twice —
/// at-least-once delivery from the outbox — is recognisable as one message.
public struct MailMessage: Sendable, Hashable {
    /// The stable message id: 1 to 200 characters among `A-Z a-z 0-9 . _ + -`, with no leading, trailing or
    /// doubled dot (for example the outbox row's UUID).
    public var id: String
    /// The sender: `address@example.org` or `Display Name <address@example.org>`.
    public var from: String
    /// The recipients, each in the same form as `from`; they are both the `To` header and the SMTP envelope.
    public var to: [String]
    /// The subject, any Unicode text without line breaks.
    public var subject: String
    /// The plain-text body. Line breaks may be LF or CRLF; they are sent as CRLF.
    public var textBody: String
    /// An optional HTML alternative; when present the message is sent as `multipart/alternative`.
    public var htmlBody: String?
    /// The origination date, rendered as the `Date` header.
    public var date: Date
    /// Extra header fields, rendered after the standard ones in this order.
    public var headers: [MailHeader]

    /// Creates a message.
    public init(
        id: String,
        from: String,
        to: [String],
        subject: String,
        textBody: String,
        htmlBody: String? = nil,
        date: Date,
        headers: [MailHeader] = []
    ) {
        self.id = id
        self.from = from
        self.to = to
        self.subject = subject
        self.textBody = textBody
        self.htmlBody = htmlBody
        self.date = date
        self.headers = headers
    }
}
