import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import PostgresNIO

/// How the outbox turns notifications into mail.
public struct MailSettings: Sendable {
    /// The sender of every message, e.g. `Chorus Pro <no-reply@example.org>`.
    public var from: String
    public var retry: RetryPolicy

    public init(from: String = "Parcours <no-reply@parcours.localhost>", retry: RetryPolicy = RetryPolicy()) {
        self.from = from
        self.retry = retry
    }
}

/// What one delivery round did.
public struct DeliveryReport: Sendable, Hashable {
    public var sent = 0
    public var retried = 0
    public var failed = 0
}

extension Runtime {
    /// Delivers the notifications due by now, each in its own transaction: the row is claimed with
    /// `FOR UPDATE SKIP LOCKED`, rendered from its template (secret params unsealed in memory only), handed to the
    /// transport, then marked sent — and its sealed params erased. A crash between the hand-over and the commit
    /// sends the message again with the same Message-ID: delivery is at least once. Failures are retried with
    /// backoff, up to the policy's limit.
    @discardableResult
    public func deliverPendingMail(transport: any MailTransport, settings: MailSettings, limit: Int = 200) async throws
        -> DeliveryReport
    {
        let now = clock.now()
        var tenants: [String] = []
        let rows = try await client.query("SELECT parcours_tenants_with_pending_mail(\(now))", logger: logger)
        for try await (tenant) in rows.decode(String.self) { tenants.append(tenant) }
        var report = DeliveryReport()
        for tenant in tenants {
            while report.sent + report.retried + report.failed < limit {
                let handled = try await inTenant(tenant) { connection in
                    try await self.deliverOne(
                        tenant: tenant, now: now, transport: transport, settings: settings, on: connection)
                }
                guard let outcome = handled else { break }
                switch outcome {
                case .sent: report.sent += 1
                case .retried: report.retried += 1
                case .failed: report.failed += 1
                }
            }
        }
        return report
    }

    enum DeliveryOutcome: Sendable { case sent, retried, failed }

    private func deliverOne(
        tenant: String, now: Date, transport: any MailTransport, settings: MailSettings,
        on connection: PostgresConnection
    ) async throws -> DeliveryOutcome? {
        let rows = try await connection.query(
            """
            SELECT message_id, process, version, template, recipients, language, params::text, sealed_params, attempts,
                created_at
            FROM outbox WHERE status = 'pending' AND next_attempt_at <= \(now)
            ORDER BY next_attempt_at, message_id LIMIT 1 FOR UPDATE SKIP LOCKED
            """, logger: logger)
        var found: (String, String, Int, String, [String], String, String, String?, Int, Date)?
        for try await row in rows.decode(
            (String, String, Int, String, [String], String, String, String?, Int, Date).self)
        {
            found = row
        }
        guard let (id, process, version, template, recipients, language, paramsJSON, sealed, attempts, created) = found
        else { return nil }
        let attempt = attempts + 1
        let outcome: DeliveryOutcome
        var lastError: String?
        do {
            var params = (try Value(storageJSON: paramsJSON)).objectValue ?? [:]
            if let sealed { params.merge((try sealer.open(sealed)).objectValue ?? [:]) { _, secret in secret } }
            let (definition, _) = try await definition(
                tenant: tenant, process: process, version: version, on: connection)
            let request = NotificationRequest(
                id: id, template: template, to: recipients, language: language, params: params, secretParams: [])
            let (subject, body) = try request.render(with: definition, now: now)
            // The row's creation time as Date: a resent copy is byte-identical to the first.
            let message = MailMessage(
                id: Self.mailId(id), from: settings.from, to: recipients, subject: subject, textBody: body,
                date: created)
            try await transport.send(message)
            outcome = .sent
        } catch {
            let failure = DeliveryError.classifying(error)
            lastError = failure.description
            outcome = settings.retry.shouldRetry(failure, attempts: attempt) ? .retried : .failed
        }
        switch outcome {
        case .sent:
            try await connection.run(
                """
                UPDATE outbox SET status = 'sent', attempts = \(attempt), sent_at = \(now), sealed_params = NULL,
                    last_error = NULL
                WHERE message_id = \(id)
                """, logger: logger)
        case .retried:
            let delay = settings.retry.delay(afterAttempt: attempt, messageId: id)
            let next = now.addingTimeInterval(
                Double(delay.components.seconds) + Double(delay.components.attoseconds) / 1e18)
            try await connection.run(
                """
                UPDATE outbox SET attempts = \(attempt), next_attempt_at = \(next), last_error = \(lastError)
                WHERE message_id = \(id)
                """, logger: logger)
        case .failed:
            logger.error("notification \(id) failed for good: \(lastError ?? "")")
            try await connection.run(
                """
                UPDATE outbox SET status = 'failed', attempts = \(attempt), sealed_params = NULL, last_error = \(lastError)
                WHERE message_id = \(id)
                """, logger: logger)
        }
        return outcome
    }

    /// Message ids may only use `A-Z a-z 0-9 . _ + -`, without leading, trailing or doubled dots.
    static func mailId(_ id: String) -> String {
        let mapped = id.unicodeScalars.map { scalar -> Character in
            scalar.isASCII && (CharacterSet.alphanumerics.contains(scalar) || scalar == "-" || scalar == "_")
                ? Character(scalar) : "."
        }
        return String(mapped).split(separator: ".", omittingEmptySubsequences: true).joined(separator: ".")
    }
}
