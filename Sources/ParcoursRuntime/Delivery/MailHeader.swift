/// An extra header field of a `MailMessage`, such as `Reply-To` or `X-Parcours-Tenant`.
///
/// The value is treated as unstructured text: non-ASCII characters are sent as RFC 2047 encoded-words and long
/// values are folded. A value containing CR or LF is refused when the message is rendered (header injection).
public struct MailHeader: Sendable, Hashable {
    /// The field name, printable ASCII without a colon (for example `Reply-To`).
    public var name: String
    /// The field value, without line breaks.
    public var value: String

    /// Creates a header field.
    public init(_ name: String, _ value: String) {
        self.name = name
        self.value = value
    }
}
