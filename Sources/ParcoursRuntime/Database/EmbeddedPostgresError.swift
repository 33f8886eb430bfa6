/// The embedded PostgreSQL could not be set up, started or stopped; the message quotes the server's log when it
/// helps.
public struct EmbeddedPostgresError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What went wrong and what to do.
    public let message: String

    /// An error with its message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
