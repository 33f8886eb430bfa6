import Foundation
import PostgresNIO

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where and how to reach PostgreSQL: an endpoint (TCP or a Unix socket), a user, a database and a TLS mode.
///
/// Build one with ``resolve(url:environment:)``, which reads a `postgres://` URL, else `DATABASE_URL`,
/// else libpq's `PG*` variables, the way `psql` would. ``description`` never shows the password.
public struct DatabaseConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// Whether the connection is encrypted, with libpq's `sslmode` semantics.
    public enum TLSMode: String, Sendable, Hashable, CaseIterable {
        /// Never use TLS.
        case disable
        /// Use TLS when the server offers it, else go on unencrypted (libpq's default). The certificate is not
        /// verified.
        case prefer
        /// Refuse to connect without TLS. The certificate is not verified (as libpq's `require`).
        case require
        /// TLS, with a certificate signed by a trusted authority; the host name is not checked.
        case verifyCA = "verify-ca"
        /// TLS, with a trusted certificate whose name matches the host.
        case verifyFull = "verify-full"
    }

    /// The server's host name or address (for TCP; informative when ``unixSocketPath`` is set).
    public var host: String
    /// The server's port (also names the socket file `.s.PGSQL.<port>`).
    public var port: Int
    /// The Unix socket file to connect to instead of TCP (`<directory>/.s.PGSQL.<port>`), if any.
    public var unixSocketPath: String?
    /// The role to connect as.
    public var username: String
    /// The password, if the server asks for one.
    public var password: String?
    /// The database to connect to.
    public var database: String
    /// The TLS mode (ignored over a Unix socket).
    public var tlsMode: TLSMode

    /// A configuration from its parts; `port` defaults to 5432 and `tlsMode` to `.prefer`.
    public init(
        host: String = "localhost", port: Int = 5432, unixSocketPath: String? = nil, username: String,
        password: String? = nil, database: String, tlsMode: TLSMode = .prefer
    ) {
        self.host = host
        self.port = port
        self.unixSocketPath = unixSocketPath
        self.username = username
        self.password = password
        self.database = database
        self.tlsMode = tlsMode
    }

    /// The same server and credentials, another database.
    public func with(database: String) -> DatabaseConfiguration {
        var copy = self
        copy.database = database
        return copy
    }

    /// The same server and database, another role.
    public func with(username: String, password: String?) -> DatabaseConfiguration {
        var copy = self
        copy.username = username
        copy.password = password
        return copy
    }

    /// Where the server is, for messages: `host:port` or the socket file.
    public var endpoint: String {
        if let unixSocketPath { return "the socket \(unixSocketPath)" }
        return "\(host.contains(":") ? "[\(host)]" : host):\(port)"
    }

    /// The configuration as a `postgres://` URL with the password shown as `***`.
    public var redacted: String { url(redactingPassword: true) }

    /// The configuration as a `postgres://` URL, password included: for a child process's environment, never for
    /// a log or a message.
    public var unredactedURL: String { url(redactingPassword: false) }

    /// The redacted URL.
    public var description: String { redacted }

    private func url(redactingPassword: Bool) -> String {
        var text = "postgres://" + URLText.encode(username, keeping: URLText.userAllowed)
        if let password {
            text += ":" + (redactingPassword ? "***" : URLText.encode(password, keeping: URLText.userAllowed))
        }
        text += "@"
        var parameters: [String] = []
        if let directory = socketDirectory {
            text += "localhost:\(port)"
            parameters.append("host=" + URLText.encode(directory, keeping: URLText.pathAllowed))
        } else if let unixSocketPath {
            text += "localhost:\(port)"
            parameters.append("host=" + URLText.encode(unixSocketPath, keeping: URLText.pathAllowed))
        } else {
            text += (host.contains(":") ? "[\(host)]" : URLText.encode(host, keeping: URLText.hostAllowed)) + ":\(port)"
        }
        text += "/" + URLText.encode(database, keeping: URLText.userAllowed)
        if tlsMode != .prefer, unixSocketPath == nil { parameters.insert("sslmode=\(tlsMode.rawValue)", at: 0) }
        if !parameters.isEmpty { text += "?" + parameters.joined(separator: "&") }
        return text
    }

    /// The folder of ``unixSocketPath`` when the socket has PostgreSQL's standard name `.s.PGSQL.<port>`.
    public var socketDirectory: String? {
        guard let unixSocketPath else { return nil }
        let suffix = "/.s.PGSQL.\(port)"
        guard unixSocketPath.hasSuffix(suffix) else { return nil }
        let directory = String(unixSocketPath.dropLast(suffix.count))
        return directory.isEmpty ? "/" : directory
    }
}

// MARK: - Resolving

extension DatabaseConfiguration {
    /// The configuration a command should use.
    ///
    /// `url` (a `--database-url` option, say) wins; else the environment's `DATABASE_URL`; else libpq's variables
    /// `PGHOST`, `PGPORT`, `PGUSER`, `PGPASSWORD`, `PGDATABASE` and `PGSSLMODE`, which also fill in whatever a URL
    /// leaves out (as `psql` does). Defaults: host `localhost` (a TCP connection, unlike libpq's socket), port 5432,
    /// user `$USER`, database named like the user, `sslmode=prefer`. A host starting with `/` (in `PGHOST`, in
    /// the URL's `host=` parameter or percent-encoded as the URL's host) is a socket directory: the socket file is
    /// `<directory>/.s.PGSQL.<port>`.
    ///
    /// - Throws: ``DatabaseConfigurationError`` saying what is wrong (never quoting the password).
    public static func resolve(url: String?, environment: [String: String]) throws -> DatabaseConfiguration {
        var parts = try Parts(environment: environment)
        if let url = url?.trimmingCharacters(in: .whitespacesAndNewlines), !url.isEmpty {
            try parts.apply(url: url, source: "the database URL")
        } else if let url = environment["DATABASE_URL"]?.trimmingCharacters(in: .whitespacesAndNewlines),
            !url.isEmpty
        {
            try parts.apply(url: url, source: "DATABASE_URL")
        }
        return parts.configuration
    }

    /// Reads a `postgres://` or `postgresql://` URL, with libpq's variables as defaults for what it leaves out.
    public init(url: String, environment: [String: String] = [:]) throws {
        var parts = try Parts(environment: environment)
        try parts.apply(url: url, source: "the database URL")
        self = parts.configuration
    }

    /// The pieces of a configuration while a URL and the environment are read.
    private struct Parts {
        var host = "localhost"
        var port = 5432
        var username: String
        var password: String?
        var database: String?
        var tlsMode = TLSMode.prefer

        init(environment: [String: String]) throws {
            username = Self.nonEmpty(environment["PGUSER"]) ?? Self.nonEmpty(environment["USER"]) ?? Self.osUser()
            if let value = Self.nonEmpty(environment["PGHOST"]) {
                guard !value.contains(",") else {
                    throw DatabaseConfigurationError("PGHOST=\(value) names several hosts; give one")
                }
                host = value
            }
            if let value = Self.nonEmpty(environment["PGPORT"]) {
                guard let number = Int(value), (1...65535).contains(number) else {
                    throw DatabaseConfigurationError("PGPORT=\(value) is not a port number between 1 and 65535")
                }
                port = number
            }
            password = environment["PGPASSWORD"]
            database = Self.nonEmpty(environment["PGDATABASE"])
            if let value = Self.nonEmpty(environment["PGSSLMODE"]) {
                tlsMode = try Self.tlsMode(value, source: "PGSSLMODE=\(value)")
            }
        }

        var configuration: DatabaseConfiguration {
            if host.hasPrefix("/") {
                let directory = host.count > 1 && host.hasSuffix("/") ? String(host.dropLast()) : host
                let socket = (directory == "/" ? "" : directory) + "/.s.PGSQL.\(port)"
                return DatabaseConfiguration(
                    host: "localhost", port: port, unixSocketPath: socket, username: username, password: password,
                    database: database ?? username, tlsMode: tlsMode)
            }
            return DatabaseConfiguration(
                host: host, port: port, username: username, password: password, database: database ?? username,
                tlsMode: tlsMode)
        }

        mutating func apply(url: String, source: String) throws {
            func fail(_ problem: String) -> DatabaseConfigurationError {
                DatabaseConfigurationError(
                    "\(source) is not valid: \(problem) (expected postgres://user:password@host:port/database)")
            }
            guard let schemeEnd = url.range(of: "://") else {
                throw fail("it does not start with postgres:// or postgresql://")
            }
            let scheme = url[..<schemeEnd.lowerBound].lowercased()
            guard scheme == "postgres" || scheme == "postgresql" else {
                throw fail("the scheme is \"\(scheme)\", not postgres or postgresql")
            }
            var rest = Substring(url[schemeEnd.upperBound...])
            if let hash = rest.firstIndex(of: "#") { rest = rest[..<hash] }
            var query = Substring("")
            if let mark = rest.firstIndex(of: "?") {
                query = rest[rest.index(after: mark)...]
                rest = rest[..<mark]
            }
            var path: Substring?
            if let slash = rest.firstIndex(of: "/") {
                path = rest[rest.index(after: slash)...]
                rest = rest[..<slash]
            }
            var hostPort = rest
            if let at = rest.lastIndex(of: "@") {
                let userInfo = rest[..<at]
                hostPort = rest[rest.index(after: at)...]
                let user: Substring
                if let colon = userInfo.firstIndex(of: ":") {
                    user = userInfo[..<colon]
                    guard let decoded = URLText.decode(userInfo[userInfo.index(after: colon)...]) else {
                        throw fail("the password has an invalid percent-escape (write % as %25)")
                    }
                    password = decoded
                } else {
                    user = userInfo
                }
                if !user.isEmpty {
                    guard let decoded = URLText.decode(user) else {
                        throw fail("the user name has an invalid percent-escape (write % as %25)")
                    }
                    username = decoded
                }
            }
            if hostPort.contains(",") { throw fail("it names several hosts; give one") }
            var portText: Substring?
            if hostPort.hasPrefix("[") {
                guard let close = hostPort.firstIndex(of: "]") else {
                    throw fail("the IPv6 address \(hostPort) has no closing ]")
                }
                host = String(hostPort[hostPort.index(after: hostPort.startIndex)..<close])
                let after = hostPort[hostPort.index(after: close)...]
                if after.hasPrefix(":") {
                    portText = after.dropFirst()
                } else if !after.isEmpty {
                    throw fail("unexpected \"\(after)\" after the IPv6 address")
                }
            } else {
                var hostText = hostPort
                if let colon = hostPort.lastIndex(of: ":") {
                    hostText = hostPort[..<colon]
                    portText = hostPort[hostPort.index(after: colon)...]
                }
                if !hostText.isEmpty {
                    guard let decoded = URLText.decode(hostText), !decoded.isEmpty else {
                        throw fail("the host \"\(hostText)\" has an invalid percent-escape")
                    }
                    host = decoded
                }
            }
            if let portText, !portText.isEmpty {
                port = try Self.port(String(portText), fail: fail)
            }
            if let path, !path.isEmpty {
                guard let decoded = URLText.decode(path) else {
                    throw fail("the database name has an invalid percent-escape")
                }
                database = decoded
            }
            for item in query.split(separator: "&", omittingEmptySubsequences: true) {
                let pair = item.split(separator: "=", maxSplits: 1, omittingEmptySubsequences: false)
                let key = String(pair[0])
                guard pair.count == 2, let value = URLText.decode(pair[1]) else {
                    throw fail("the parameter \"\(key)\" has no valid value")
                }
                switch key {
                case "sslmode": tlsMode = try Self.tlsMode(value, source: "\(source): sslmode=\(value)")
                case "host":
                    guard !value.isEmpty, !value.contains(",") else { throw fail("host= must name one host") }
                    host = value
                case "port": port = try Self.port(value, fail: fail)
                case "user": username = value
                case "password": password = value
                case "dbname": database = value
                case "application_name", "connect_timeout": break  // accepted, not used
                default:
                    throw fail(
                        "the parameter \"\(key)\" is not supported "
                            + "(use sslmode, host, port, user, password, dbname, application_name or connect_timeout)")
                }
            }
        }

        static func port(_ text: String, fail: (String) -> DatabaseConfigurationError) throws -> Int {
            guard let number = Int(text), (1...65535).contains(number) else {
                throw fail("the port \"\(text)\" is not a number between 1 and 65535")
            }
            return number
        }

        static func tlsMode(_ value: String, source: String) throws -> TLSMode {
            if value == "allow" { return .prefer }
            guard let mode = TLSMode(rawValue: value) else {
                throw DatabaseConfigurationError(
                    "\(source) is not an sslmode: use disable, allow, prefer, require, verify-ca or verify-full")
            }
            return mode
        }

        static func nonEmpty(_ value: String?) -> String? {
            guard let value, !value.isEmpty else { return nil }
            return value
        }

        static func osUser() -> String {
            #if canImport(Glibc) || canImport(Darwin)
                if let entry = getpwuid(geteuid()), let name = entry.pointee.pw_name {
                    return String(cString: name)
                }
            #endif
            return "postgres"
        }
    }
}

// MARK: - PostgresNIO configurations

extension DatabaseConfiguration {
    /// The configuration of a `PostgresClient` (a pool) for this database.
    ///
    /// Without the pool's keep-alive: it arms a timer (three tasks and a sleep) every time a connection goes back
    /// to the pool and cancels it at the next lease, which cost the runtime about an eighth of its throughput
    /// (docs/performance.md). A connection the server closes is still noticed at once (its socket reports the
    /// close), and a transaction whose `BEGIN` fails on a dead connection is retried on another one
    /// (`Runtime.inTenant`).
    public func clientConfiguration() -> PostgresClient.Configuration {
        var configuration: PostgresClient.Configuration
        if let unixSocketPath {
            configuration = PostgresClient.Configuration(
                unixSocketPath: unixSocketPath, username: username, password: password, database: database)
        } else {
            let tls: PostgresClient.Configuration.TLS
            switch tlsMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(tlsConfiguration)
            case .require, .verifyCA, .verifyFull: tls = .require(tlsConfiguration)
            }
            configuration = PostgresClient.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        configuration.options.keepAliveBehavior = nil
        return configuration
    }

    /// The configuration of one `PostgresConnection` for this database.
    ///
    /// - Parameter connectTimeout: how long to wait for the TCP or socket connection (PostgresNIO's default: 10 s).
    /// - Throws: NIOSSL's error when the TLS context cannot be made.
    public func connectionConfiguration(connectTimeout: Duration? = nil) throws -> PostgresConnection.Configuration {
        var configuration: PostgresConnection.Configuration
        if let unixSocketPath {
            configuration = PostgresConnection.Configuration(
                unixSocketPath: unixSocketPath, username: username, password: password, database: database)
        } else {
            let tls: PostgresConnection.Configuration.TLS
            switch tlsMode {
            case .disable: tls = .disable
            case .prefer: tls = .prefer(try NIOSSLContext(configuration: tlsConfiguration))
            case .require, .verifyCA, .verifyFull: tls = .require(try NIOSSLContext(configuration: tlsConfiguration))
            }
            configuration = PostgresConnection.Configuration(
                host: host, port: port, username: username, password: password, database: database, tls: tls)
        }
        if let connectTimeout { configuration.options.connectTimeout = TimeAmount(connectTimeout) }
        return configuration
    }

    /// NIOSSL's client settings for ``tlsMode``.
    private var tlsConfiguration: TLSConfiguration {
        var configuration = TLSConfiguration.makeClientConfiguration()
        switch tlsMode {
        case .disable, .prefer, .require: configuration.certificateVerification = .none
        case .verifyCA: configuration.certificateVerification = .noHostnameVerification
        case .verifyFull: configuration.certificateVerification = .fullVerification
        }
        return configuration
    }
}

extension DatabaseConfiguration {
    /// Percent-encoding for the parts of a `postgres://` URL.
    fileprivate enum URLText {
        static let userAllowed = CharacterSet.alphanumerics.union(CharacterSet(charactersIn: "-._~"))
        static let hostAllowed = userAllowed
        static let pathAllowed = userAllowed.union(CharacterSet(charactersIn: "/"))

        static func encode(_ text: String, keeping allowed: CharacterSet) -> String {
            var result = ""
            for scalar in text.unicodeScalars {
                if scalar.isASCII, allowed.contains(scalar) {
                    result.unicodeScalars.append(scalar)
                } else {
                    for byte in String(scalar).utf8 { result += String(format: "%%%02X", byte) }
                }
            }
            return result
        }

        /// Decodes `%XX` escapes (a `+` stays a `+`, as in libpq); nil on a malformed escape or invalid UTF-8.
        static func decode(_ text: Substring) -> String? {
            var bytes: [UInt8] = []
            var iterator = Array(text.utf8).makeIterator()
            while let byte = iterator.next() {
                if byte == UInt8(ascii: "%") {
                    guard let high = iterator.next().flatMap(hexValue), let low = iterator.next().flatMap(hexValue)
                    else {
                        return nil
                    }
                    bytes.append(high << 4 | low)
                } else {
                    bytes.append(byte)
                }
            }
            return String(bytes: bytes, encoding: .utf8)
        }

        private static func hexValue(_ byte: UInt8) -> UInt8? {
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): return byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): return byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): return byte - UInt8(ascii: "A") + 10
            default: return nil
            }
        }
    }
}
