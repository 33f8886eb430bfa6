/// Why migrations cannot be planned or applied, in words.
public struct MigrationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The kind of problem.
    public enum Code: String, Sendable, Hashable {
        /// The migrations folder is missing or unreadable.
        case unreadableDirectory
        /// A `.sql` file is not named `NNN_name.sql`, or two files share a number.
        case badFileName
        /// A file could not be read or is not UTF-8.
        case unreadableFile
        /// An applied migration's file changed since it was applied.
        case changedAfterApplied
        /// An applied migration's file is no longer in the folder.
        case missingFile
        /// A pending migration is numbered below one already applied.
        case outOfOrder
        /// A file starts, commits or rolls back a transaction itself.
        case transactionControl
        /// A statement failed; the migration was rolled back.
        case statementFailed
    }

    /// The kind of problem.
    public let code: Code
    /// What is wrong and, when it helps, what to do.
    public let message: String

    /// An error from its parts.
    public init(_ code: Code, _ message: String) {
        self.code = code
        self.message = message
    }

    /// The message.
    public var description: String { message }
}
