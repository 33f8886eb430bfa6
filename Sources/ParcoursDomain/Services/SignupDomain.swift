import Foundation
import Logging
import ParcoursDSL
import ParcoursRuntime
import PostgresNIO

/// The signup domain's services on the runtime's database: sessions, links, the captcha and the membership checks
/// the API relies on. Every method runs in a transaction of the tenant (row-level security).
public struct SignupDomain: DomainServices {
    public let runtime: Runtime
    public let configuration: DomainConfiguration
    public let captchaVerifier: any CaptchaVerifying

    public init(runtime: Runtime, configuration: DomainConfiguration, captcha: any CaptchaVerifying) {
        self.runtime = runtime
        self.configuration = configuration
        self.captchaVerifier = captcha
    }

    var logger: Logger { runtime.logger }

    // MARK: - Sessions

    public func login(tenant: String, email: String, password: String, source: String) async throws
        -> IssuedSession
    {
        let now = runtime.clock.now()
        let emailSubject = "email:" + configuration.emailKey(email)
        let sourceSubject = "source:" + source
        // Checked and recorded in a transaction of its own, so that a failure is counted even though the login
        // is refused.
        let outcome: LoginOutcome = try await runtime.inTenant(tenant) { connection in
            let db = Statements(connection: connection, logger: logger)
            // Attempts on one login e-mail wait for each other, so that a burst of parallel tries cannot all pass
            // the count before any failure is written.
            try await connection.run(
                "SELECT pg_advisory_xact_lock(hashtext(\(emailSubject)))", logger: logger)
            let windowStart = now.addingTimeInterval(-configuration.loginWindow)
            for (subject, limit) in [
                (emailSubject, configuration.loginFailuresPerAccount),
                (sourceSubject, configuration.loginFailuresPerSource),
            ] {
                let rows = try await connection.query(
                    """
                    SELECT count(*), min(at) FROM login_failures WHERE subject = \(subject) AND at > \(windowStart)
                    """, logger: logger)
                for try await (count, oldest) in rows.decode((Int, Date?).self) where count >= limit {
                    let retryAfter = max(
                        1, Int(((oldest ?? now).timeIntervalSince(now) + configuration.loginWindow).rounded(.up)))
                    return .throttled(retryAfter: retryAfter)
                }
            }
            let rows = try await connection.query(
                """
                SELECT account_id, password_hash FROM accounts
                WHERE lower(login_email) = lower(\(email.trimmingCharacters(in: .whitespaces))) AND status = 'active'
                """, logger: logger)
            var account: (id: String, hash: String?)?
            for try await row in rows.decode((String, String?).self) { account = row }
            let hasher = configuration.passwordHasher
            guard let account, let stored = account.hash, hasher.verify(password, against: stored) else {
                if account == nil {
                    // Same work for an unknown address as for a wrong password: no timing tells them apart.
                    _ = try hasher.hash(password)
                }
                for subject in [emailSubject, sourceSubject] {
                    // Failures older than the window no longer count: they go as new ones come.
                    try await db.run(
                        "DELETE FROM login_failures WHERE subject = \(subject) AND at <= \(windowStart)")
                    try await db.run(
                        "INSERT INTO login_failures (tenant_id, subject, at) VALUES (\(tenant), \(subject), \(now))")
                }
                return .refused
            }
            if hasher.needsUpgrade(stored) {
                let upgraded = try hasher.hash(password)
                try await db.run("UPDATE accounts SET password_hash = \(upgraded) WHERE account_id = \(account.id)")
            }
            try await db.run("DELETE FROM login_failures WHERE subject = \(emailSubject)")
            let token = Tokens.random()
            let session = IssuedSession(
                token: token, accountId: account.id, expiresAt: now.addingTimeInterval(configuration.sessionLifetime))
            try await db.run(
                """
                INSERT INTO sessions (tenant_id, session_id, token_hash, account_id, created_at, expires_at, source)
                VALUES (\(tenant), \(Tokens.identifier(prefix: "ses")), \(Tokens.digest(token)), \(account.id), \(now),
                    \(session.expiresAt), \(source))
                """)
            return .opened(session)
        }
        switch outcome {
        case .opened(let session):
            return session
        case .refused:
            throw DomainError(.invalidCredentials, "wrong e-mail or password")
        case .throttled(let retryAfter):
            throw DomainError(
                .tooManyAttempts, "too many failed logins: try again in \(retryAfter) seconds", retryAfter: retryAfter)
        }
    }

    private enum LoginOutcome: Sendable {
        case opened(IssuedSession)
        case refused
        case throttled(retryAfter: Int)
    }

    public func authenticate(tenant: String, token: String) async throws -> Principal {
        let now = runtime.clock.now()
        return try await runtime.inTenant(tenant) { connection in
            let rows = try await connection.query(
                """
                SELECT s.session_id, s.account_id, s.expires_at, s.revoked_at, a.status FROM sessions s
                JOIN accounts a USING (tenant_id, account_id)
                WHERE s.token_hash = \(Tokens.digest(token))
                """, logger: logger)
            for try await (session, account, expiresAt, revokedAt, status) in rows.decode(
                (String, String, Date, Date?, String).self)
            {
                if revokedAt != nil || status != "active" {
                    throw DomainError(.sessionRevoked, "the session was closed: log in again")
                }
                if expiresAt <= now { throw DomainError(.sessionExpired, "the session expired: log in again") }
                return Principal(tenant: tenant, accountId: account, sessionId: session)
            }
            throw DomainError(.unauthenticated, "the token is not a session of this tenant")
        }
    }

    public func logout(tenant: String, token: String) async throws {
        let now = runtime.clock.now()
        try await runtime.inTenant(tenant) { connection in
            try await connection.run(
                """
                UPDATE sessions SET revoked_at = \(now) WHERE token_hash = \(Tokens.digest(token)) AND revoked_at IS NULL
                """, logger: logger)
        }
    }

    // MARK: - Links

    public func link(tenant: String, token: String) async throws -> LinkTarget {
        let now = runtime.clock.now()
        return try await runtime.inTenant(tenant) { connection in
            let rows = try await connection.query(
                """
                SELECT purpose, instance_id, event, expires_at, used_at, replaced_at FROM links
                WHERE token_hash = \(Tokens.digest(token))
                """, logger: logger)
            for try await (purpose, instance, event, expiresAt, usedAt, replacedAt) in rows.decode(
                (String, String, String, Date, Date?, Date?).self)
            {
                if usedAt != nil { throw DomainError(.linkUsed, "this link was used already") }
                if replacedAt != nil {
                    throw DomainError(.linkUsed, "this link was replaced by a newer one: use the latest e-mail")
                }
                if expiresAt <= now {
                    throw DomainError(
                        .linkExpired, "this link expired on \(ISO8601DateFormatter().string(from: expiresAt))")
                }
                guard let purpose = LinkTarget.Purpose(rawValue: purpose) else { break }
                return LinkTarget(purpose: purpose, instanceId: instance, event: event, expiresAt: expiresAt)
            }
            throw DomainError(.linkUnknown, "this link is unknown")
        }
    }

    public func requiresLink(tenant: String, instance: String, event: String) async throws -> Bool {
        try await runtime.inTenant(tenant) { connection in
            // A sub-process (activation inside a signup) is driven by its links and by administrators only: its
            // id is visible in its parent's view, and must not let anyone re-send its e-mails.
            try await Statements(connection: connection, logger: logger).exists(
                """
                SELECT 1 FROM links WHERE instance_id = \(instance) AND event = \(event)
                  AND used_at IS NULL AND replaced_at IS NULL
                UNION ALL
                SELECT 1 FROM instances WHERE instance_id = \(instance) AND parent_id IS NOT NULL
                """)
        }
    }

    // MARK: - Captcha

    public func captcha(tenant: String) async throws -> CaptchaChallenge {
        let now = runtime.clock.now()
        return try await runtime.inTenant(tenant) { connection in
            guard
                try await Statements(connection: connection, logger: logger).exists(
                    "SELECT 1 FROM tenants WHERE tenant_id = \(tenant)")
            else { throw DomainError(.notFound, "no tenant \(tenant)") }
            return try await captchaVerifier.challenge(tenant: tenant, on: connection, now: now)
        }
    }

    // MARK: - Accounts and structures

    public func activationInstance(tenant: String, account: String) async throws -> String {
        try await runtime.inTenant(tenant) { connection in
            let db = Statements(connection: connection, logger: logger)
            guard let status = try await db.string("SELECT status FROM accounts WHERE account_id = \(account)") else {
                throw DomainError(.notFound, "no account \(account)")
            }
            guard status == "pending_activation" else {
                throw DomainError(
                    .invalidInput,
                    "the account \(account) is \(status.replacingOccurrences(of: "_", with: " ")), not waiting for activation"
                )
            }
            guard
                let instance = try await db.string(
                    """
                    SELECT instance_id FROM links WHERE account_id = \(account) AND purpose = 'activation'
                    ORDER BY created_at DESC LIMIT 1
                    """)
            else { throw DomainError(.notFound, "the account \(account) has no activation journey") }
            return instance
        }
    }

    /// The id of an account given by its id or its login e-mail (case-insensitive).
    public func accountId(tenant: String, account: String?, loginEmail: String?) async throws -> String {
        try await runtime.inTenant(tenant) { connection in
            let db = Statements(connection: connection, logger: logger)
            let found = try await db.string(
                """
                SELECT account_id FROM accounts
                WHERE account_id = \(account) OR lower(login_email) = lower(\(loginEmail))
                """)
            guard let found else {
                throw DomainError(.notFound, "no account \(account ?? loginEmail ?? "") in tenant \(tenant)")
            }
            return found
        }
    }

    public func isManager(tenant: String, account: String, structure: String) async throws -> Bool {
        try await runtime.inTenant(tenant) { connection in
            try await Statements(connection: connection, logger: logger).exists(
                """
                SELECT 1 FROM memberships m JOIN accounts a USING (tenant_id, account_id)
                WHERE m.structure_id = \(structure) AND m.account_id = \(account)
                  AND m.role IN ('primary_manager', 'secondary_manager') AND a.status = 'active'
                """)
        }
    }

    public func profile(tenant: String, account: String) async throws -> Value {
        try await runtime.inTenant(tenant) { connection in
            let rows = try await connection.query(
                """
                SELECT login_email, first_name, last_name, phone, contact_email, survey_consent, status
                FROM accounts WHERE account_id = \(account)
                """, logger: logger)
            var profile: [String: Value]?
            for try await (login, first, last, phone, contact, consent, status) in rows.decode(
                (String, String, String, String?, String, Bool, String).self)
            {
                profile = [
                    "account_id": .string(account), "login_email": .string(login), "first_name": .string(first),
                    "last_name": .string(last), "phone": .optional(phone), "contact_email": .string(contact),
                    "survey_consent": .bool(consent), "status": .string(status),
                ]
            }
            guard var profile else { throw DomainError(.notFound, "no account \(account)") }
            let memberships = try await connection.query(
                """
                SELECT m.structure_id, s.name, m.role FROM memberships m JOIN structures s USING (tenant_id, structure_id)
                WHERE m.account_id = \(account) ORDER BY s.name
                """, logger: logger)
            var structures: [Value] = []
            for try await (id, name, role) in memberships.decode((String, String, String).self) {
                structures.append(["structure_id": .string(id), "name": .string(name), "role": .string(role)])
            }
            profile["structures"] = .list(structures)
            let pending = try await connection.query(
                """
                SELECT r.request_id, r.structure_id, s.name FROM attachment_requests r
                JOIN structures s USING (tenant_id, structure_id)
                WHERE r.account_id = \(account) AND r.status = 'pending' ORDER BY r.requested_at
                """, logger: logger)
            var requests: [Value] = []
            for try await (request, structure, name) in pending.decode((String, String, String).self) {
                requests.append(
                    ["request_id": .string(request), "structure_id": .string(structure), "name": .string(name)])
            }
            profile["pending_attachments"] = .list(requests)
            return .object(profile)
        }
    }

    public func structure(tenant: String, id: String, visibleTo account: String) async throws -> Value {
        try await runtime.inTenant(tenant) { connection in
            let db = Statements(connection: connection, logger: logger)
            guard
                let role = try await db.string(
                    "SELECT role FROM memberships WHERE structure_id = \(id) AND account_id = \(account)")
            else {
                // The same answer whether the structure exists or not: a non-member learns nothing.
                throw DomainError(.forbidden, "you are not a member of the structure \(id)")
            }
            let rows = try await connection.query(
                """
                SELECT identifier_type, identifier, name, label, address, complement_1, complement_2, postcode, city,
                    country, non_diffusible, payment_requests, dume, provider_category, provider_regime
                FROM structures WHERE structure_id = \(id)
                """, logger: logger)
            var structure: [String: Value] = [:]
            for try await row in rows.decode(
                (
                    String, String, String, String?, String, String?, String?, String, String, String, Bool, Bool,
                    Bool, String?, String?
                ).self)
            {
                structure = [
                    "structure_id": .string(id), "identifier_type": .string(row.0), "identifier": .string(row.1),
                    "name": .string(row.2), "label": .optional(row.3),
                    "address": [
                        "line": .string(row.4), "complement_1": .optional(row.5), "complement_2": .optional(row.6),
                        "postcode": .string(row.7), "city": .string(row.8), "country": .string(row.9),
                    ],
                    "non_diffusible": .bool(row.10),
                    "capabilities": ["payment_requests": .bool(row.11), "dume": .bool(row.12)],
                    "provider_category": .optional(row.13), "provider_regime": .optional(row.14),
                    "your_role": .string(role),
                ]
            }
            let workspaces = try await db.strings(
                "SELECT workspace FROM structure_workspaces WHERE structure_id = \(id) ORDER BY workspace")
            structure["workspaces"] = .list(workspaces.map(Value.string))
            let members = try await connection.query(
                """
                SELECT m.account_id, a.first_name, a.last_name, m.role FROM memberships m
                JOIN accounts a USING (tenant_id, account_id)
                WHERE m.structure_id = \(id) ORDER BY m.role, a.last_name
                """, logger: logger)
            var list: [Value] = []
            for try await (member, first, last, memberRole) in members.decode((String, String, String, String).self) {
                list.append(
                    [
                        "account_id": .string(member), "name": .string("\(first) \(last)"),
                        "role": .string(memberRole),
                    ])
            }
            structure["members"] = .list(list)
            return .object(structure)
        }
    }
}
