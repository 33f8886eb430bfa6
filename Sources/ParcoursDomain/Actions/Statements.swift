import Foundation
import Logging
import ParcoursRuntime
import PostgresNIO

/// The small queries the domain repeats, on the connection of the current tenant transaction.
struct Statements {
    let connection: PostgresConnection
    let logger: Logger

    func run(_ query: PostgresQuery) async throws {
        try await connection.run(query, logger: logger)
    }

    func exists(_ query: PostgresQuery) async throws -> Bool {
        let rows = try await connection.query(query, logger: logger)
        var found = false
        for try await _ in rows { found = true }
        return found
    }

    func string(_ query: PostgresQuery) async throws -> String? {
        try await strings(query).first
    }

    func strings(_ query: PostgresQuery) async throws -> [String] {
        let rows = try await connection.query(query, logger: logger)
        var values: [String] = []
        for try await (value) in rows.decode(String.self) { values.append(value) }
        return values
    }

    func count(_ query: PostgresQuery) async throws -> Int {
        let rows = try await connection.query(query, logger: logger)
        var value = 0
        for try await (count) in rows.decode(Int.self) { value = count }
        return value
    }

    /// Fails the action unless the account exists with one of these statuses.
    func requireAccount(_ account: String, status allowed: Set<String>) async throws {
        guard let status = try await string("SELECT status FROM accounts WHERE account_id = \(account)") else {
            throw failure("no account \(account)")
        }
        guard allowed.contains(status) else {
            throw failure("the account \(account) is \(status.replacingOccurrences(of: "_", with: " "))")
        }
    }

    func contactEmail(of account: String) async throws -> String {
        guard let email = try await string("SELECT contact_email FROM accounts WHERE account_id = \(account)") else {
            throw failure("no account \(account)")
        }
        return email
    }

    /// Uses up the link the event came through: the actor must be `link:<digest>` of a live link of this account,
    /// purpose and instance. Any other way to the step (the generic event route, a race with the e-mail) fails.
    func consumeLink(
        purpose: LinkTarget.Purpose, account: String, context: ActionContext
    ) async throws {
        guard let actor = context.actor, actor.hasPrefix("link:") else {
            throw failure("this step is taken through the link e-mailed for it")
        }
        let digest = String(actor.dropFirst("link:".count))
        let consumed = try await string(
            """
            UPDATE links SET used_at = \(context.now)
            WHERE token_hash = \(digest) AND account_id = \(account) AND purpose = \(purpose.rawValue)
              AND instance_id = \(context.instanceId) AND used_at IS NULL AND replaced_at IS NULL
              AND expires_at > \(context.now)
            RETURNING token_hash
            """)
        guard consumed != nil else { throw failure("the link is no longer valid") }
    }

    func revokeSessions(of account: String, at now: Date) async throws {
        try await run(
            "UPDATE sessions SET revoked_at = \(now) WHERE account_id = \(account) AND revoked_at IS NULL")
    }
}
