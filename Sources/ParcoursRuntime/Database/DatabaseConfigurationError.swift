/// A database URL or `PG*` variable that cannot be used, with what is wrong in words (never the password).
public struct DatabaseConfigurationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong, for a person.
    public let message: String

    /// An error with its message.
    public init(_ message: String) { self.message = message }

    /// The message.
    public var description: String { message }
}
