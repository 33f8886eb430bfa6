import Foundation
import Logging
import ParcoursDSL
import PostgresNIO

/// The settings of the signup domain that are not a process's: where links point, how secrets are hashed, and the
/// limits against guessing.
public struct DomainConfiguration: Sendable {
    /// The public address e-mailed links start with; a link is `<publicURL>/v1/tenants/<tenant>/links/<token>`.
    public var publicURL: String
    public var passwordHasher: PasswordHasher
    /// Keys the hashes of login e-mails (throttling), captcha answers and the decoy questions.
    public var keyedHasher: KeyedHasher
    /// How long a session lasts after login.
    public var sessionLifetime: TimeInterval
    /// Failed logins allowed per login e-mail within `loginWindow` before it is refused.
    public var loginFailuresPerAccount: Int
    /// Failed logins allowed per client address within `loginWindow`.
    public var loginFailuresPerSource: Int
    public var loginWindow: TimeInterval
    /// Wrong secret answers allowed per login e-mail within `resetWindow` before reset requests are locked.
    public var resetFailuresPerAccount: Int
    public var resetWindow: TimeInterval

    public init(
        publicURL: String = "http://localhost:8080", passwordHasher: PasswordHasher = .standard,
        keyedHasher: KeyedHasher, sessionLifetime: TimeInterval = 8 * 3600, loginFailuresPerAccount: Int = 5,
        loginFailuresPerSource: Int = 20, loginWindow: TimeInterval = 15 * 60, resetFailuresPerAccount: Int = 5,
        resetWindow: TimeInterval = 24 * 3600
    ) {
        self.publicURL = publicURL.hasSuffix("/") ? String(publicURL.dropLast()) : publicURL
        self.passwordHasher = passwordHasher
        self.keyedHasher = keyedHasher
        self.sessionLifetime = sessionLifetime
        self.loginFailuresPerAccount = loginFailuresPerAccount
        self.loginFailuresPerSource = loginFailuresPerSource
        self.loginWindow = loginWindow
        self.resetFailuresPerAccount = resetFailuresPerAccount
        self.resetWindow = resetWindow
    }

    /// The link a token opens.
    func link(tenant: String, token: String) -> String {
        "\(publicURL)/v1/tenants/\(tenant)/links/\(token)"
    }

    /// The key under which a login e-mail is counted (case-insensitive; the address itself is not kept).
    func emailKey(_ email: String) -> String {
        keyedHasher.hash(email.trimmingCharacters(in: .whitespaces).lowercased(), purpose: "login-email")
    }
}

/// Looks a SIRET up in the structure directory: the output of the catalogue's `directory.lookup`.
public protocol DirectoryLooking: Sendable {
    func lookup(siret: String, on connection: PostgresConnection, logger: Logger) async throws -> Value
}
extension DirectoryLookup: DirectoryLooking {}
