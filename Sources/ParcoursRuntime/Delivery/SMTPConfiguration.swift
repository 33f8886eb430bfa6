import Foundation

/// Where and how `SMTPTransport` reaches its relay.
///
/// The connection is plain TCP: no STARTTLS, no implicit TLS. Point it at a relay on the same host or a trusted
/// network (a local Postfix, a development catcher), which forwards the mail with TLS itself; credentials, when
/// set, cross that link in clear.
public struct SMTPConfiguration: Sendable, Hashable, CustomStringConvertible {
    /// The relay's host name or IP address.
    public var host: String
    /// The relay's port (25 by default).
    public var port: Int
    /// The user for AUTH PLAIN or LOGIN; used only when the server offers AUTH.
    public var username: String?
    /// The password for AUTH; never logged nor shown by `description`.
    public var password: String?
    /// The name given in EHLO/HELO.
    public var heloName: String
    /// The longest wait for the TCP connection.
    public var connectTimeout: Duration
    /// The longest wait for the reply to each command, and for the greeting.
    public var commandTimeout: Duration
    /// The longest wait for the reply after the message data (RFC 5321 suggests up to 10 minutes).
    public var dataTimeout: Duration

    /// Creates a configuration.
    public init(
        host: String,
        port: Int = 25,
        username: String? = nil,
        password: String? = nil,
        heloName: String = "localhost",
        connectTimeout: Duration = .seconds(10),
        commandTimeout: Duration = .seconds(30),
        dataTimeout: Duration = .seconds(120)
    ) {
        self.host = host
        self.port = port
        self.username = username
        self.password = password
        self.heloName = heloName
        self.connectTimeout = connectTimeout
        self.commandTimeout = commandTimeout
        self.dataTimeout = dataTimeout
    }

    /// A configuration refused by `parse(url:)`, with a message for a person (the password left out).
    public struct ParseError: Error, Sendable, Hashable, CustomStringConvertible {
        /// What is wrong with the URL.
        public var message: String
        public var description: String { message }
    }

    /// Parses `smtp://[user[:password]@]host[:port][?helo=name]`; user and password are percent-decoded, an IPv6
    /// host is written in brackets, the port defaults to 25. Timeouts keep their defaults.
    ///
    /// - Throws: `ParseError` for another scheme (`smtps` included: TLS is not supported), a missing host, a bad
    ///   port or an unknown query parameter.
    public static func parse(url text: String) throws -> SMTPConfiguration {
        let shown = redacted(text)
        guard let components = URLComponents(string: text) else {
            throw ParseError(message: "\(shown) is not a URL")
        }
        guard let scheme = components.scheme?.lowercased(), scheme == "smtp" else {
            let more = components.scheme?.lowercased() == "smtps" ? " (TLS is not supported: use a local relay)" : ""
            throw ParseError(message: "\(shown): the scheme must be smtp\(more)")
        }
        guard var host = components.percentEncodedHost, !host.isEmpty else {
            throw ParseError(message: "\(shown) has no host")
        }
        if host.hasPrefix("["), host.hasSuffix("]") { host = String(host.dropFirst().dropLast()) }
        guard let decodedHost = host.removingPercentEncoding else { throw ParseError(message: "\(shown): bad host") }
        let port = components.port ?? 25
        guard (1...65535).contains(port) else { throw ParseError(message: "\(shown): port must be 1 to 65535") }
        guard components.path.isEmpty || components.path == "/" else {
            throw ParseError(message: "\(shown): an SMTP URL has no path")
        }
        var configuration = SMTPConfiguration(host: decodedHost, port: port)
        if let user = components.percentEncodedUser {
            guard let decoded = user.removingPercentEncoding else {
                throw ParseError(message: "\(shown): bad percent-encoding in the user")
            }
            configuration.username = decoded
        }
        if let password = components.percentEncodedPassword {
            guard let decoded = password.removingPercentEncoding else {
                throw ParseError(message: "\(shown): bad percent-encoding in the password")
            }
            configuration.password = decoded
        }
        for item in components.queryItems ?? [] {
            switch item.name {
            case "helo":
                guard let value = item.value, !value.isEmpty, !value.contains(where: { $0.isWhitespace }) else {
                    throw ParseError(message: "\(shown): helo needs a name without spaces")
                }
                configuration.heloName = value
            default:
                throw ParseError(message: "\(shown): unknown parameter \(item.name) (known: helo)")
            }
        }
        return configuration
    }

    /// `smtp://user@host:port`, without the password.
    public var description: String {
        let user = username.map { "\($0)@" } ?? ""
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "smtp://\(user)\(shownHost):\(port)"
    }

    /// The URL with its password replaced by `***`, for error messages.
    private static func redacted(_ text: String) -> String {
        guard let schemeEnd = text.range(of: "://"), let at = text.lastIndex(of: "@"), at > schemeEnd.upperBound
        else { return text }
        let userInfo = text[schemeEnd.upperBound..<at]
        guard let colon = userInfo.firstIndex(of: ":") else { return text }
        return String(text[..<colon]) + ":***" + String(text[at...])
    }
}
