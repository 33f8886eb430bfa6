/// A problem of the structure directory that stops an import or a lookup, told for a person.
public struct DirectoryError: Error, CustomStringConvertible, Sendable {
    /// What went wrong and, where possible, what to do.
    public var description: String

    /// An error saying `description`.
    public init(_ description: String) { self.description = description }
}
