import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// PostgreSQL cannot be used with a configuration, and why, in words: what ``DatabaseCheck`` throws.
public struct DatabaseUnavailable: Error, Sendable, CustomStringConvertible {
    /// The cause, for code that reacts to it (a message is in ``description``).
    public enum Reason: String, Sendable, Hashable {
        /// Nothing listens at the host and port.
        case connectionRefused
        /// The Unix socket file does not exist.
        case socketNotFound
        /// The host name does not resolve.
        case unknownHost
        /// No route to the host or network.
        case unreachable
        /// The server did not answer in time.
        case timeout
        /// The password (or the SCRAM exchange) was refused.
        case authenticationFailed
        /// The server asks a password and none was given.
        case passwordRequired
        /// The server asks for an authentication method PostgresNIO does not implement.
        case unsupportedAuthentication
        /// The role does not exist.
        case roleNotFound
        /// The database does not exist.
        case databaseNotFound
        /// `pg_hba.conf`, a missing `CONNECT` privilege or the socket's permissions refuse this client.
        case accessDenied
        /// `sslmode` requires TLS and the server does not offer it.
        case tlsUnsupported
        /// The TLS handshake failed (certificate, protocol).
        case tlsFailed
        /// The server has no free connection slot.
        case tooManyConnections
        /// The server is starting up, shutting down or in recovery.
        case serverNotReady
        /// Something answered that is not PostgreSQL.
        case notPostgres
        /// Any other failure.
        case other
    }

    /// The cause.
    public let reason: Reason
    /// The configuration, redacted (``DatabaseConfiguration/redacted``).
    public let target: String
    /// What happened and what to do, for a person.
    public let message: String

    /// An error from its parts.
    public init(reason: Reason, target: String, message: String) {
        self.reason = reason
        self.target = target
        self.message = message
    }

    /// `cannot use PostgreSQL at <url>: <message>`.
    public var description: String { "cannot use PostgreSQL at \(target): \(message)" }
}

extension DatabaseUnavailable {
    /// Explains a failure to connect to `configuration` or to run a first query.
    public init(explaining error: any Error, configuration: DatabaseConfiguration) {
        let (reason, message) = Self.explain(error, configuration)
        self.init(reason: reason, target: configuration.redacted, message: message)
    }

    private static func explain(_ error: any Error, _ configuration: DatabaseConfiguration) -> (Reason, String) {
        let endpoint = configuration.endpoint
        let user = configuration.username
        switch error {
        case let error as DatabaseUnavailable:
            return (error.reason, error.message)
        case let error as PSQLError:
            return explain(error, configuration)
        case let error as NIOConnectionError:
            if let failure = error.connectionErrors.first {
                return explain(failure.error, configuration)
            }
            if let dns = error.dnsAError ?? error.dnsAAAAError {
                return explain(dns, configuration)
            }
            return (.other, "could not connect to \(endpoint) (\(error))")
        case let error as SocketAddressError.UnknownHost:
            return (
                .unknownHost,
                "unknown host \"\(error.host)\" (\(error.errorDescription)); check the host name in the URL or PGHOST"
            )
        case let error as SocketAddressError:
            if case .unixDomainSocketPathTooLong = error {
                return (.other, "the socket path \(configuration.unixSocketPath ?? "") is too long (107 bytes at most)")
            }
            return (.unknownHost, "cannot resolve \(endpoint) (\(error))")
        case let error as IOError:
            return explain(errno: error.errnoCode, configuration, fallback: "\(error)")
        case let error as ChannelError:
            if case .connectTimeout = error {
                return (.timeout, "no answer from \(endpoint) in time (is the host right and the port open?)")
            }
            return (.other, "the connection to \(endpoint) failed: \(error)")
        case is NIOSSLError, is BoringSSLError:
            return (.tlsFailed, "the TLS handshake with \(endpoint) failed: \(error)")
        case is DatabaseCheck.TimedOut, is CancellationError:
            return (.timeout, "no answer from \(endpoint) in time (is the host right and the port open?)")
        default:
            return (.other, "connecting to \(endpoint) as \(user) failed: \(String(reflecting: error))")
        }
    }

    private static func explain(errno code: Int32, _ configuration: DatabaseConfiguration, fallback: String) -> (
        Reason, String
    ) {
        let endpoint = configuration.endpoint
        switch code {
        case ECONNREFUSED:
            if configuration.unixSocketPath != nil {
                return (.connectionRefused, "connection refused on \(endpoint) (is PostgreSQL running?)")
            }
            return (
                .connectionRefused, "connection refused at \(endpoint) (is PostgreSQL running and listening there?)"
            )
        case ENOENT:
            return (
                .socketNotFound,
                "there is no socket \(configuration.unixSocketPath ?? endpoint) (is PostgreSQL running, with this socket directory and port?)"
            )
        case EACCES, EPERM:
            return (.accessDenied, "permission denied connecting to \(endpoint)")
        case ETIMEDOUT:
            return (.timeout, "no answer from \(endpoint) in time (is the host right and the port open?)")
        case EHOSTUNREACH, ENETUNREACH, EADDRNOTAVAIL:
            return (.unreachable, "\(endpoint) is unreachable (no route to the host)")
        case ECONNRESET, EPIPE:
            return (.notPostgres, "\(endpoint) closed the connection at once (is it a PostgreSQL server?)")
        default:
            return (.other, "could not connect to \(endpoint): \(fallback)")
        }
    }

    private static func explain(_ error: PSQLError, _ configuration: DatabaseConfiguration) -> (Reason, String) {
        let endpoint = configuration.endpoint
        let user = configuration.username
        switch error.code {
        case .server:
            let state = error.serverInfo?[.sqlState] ?? ""
            let text = error.serverInfo?[.message] ?? "the server refused the connection"
            switch state {
            case "28P01":
                return (.authenticationFailed, "password authentication failed for user \"\(user)\"")
            case "28000" where text.hasPrefix("role ") && text.hasSuffix("does not exist"):
                return (.roleNotFound, "role \"\(user)\" does not exist (\(text))")
            case "28000":
                var message = "the server refuses this client: \(text)"
                if text.contains("no encryption") || text.contains("SSL off") {
                    message += " (the server wants TLS: use sslmode=require)"
                }
                return (.accessDenied, message)
            case "3D000":
                return (
                    .databaseNotFound,
                    "database \"\(configuration.database)\" does not exist (create it, or fix the database name)"
                )
            case "42501":
                return (.accessDenied, text)
            case "53300":
                return (.tooManyConnections, "the server has no free connection slot (\(text))")
            case "57P03":
                return (.serverNotReady, "the server is not ready: \(text)")
            default:
                return (.other, "the server refused the connection: \(text) (SQLSTATE \(state))")
            }
        case .sslUnsupported:
            return (
                .tlsUnsupported,
                "the server at \(endpoint) does not support TLS but sslmode=\(configuration.tlsMode.rawValue) "
                    + "requires it (use sslmode=prefer or disable, or enable ssl on the server)"
            )
        case .failedToAddSSLHandler:
            return (.tlsFailed, "TLS could not be set up for \(endpoint)")
        case .authMechanismRequiresPassword:
            return (
                .passwordRequired,
                "the server asks a password for user \"\(user)\" and none was given "
                    + "(put it in the URL or in PGPASSWORD)"
            )
        case .unsupportedAuthMechanism:
            return (
                .unsupportedAuthentication,
                "the server asks for an authentication method that is not supported (use scram-sha-256, md5 or trust)"
            )
        case .saslError:
            return (.authenticationFailed, "password authentication failed for user \"\(user)\" (SCRAM)")
        case .messageDecodingFailure, .unexpectedBackendMessage, .receivedUnencryptedDataAfterSSLRequest:
            return (.notPostgres, "\(endpoint) does not answer like a PostgreSQL server")
        case .connectionError, .serverClosedConnection, .uncleanShutdown:
            if let underlying = error.underlying { return explain(underlying, configuration) }
            return (.other, "\(endpoint) closed the connection during start-up")
        default:
            return (.other, "connecting to \(endpoint) failed: \(String(reflecting: error))")
        }
    }
}
