import Foundation
import ParcoursDSL
import ParcoursDomain
import ParcoursEngine
import ParcoursRuntime
import Synchronization

/// A test double of ``DomainServices``: accounts, sessions, links, structures and their managers and members, all in
/// memory, on a clock the test moves. It also resolves `structure.managers` for the runtime, so that tasks go to the
/// managers it knows.
public final class InMemoryDomain: DomainServices, AssigneeResolving, Sendable {
    struct Account {
        var id: String
        var email: String
        var password: String
    }

    struct Session {
        var tenant: String
        var account: String
        var expiresAt: Date
        var revoked: Bool
    }

    struct Link {
        var tenant: String
        var target: LinkTarget
        var used: Bool
    }

    struct State {
        var accounts: [String: [String: Account]] = [:]  // tenant → email → account
        var sessions: [String: Session] = [:]  // token → session
        var links: [String: Link] = [:]  // token → link
        var managers: [String: [String: Set<String>]] = [:]  // tenant → structure → accounts
        var members: [String: [String: Set<String>]] = [:]  // tenant → structure → accounts
        var activations: [String: [String: String]] = [:]  // tenant → account → instance
        var failures: [String: Int] = [:]  // tenant/email → failed logins
    }

    public let clock: any RuntimeClock
    /// Failed logins allowed per account before `.tooManyAttempts`.
    public let loginLimit = 5
    private let state = Mutex(State())

    public init(clock: any RuntimeClock) {
        self.clock = clock
    }

    // MARK: - Arranging

    /// Adds an active account.
    public func addAccount(tenant: String, id: String, email: String, password: String) {
        state.withLock { $0.accounts[tenant, default: [:]][email] = Account(id: id, email: email, password: password) }
    }

    public func addManager(tenant: String, structure: String, account: String) {
        state.withLock {
            $0.managers[tenant, default: [:]][structure, default: []].insert(account)
            $0.members[tenant, default: [:]][structure, default: []].insert(account)
        }
    }

    public func addMember(tenant: String, structure: String, account: String) {
        state.withLock { state in
            _ = state.members[tenant, default: [:]][structure, default: []].insert(account)
        }
    }

    public func removeManager(tenant: String, structure: String, account: String) {
        state.withLock { state in
            _ = state.managers[tenant, default: [:]][structure, default: []].remove(account)
        }
    }

    /// Opens a session without a password (the test's shortcut); `ttl` in seconds.
    public func openSession(tenant: String, account: String, ttl: TimeInterval = 3600) -> String {
        let token = "st_" + UUID().uuidString.lowercased()
        let expiry = clock.now().addingTimeInterval(ttl)
        state.withLock {
            $0.sessions[token] = Session(tenant: tenant, account: account, expiresAt: expiry, revoked: false)
        }
        return token
    }

    /// Issues a link to an event of an instance, valid `ttl` seconds.
    public func issueLink(
        tenant: String, purpose: LinkTarget.Purpose, instance: String, event: String, ttl: TimeInterval = 3600
    ) -> String {
        let token = "lk_" + UUID().uuidString.lowercased()
        let target = LinkTarget(
            purpose: purpose, instanceId: instance, event: event, expiresAt: clock.now().addingTimeInterval(ttl))
        state.withLock { $0.links[token] = Link(tenant: tenant, target: target, used: false) }
        return token
    }

    /// Closes a session as a logout elsewhere or a password change would.
    public func markRevoked(_ token: String) {
        state.withLock { $0.sessions[token]?.revoked = true }
    }

    public func markLinkUsed(_ token: String) {
        state.withLock { $0.links[token]?.used = true }
    }

    public func setActivationInstance(tenant: String, account: String, instance: String) {
        state.withLock { $0.activations[tenant, default: [:]][account] = instance }
    }

    // MARK: - DomainServices

    public func login(tenant: String, email: String, password: String, source: String) async throws -> IssuedSession {
        let now = clock.now()
        return try state.withLock { state in
            let key = "\(tenant)/\(email.lowercased())"
            if state.failures[key, default: 0] >= loginLimit {
                throw DomainError(.tooManyAttempts, "too many failed logins; try again later", retryAfter: 300)
            }
            guard let account = state.accounts[tenant]?[email.lowercased()], account.password == password else {
                state.failures[key, default: 0] += 1
                throw DomainError(.invalidCredentials, "wrong e-mail or password")
            }
            state.failures[key] = 0
            let token = "st_" + UUID().uuidString.lowercased()
            let expiry = now.addingTimeInterval(3600)
            state.sessions[token] = Session(tenant: tenant, account: account.id, expiresAt: expiry, revoked: false)
            return IssuedSession(token: token, accountId: account.id, expiresAt: expiry)
        }
    }

    public func authenticate(tenant: String, token: String) async throws -> Principal {
        let now = clock.now()
        return try state.withLock { state in
            guard let session = state.sessions[token], session.tenant == tenant else {
                throw DomainError(.unauthenticated, "unknown session: log in")
            }
            if session.revoked { throw DomainError(.sessionRevoked, "this session was closed: log in again") }
            if session.expiresAt <= now { throw DomainError(.sessionExpired, "your session has expired: log in again") }
            return Principal(tenant: tenant, accountId: session.account, sessionId: String(token.suffix(8)))
        }
    }

    public func logout(tenant: String, token: String) async throws {
        state.withLock { state in
            if state.sessions[token]?.tenant == tenant { state.sessions[token]?.revoked = true }
        }
    }

    public func link(tenant: String, token: String) async throws -> LinkTarget {
        let now = clock.now()
        return try state.withLock { state in
            guard let link = state.links[token], link.tenant == tenant else {
                throw DomainError(.linkUnknown, "this link is unknown: check that it was copied whole")
            }
            if link.used { throw DomainError(.linkUsed, "this link was used already") }
            if link.target.expiresAt <= now {
                throw DomainError(.linkExpired, "this link has expired: ask for a new one")
            }
            return link.target
        }
    }

    public func requiresLink(tenant: String, instance: String, event: String) async throws -> Bool {
        state.withLock { state in
            state.links.values.contains {
                $0.tenant == tenant && $0.target.instanceId == instance && $0.target.event == event && !$0.used
            }
        }
    }

    public func captcha(tenant: String) async throws -> CaptchaChallenge {
        CaptchaChallenge(
            id: UUID().uuidString.lowercased(),
            image:
                #"<svg xmlns="http://www.w3.org/2000/svg" width="120" height="40"><text x="10" y="28">AB12</text></svg>"#,
            expiresAt: clock.now().addingTimeInterval(300))
    }

    public func activationInstance(tenant: String, account: String) async throws -> String {
        try state.withLock { state in
            guard let instance = state.activations[tenant]?[account] else {
                throw DomainError(.notFound, "account '\(account)' has no activation under way")
            }
            return instance
        }
    }

    public func isManager(tenant: String, account: String, structure: String) async throws -> Bool {
        state.withLock { $0.managers[tenant]?[structure]?.contains(account) ?? false }
    }

    public func profile(tenant: String, account: String) async throws -> Value {
        state.withLock { state in
            let email = state.accounts[tenant]?.values.first { $0.id == account }?.email
            let memberships = (state.members[tenant] ?? [:]).filter { $0.value.contains(account) }.keys.sorted().map {
                structure -> Value in
                let manager = state.managers[tenant]?[structure]?.contains(account) ?? false
                return ["structure_id": .string(structure), "role": .string(manager ? "manager" : "member")]
            }
            return [
                "id": .string(account), "email": email.map(Value.string) ?? .null, "memberships": .list(memberships),
            ]
        }
    }

    public func structure(tenant: String, id: String, visibleTo account: String) async throws -> Value {
        try state.withLock { state in
            guard state.members[tenant]?[id]?.contains(account) == true else {
                throw DomainError(.forbidden, "you are not a member of structure '\(id)'")
            }
            return ["id": .string(id), "name": .string("Structure \(id)"), "workspaces": .list([])]
        }
    }

    // MARK: - AssigneeResolving

    public func resolve(_ request: AssigneeRequest, in context: ActionContext) async throws -> [String] {
        switch request {
        case .accounts(let accounts): return accounts
        case .resolver(let name, let arguments):
            guard name == "structure.managers", let structure = arguments["structure_id"]?.stringValue else {
                return ["admin-1"]
            }
            let tenant = context.tenant
            return state.withLock { ($0.managers[tenant]?[structure] ?? []).sorted() }
        }
    }
}
