import Logging
import NIOCore
import PostgresNIO

/// A fast connectivity check: one direct connection, `select 1`, closed.
///
/// `PostgresClient` retries a failing connection for about a minute and then reports a vague error; call
/// ``verify(_:timeout:logger:)`` first so that a wrong port, password or database name is reported at once, in
/// words.
public enum DatabaseCheck {
    /// Connects once to `configuration`, runs `select 1` and disconnects.
    ///
    /// - Parameters:
    ///   - timeout: the longest the whole check may take (connecting, authenticating, querying).
    ///   - logger: PostgresNIO's logger for this connection.
    /// - Throws: ``DatabaseUnavailable`` with the cause (connection refused at host:port, unknown host, timeout,
    ///   password authentication failed, database or role does not exist, TLS unsupported…).
    public static func verify(
        _ configuration: DatabaseConfiguration, timeout: Duration = .seconds(5),
        logger: Logger = Logger(label: "parcours.database")
    ) async throws {
        do {
            let connectionConfiguration = try configuration.connectionConfiguration(connectTimeout: timeout)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    let connection = try await PostgresConnection.connect(
                        configuration: connectionConfiguration, id: 1, logger: logger)
                    do {
                        let rows = try await connection.query("select 1", logger: logger)
                        for try await _ in rows {}
                    } catch {
                        try? await connection.close()
                        throw error
                    }
                    try await connection.close()
                }
                group.addTask {
                    try await Task.sleep(for: timeout + .milliseconds(500))
                    throw TimedOut()
                }
                defer { group.cancelAll() }
                try await group.next()
            }
        } catch {
            throw DatabaseUnavailable(explaining: error, configuration: configuration)
        }
    }

    /// The check's own deadline passed.
    struct TimedOut: Error {}
}
