import Foundation

/// One SQL migration file, `NNN_name.sql`.
public struct Migration: Sendable, Hashable, CustomStringConvertible {
    /// The number that orders migrations (`NNN`).
    public let version: Int
    /// The part of the file name after the number and `_`, without `.sql`.
    public let name: String
    /// The file's name, as `002_tasks.sql`.
    public let fileName: String
    /// Where the file is.
    public let url: URL
    /// The SHA-256 of the file's bytes, in lower-case hex.
    public let checksum: String
    /// The file's text.
    public let sql: String

    /// A migration from its parts (``Migrator`` reads them from a folder).
    public init(version: Int, name: String, fileName: String, url: URL, checksum: String, sql: String) {
        self.version = version
        self.name = name
        self.fileName = fileName
        self.url = url
        self.checksum = checksum
        self.sql = sql
    }

    /// The file name.
    public var description: String { fileName }
}
