import Foundation
import ParcoursDSL

/// Who is calling the API with a session token: an active account of a tenant.
public struct Principal: Sendable, Hashable {
    public var tenant: String
    public var accountId: String
    public var sessionId: String

    public init(tenant: String, accountId: String, sessionId: String) {
        self.tenant = tenant
        self.accountId = accountId
        self.sessionId = sessionId
    }
}

/// A session just opened by a login. The token is shown once; only its hash is stored.
public struct IssuedSession: Sendable, Hashable {
    public var token: String
    public var accountId: String
    public var expiresAt: Date

    public init(token: String, accountId: String, expiresAt: Date) {
        self.token = token
        self.accountId = accountId
        self.expiresAt = expiresAt
    }
}

/// What an e-mailed link (activation, password reset, reactivation) opens: an event of a waiting instance.
public struct LinkTarget: Sendable, Hashable {
    public enum Purpose: String, Sendable, Hashable, CaseIterable {
        case activation
        case passwordReset = "password_reset"
        case reactivation
    }

    public var purpose: Purpose
    public var instanceId: String
    public var event: String
    public var expiresAt: Date

    /// The actor an event sent through the link with `token` carries. The actions that take a link's step
    /// (`account.activate`, `password_reset.complete`, `account.reactivate`) run only for this actor, and use the
    /// link up in the same transaction: the step cannot be reached any other way.
    public static func actor(forToken token: String) -> String {
        "link:" + Tokens.digest(token)
    }

    public init(purpose: Purpose, instanceId: String, event: String, expiresAt: Date) {
        self.purpose = purpose
        self.instanceId = instanceId
        self.event = event
        self.expiresAt = expiresAt
    }
}

/// A captcha challenge to show: an image of characters the user types back as `<id>:<characters>`.
public struct CaptchaChallenge: Sendable, Hashable {
    public var id: String
    /// An SVG image of the characters.
    public var image: String
    public var expiresAt: Date

    public init(id: String, image: String, expiresAt: Date) {
        self.id = id
        self.image = image
        self.expiresAt = expiresAt
    }
}

/// A refusal of the domain, with a code the API and the CLI map to a status and a message for a person.
public struct DomainError: Error, Sendable, Hashable, CustomStringConvertible {
    public enum Code: String, Sendable, Hashable {
        /// No token, or a token no session has (never issued, or garbage).
        case unauthenticated
        /// The session's time is over: log in again.
        case sessionExpired = "session_expired"
        /// The session was closed by a logout or a password change.
        case sessionRevoked = "session_revoked"
        /// Wrong e-mail or password (never says which).
        case invalidCredentials = "invalid_credentials"
        /// Too many failed attempts for this account or source; `retryAfter` says when to try again.
        case tooManyAttempts = "too_many_attempts"
        /// The link is unknown (or not for this tenant).
        case linkUnknown = "link_unknown"
        /// The link's validity is over.
        case linkExpired = "link_expired"
        /// The link was used already, or replaced by a newer one.
        case linkUsed = "link_used"
        /// The caller may not see or do this.
        case forbidden
        case notFound = "not_found"
        case invalidInput = "invalid_input"
    }

    public var code: Code
    public var message: String
    /// Seconds to wait, for `.tooManyAttempts`.
    public var retryAfter: Int?

    public init(_ code: Code, _ message: String, retryAfter: Int? = nil) {
        self.code = code
        self.message = message
        self.retryAfter = retryAfter
    }

    public var description: String { message }
}

/// What the HTTP API asks of the signup domain besides the runtime: sessions, links, the captcha, and the checks
/// that keep a structure's data to its members. Every method runs in the tenant's own transaction (row-level
/// security), and throws ``DomainError`` for a refusal.
public protocol DomainServices: Sendable {
    /// Opens a session for an active account. Wrong e-mail or password, and an account that is not active, all give
    /// the same `.invalidCredentials`; attempts are limited per account and per `source` (the client's address).
    func login(tenant: String, email: String, password: String, source: String) async throws -> IssuedSession

    /// The principal of a session token: `.unauthenticated`, `.sessionExpired` or `.sessionRevoked` otherwise.
    func authenticate(tenant: String, token: String) async throws -> Principal

    /// Closes the session of `token` (a second logout is not an error).
    func logout(tenant: String, token: String) async throws

    /// The instance step an e-mailed link opens: `.linkUnknown`, `.linkExpired` or `.linkUsed` otherwise.
    func link(tenant: String, token: String) async throws -> LinkTarget

    /// Whether `event` of `instance` may only be sent through a link (an outstanding link names it) or by an
    /// administrator (every event of a sub-process, such as the activation inside a signup): the API's generic event
    /// route refuses it, so that nobody activates an account without the e-mail, or re-sends someone's e-mails.
    func requiresLink(tenant: String, instance: String, event: String) async throws -> Bool

    /// A new captcha challenge (single use, short-lived).
    func captcha(tenant: String) async throws -> CaptchaChallenge

    /// The activation instance of an account, for an administrator who re-sends the link (`resend` event).
    func activationInstance(tenant: String, account: String) async throws -> String

    /// Whether `account` is an active manager (primary or secondary) of `structure`.
    func isManager(tenant: String, account: String, structure: String) async throws -> Bool

    /// The account of a principal with its memberships (structures, roles) — what `GET /me` shows.
    func profile(tenant: String, account: String) async throws -> Value

    /// A structure with its workspaces, for one of its members only (`.forbidden` for anyone else, including a
    /// requester whose attachment is pending).
    func structure(tenant: String, id: String, visibleTo account: String) async throws -> Value
}
