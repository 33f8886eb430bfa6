import Foundation
import ParcoursDSL
import ParcoursEngine
import Synchronization
import Testing

@testable import ParcoursRuntime

/// A transport that fails a given number of times, then records what it sends.
final class FlakyTransport: MailTransport {
    let failures: Mutex<Int>
    let sent = Mutex<[MailMessage]>([])
    let permanent: Bool

    init(failing times: Int, permanent: Bool = false) {
        failures = Mutex(times)
        self.permanent = permanent
    }

    func send(_ message: MailMessage) async throws {
        let fail = failures.withLock { remaining -> Bool in
            guard remaining > 0 else { return false }
            remaining -= 1
            return true
        }
        if fail {
            throw DeliveryError(
                .unexpected, permanent ? .permanent : .transient, permanent ? "550 no such user" : "connection refused")
        }
        sent.withLock { $0.append(message) }
    }
}

@Suite("Runtime: notification outbox")
struct OutboxTests {
    static func queueOneActivationMail(_ fixture: RuntimeFixture) async throws {
        try await fixture.tenant("acme", deploying: [TestProcesses.approval])
        let started = try await fixture.runtime.start(tenant: "acme", process: "approval", params: ["requester": "u-1"])
        _ = try await fixture.runtime.send(
            tenant: "acme", instance: started.id, event: "submit",
            payload: ["email": "ann@example.org", "password": "Correct-Horse-42"])
    }

    @Test func mailIsRenderedDeliveredOnceAndItsSecretsErased() async throws {
        try await RuntimeFixture.with { fixture in
            try await Self.queueOneActivationMail(fixture)
            #expect(
                try await fixture.superuserQuery("SELECT count(*)::text FROM outbox WHERE sealed_params IS NOT NULL")
                    == ["1"])
            let transport = FlakyTransport(failing: 0)
            let report = try await fixture.runtime.deliverPendingMail(transport: transport, settings: MailSettings())
            #expect(report == DeliveryReport(sent: 1, retried: 0, failed: 0))
            let message = try #require(transport.sent.withLock { $0.first })
            #expect(message.to == ["ann@example.org"])
            #expect(message.subject == "Activez votre compte")
            #expect(message.textBody == "Cliquez : https://example.org/activate/SECRET-TOKEN-123")
            #expect(!message.id.contains(":"))
            // Sent: nothing left to deliver, and the sealed secret is gone from the table.
            #expect(
                try await fixture.runtime.deliverPendingMail(transport: transport, settings: MailSettings()).sent == 0)
            #expect(
                try await fixture.superuserQuery(
                    "SELECT status || '/' || attempts || '/' || (sealed_params IS NULL)::text FROM outbox")
                    == ["sent/1/true"])
        }
    }

    @Test func failuresAreRetriedWithBackoffThenGiveUp() async throws {
        try await RuntimeFixture.with { fixture in
            try await Self.queueOneActivationMail(fixture)
            let policy = RetryPolicy(
                initialDelay: .seconds(60), multiplier: 2, maximumDelay: .seconds(600), maxAttempts: 3, jitter: 0)
            let transport = FlakyTransport(failing: 1)
            let first = try await fixture.runtime.deliverPendingMail(
                transport: transport, settings: MailSettings(retry: policy))
            #expect(first == DeliveryReport(sent: 0, retried: 1, failed: 0))
            // Not due again yet.
            #expect(
                try await fixture.runtime.deliverPendingMail(
                    transport: transport, settings: MailSettings(retry: policy)) == DeliveryReport())
            fixture.clock.advance(by: 61)
            let second = try await fixture.runtime.deliverPendingMail(
                transport: transport, settings: MailSettings(retry: policy))
            #expect(second.sent == 1)
            #expect(try await fixture.superuserQuery("SELECT status || '/' || attempts FROM outbox") == ["sent/2"])
        }
    }

    @Test func aPermanentFailureIsNotRetried() async throws {
        try await RuntimeFixture.with { fixture in
            try await Self.queueOneActivationMail(fixture)
            let transport = FlakyTransport(failing: 5, permanent: true)
            let report = try await fixture.runtime.deliverPendingMail(transport: transport, settings: MailSettings())
            #expect(report.failed == 1)
            let row = try await fixture.superuserQuery(
                "SELECT status || '/' || (sealed_params IS NULL)::text || '/' || last_error FROM outbox")
            #expect(row.first?.hasPrefix("failed/true/550 no such user") == true)
        }
    }

    @Test func theWorkerLoopDeliversToAnEMLFolder() async throws {
        try await RuntimeFixture.with { fixture in
            try await Self.queueOneActivationMail(fixture)
            let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
                "parcours-eml-\(UUID().uuidString)")
            defer { try? FileManager.default.removeItem(at: folder) }
            let workers = RuntimeWorkers(
                runtime: fixture.runtime, transport: EMLFolderTransport(folder: folder), mail: MailSettings(),
                listenConfiguration: nil)
            await workers.round()
            let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter { $0.hasSuffix(".eml") }
            #expect(files.count == 1)
            let text = try String(contentsOf: folder.appendingPathComponent(files[0]), encoding: .utf8)
            #expect(text.contains("Subject: Activez votre compte"))
        }
    }
}
