import Foundation
import Testing

@testable import ParcoursRuntime

/// `SMTPTransport` against a real SMTP server (Python's aiosmtpd) on the loopback interface.
@Suite("Delivery: SMTP transport against aiosmtpd", .timeLimit(.minutes(2)))
struct DeliverySMTPTests {
    typealias Support = DeliveryTestSupport

    /// Lines with LF endings, as Python's `email` package returns decoded text.
    static func lf(_ text: String) -> String {
        text.replacingOccurrences(of: "\r\n", with: "\n")
    }

    @Test("a message arrives intact: envelope, headers, decoded body and dot-stuffed lines")
    func delivers() async throws {
        let body = """
            Bonjour Zoé,

            .
            .une ligne qui commence par un point
            ..deux points
            Une très longue ligne \(String(repeating: "avec des mots accentués é à ü ", count: 8))fin.
            a = b, trailing spaces \u{20}\u{20}
            Lien : https://example.org/activate?token=abc&x=1

            """
        let message = Support.message(
            id: "outbox-7f3a.1",
            to: ["Zoé Ünal <zoe@example.org>", "\"Doe, John\" <john@example.org>"],
            subject: "Activez votre compte Chorus Pro — dernière étape ✓ avec un sujet assez long pour être plié",
            body: body)
        try await DeliverySMTPServer.with { server in
            try await SMTPTransport(configuration: server.configuration()).send(message)
            let received = try server.received()
            try #require(received.count == 1, "server log:\n\(server.log)")
            let mail = received[0]
            #expect(mail.mailFrom == "no-reply@parcours.test")
            #expect(mail.rcptTos == ["zoe@example.org", "john@example.org"])
            // The server removed the dot-stuffing: what it stored is exactly what was rendered.
            #expect(mail.rawBytes == (try MailRenderer().render(message)))
            #expect(mail.defects.isEmpty)
            #expect(mail.subject == message.subject)
            #expect(mail.from == "Parcours <no-reply@parcours.test>")
            #expect(mail.to == "Zoé Ünal <zoe@example.org>, \"Doe, John\" <john@example.org>")
            #expect(mail.messageId == "<outbox-7f3a.1@parcours.test>")
            #expect(mail.date == "Tue, 01 Jul 2025 09:05:00 +0000")
            #expect(mail.contentTransferEncoding == "quoted-printable")
            #expect(mail.text.map(Self.lf) == body)
            #expect(mail.authenticatedAs == nil)
        }
    }

    @Test("an HTML alternative arrives as multipart/alternative")
    func deliversHTML() async throws {
        let message = Support.message(body: "Texte é\n", html: "<p>Texte <b>é</b> = 1</p>\n")
        try await DeliverySMTPServer.with { server in
            try await SMTPTransport(configuration: server.configuration()).send(message)
            let mail = try #require(try server.received().first)
            #expect(mail.defects.isEmpty)
            #expect(mail.text.map(Self.lf) == "Texte é\n")
            #expect(mail.html.map(Self.lf) == "<p>Texte <b>é</b> = 1</p>\n")
        }
    }

    @Test("sending the same message twice delivers two copies with the same Message-ID")
    func atLeastOnce() async throws {
        try await DeliverySMTPServer.with { server in
            let transport = SMTPTransport(configuration: server.configuration())
            try await transport.send(Support.message())
            try await transport.send(Support.message())
            let received = try server.received()
            #expect(received.count == 2)
            #expect(Set(received.map(\.messageId)) == ["<msg-0001@parcours.test>"])
        }
    }

    @Test("AUTH PLAIN with the right credentials", arguments: [[String](), ["PLAIN"]])
    func authenticated(excluded: [String]) async throws {
        var options = DeliverySMTPServer.Options(username: "parcours", password: "s3cret:é")
        options.excludeMechanisms = excluded  // ["PLAIN"] forces AUTH LOGIN
        try await DeliverySMTPServer.with(options) { server in
            let transport = SMTPTransport(
                configuration: server.configuration(username: "parcours", password: "s3cret:é"))
            try await transport.send(Support.message())
            let mail = try #require(try server.received().first, "server log:\n\(server.log)")
            #expect(mail.authenticatedAs == "parcours")
        }
    }

    @Test("a wrong password is a permanent authentication failure; no credentials, a permanent 530")
    func authenticationRefused() async throws {
        try await DeliverySMTPServer.with(.init(username: "parcours", password: "right")) { server in
            let wrong = SMTPTransport(configuration: server.configuration(username: "parcours", password: "wrong"))
            let error = try await #require(throws: DeliveryError.self) { try await wrong.send(Support.message()) }
            #expect(error.code == .authenticationFailed)
            #expect(error.isPermanent && error.replyCode == 535)
            #expect(!error.message.contains("wrong"))

            let anonymous = SMTPTransport(configuration: server.configuration())
            let refused = try await #require(throws: DeliveryError.self) { try await anonymous.send(Support.message()) }
            #expect(refused.isPermanent && refused.replyCode == 530)
            #expect(try server.received().isEmpty)
        }
    }

    @Test("a server that refuses EHLO gets HELO")
    func heloFallback() async throws {
        try await DeliverySMTPServer.with(.init(refuseEHLO: true)) { server in
            try await SMTPTransport(configuration: server.configuration()).send(Support.message())
            #expect(try server.received().count == 1, "server log:\n\(server.log)")
        }
    }

    @Test("a recipient refused with 550 is a permanent error; the other recipients still get the message")
    func permanentRecipient() async throws {
        let options = DeliverySMTPServer.Options(reject: ["nobody@example.org": "550 5.1.1 No such user"])
        try await DeliverySMTPServer.with(options) { server in
            let transport = SMTPTransport(configuration: server.configuration())
            let alone = try await #require(throws: DeliveryError.self) {
                try await transport.send(Support.message(to: ["nobody@example.org"]))
            }
            #expect(alone.code == .recipientsRefused)
            #expect(alone.isPermanent && alone.replyCode == 550)
            #expect(alone.refusedRecipients == ["nobody@example.org"])
            #expect(alone.message.contains("550 5.1.1 No such user"))
            #expect(!RetryPolicy().shouldRetry(alone, attempts: 1))
            #expect(try server.received().isEmpty)

            let partial = try await #require(throws: DeliveryError.self) {
                try await transport.send(Support.message(to: ["alice@example.org", "Nobody <nobody@example.org>"]))
            }
            #expect(partial.code == .recipientsRefused && partial.isPermanent)
            #expect(partial.refusedRecipients == ["nobody@example.org"])
            let received = try server.received()
            #expect(received.map(\.rcptTos) == [["alice@example.org"]])
        }
    }

    @Test("a recipient refused with 4xx is transient and nobody gets the message yet")
    func transientRecipient() async throws {
        let options = DeliverySMTPServer.Options(reject: ["busy@example.org": "450 4.2.1 Mailbox busy, try later"])
        try await DeliverySMTPServer.with(options) { server in
            let transport = SMTPTransport(configuration: server.configuration())
            let error = try await #require(throws: DeliveryError.self) {
                try await transport.send(Support.message(to: ["alice@example.org", "busy@example.org"]))
            }
            #expect(error.code == .recipientsRefused && error.isTransient && error.replyCode == 450)
            #expect(RetryPolicy().shouldRetry(error, attempts: 1))
            #expect(try server.received().isEmpty)
        }
    }

    @Test("a closed port is a transient connection failure, reported fast")
    func closedPort() async throws {
        let port = try Support.freePort()
        let transport = SMTPTransport(
            configuration: SMTPConfiguration(host: "127.0.0.1", port: port, connectTimeout: .seconds(20)))
        let start = ContinuousClock.now
        let error = try await #require(throws: DeliveryError.self) { try await transport.send(Support.message()) }
        // Refused at once, not after the connect timeout.
        #expect(ContinuousClock.now - start < .seconds(8))
        #expect(error.code == .connectionFailed && error.isTransient)
        #expect(error.message.contains("127.0.0.1:\(port)"))
    }

    @Test("a server that never answers is a transient timeout after the command timeout")
    func silentServer() async throws {
        let listener = try DeliveryListeningSocket()
        let transport = SMTPTransport(
            configuration: SMTPConfiguration(
                host: "127.0.0.1", port: listener.port, connectTimeout: .seconds(5), commandTimeout: .milliseconds(300))
        )
        let start = ContinuousClock.now
        let error = try await #require(throws: DeliveryError.self) { try await transport.send(Support.message()) }
        let elapsed = ContinuousClock.now - start
        #expect(elapsed >= .milliseconds(300) && elapsed < .seconds(8))
        #expect(error.code == .timeout && error.isTransient)
        #expect(error.message.contains("the greeting"))
        withExtendedLifetime(listener) {}
    }

    @Test("a server slow to acknowledge the message data is a transient timeout after the data timeout")
    func slowData() async throws {
        // The server's delay is far above the timeout, so that a loaded machine cannot blur the two.
        try await DeliverySMTPServer.with(.init(dataDelay: 8)) { server in
            var configuration = server.configuration()
            configuration.dataTimeout = .milliseconds(500)
            let start = ContinuousClock.now
            let error = try await #require(throws: DeliveryError.self) {
                try await SMTPTransport(configuration: configuration).send(Support.message())
            }
            #expect(ContinuousClock.now - start < .seconds(8))
            #expect(error.code == .timeout && error.isTransient)
            #expect(error.message.contains("the reply to the end of the message data"))
        }
    }

    @Test("an invalid message is refused before connecting")
    func invalidBeforeConnecting() async throws {
        let transport = SMTPTransport(configuration: SMTPConfiguration(host: "127.0.0.1", port: try Support.freePort()))
        let error = try await #require(throws: DeliveryError.self) {
            try await transport.send(Support.message(subject: "x\r\nBcc: y@example.org"))
        }
        #expect(error.code == .invalidMessage && error.isPermanent)
        var helo = SMTPConfiguration(host: "127.0.0.1", port: 1)
        helo.heloName = "two words"
        let configuration = try await #require(throws: DeliveryError.self) {
            try await SMTPTransport(configuration: helo).send(Support.message())
        }
        #expect(configuration.code == .invalidConfiguration)
    }
}
