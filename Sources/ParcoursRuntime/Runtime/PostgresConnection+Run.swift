import Logging
import PostgresNIO

extension PostgresConnection {
    /// Runs a statement and reads its result to the end: PostgresNIO hands the row sequence back as soon as the
    /// columns are known, so an error raised while rows are produced (a failing function) only surfaces when they
    /// are read. Statements whose result is not needed go through here.
    public func run(_ query: PostgresQuery, logger: Logger) async throws {
        let rows = try await self.query(query, logger: logger)
        for try await _ in rows {}
    }
}
