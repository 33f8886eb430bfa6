import Foundation
import NIOCore
import Testing

@testable import ParcoursRuntime

/// The SMTP client's logic without a socket: the reply decoder, dot-stuffing, the conversation, the URL.
@Suite("Delivery: SMTP protocol")
struct DeliverySMTPProtocolTests {
    static func reply(_ code: Int, _ lines: String...) -> SMTPReply {
        SMTPReply(code: code, lines: lines.isEmpty ? [""] : lines)
    }

    static func conversation(
        recipients: [String] = ["a@example.org"], credentials: SMTPConversation.Credentials? = nil
    ) -> SMTPConversation {
        SMTPConversation(
            server: "smtp://relay:25", heloName: "parcours.test", credentials: credentials, sender: "from@example.org",
            recipients: recipients, content: Array("Subject: x\r\n\r\n.body\r\n".utf8))
    }

    // MARK: Decoder

    @Test("the decoder gathers multi-line replies and accepts bare LF and a reply split across reads")
    func decoder() throws {
        var decoder = SMTPReplyDecoder()
        var buffer = ByteBuffer(
            string: "220 relay ESMTP ready\r\n250-relay\r\n250-SIZE 1000\r\n250-AUTH PLAIN LOGIN\n250 HELP\r\n354 go")
        #expect(try decoder.decode(buffer: &buffer) == SMTPReply(code: 220, lines: ["relay ESMTP ready"]))
        let ehlo = try #require(try decoder.decode(buffer: &buffer))
        #expect(ehlo == SMTPReply(code: 250, lines: ["relay", "SIZE 1000", "AUTH PLAIN LOGIN", "HELP"]))
        #expect(ehlo.extensions["AUTH"] == ["PLAIN", "LOGIN"])
        #expect(ehlo.extensions["SIZE"] == ["1000"])
        #expect(try decoder.decode(buffer: &buffer) == nil)
        buffer.writeString(" ahead\r\n221\r\n")
        #expect(try decoder.decode(buffer: &buffer) == SMTPReply(code: 354, lines: ["go ahead"]))
        #expect(try decoder.decode(buffer: &buffer) == SMTPReply(code: 221, lines: [""]))
        #expect(buffer.readableBytes == 0)
    }

    @Test(
        "the decoder refuses malformed lines, mixed codes and endless lines",
        arguments: [
            "hello\r\n", "25 short\r\n", "2500 x\r\n", "250_x\r\n", "650 six\r\n", "250-a\r\n251 b\r\n",
        ])
    func decoderRefusals(input: String) {
        var decoder = SMTPReplyDecoder()
        var buffer = ByteBuffer(string: input)
        #expect(throws: DeliveryError.self) {
            while try decoder.decode(buffer: &buffer) != nil {}
        }
    }

    @Test("the decoder refuses a line longer than 4096 bytes, even before its end arrives")
    func decoderLongLine() {
        var decoder = SMTPReplyDecoder()
        var buffer = ByteBuffer(string: "250 " + String(repeating: "x", count: 5000))
        #expect(throws: DeliveryError.self) { try decoder.decode(buffer: &buffer) }
    }

    @Test("EHLO extensions: keywords upper-cased, the old AUTH=… form understood")
    func extensions() {
        let reply = SMTPReply(code: 250, lines: ["relay greets you", "auth=login cram-md5", "8BITMIME"])
        #expect(reply.extensions["AUTH"] == ["LOGIN", "CRAM-MD5"])
        #expect(reply.extensions["8BITMIME"] == [])
        #expect(reply.summary == "250 relay greets you auth=login cram-md5 8BITMIME")
    }

    // MARK: Dot-stuffing

    @Test("DATA doubles a leading dot on every line and ends with CRLF.CRLF")
    func dotStuffing() {
        func stuffed(_ text: String) -> String {
            String(decoding: SMTPCommand.dotStuffed(Array(text.utf8)), as: UTF8.self)
        }
        #expect(stuffed("a\r\n.\r\n.b\r\n..c\r\nd.e\r\n") == "a\r\n..\r\n..b\r\n...c\r\nd.e\r\n.\r\n")
        #expect(stuffed(".first") == "..first\r\n.\r\n")
        #expect(stuffed("") == ".\r\n")
        #expect(SMTPCommand.message(Array("x".utf8)).logDescription == "<message, 1 bytes>")
        #expect(SMTPCommand.authPlain(initialResponse: "c2VjcmV0").logDescription == "AUTH PLAIN <credentials>")
        #expect(SMTPCommand.authResponse("c2VjcmV0").logDescription == "<credentials>")
    }

    // MARK: Conversation

    @Test("a plain transaction: greeting, EHLO, MAIL, RCPT, DATA, message, delivered")
    func plainTransaction() {
        var conversation = Self.conversation(recipients: ["a@example.org", "b@example.org"])
        #expect(conversation.receive(Self.reply(220, "relay ESMTP")) == .send(.ehlo("parcours.test")))
        #expect(
            conversation.receive(SMTPReply(code: 250, lines: ["relay", "PIPELINING"]))
                == .send(.mailFrom("from@example.org")))
        #expect(conversation.receive(Self.reply(250, "ok")) == .send(.rcptTo("a@example.org")))
        #expect(conversation.receive(Self.reply(250, "ok")) == .send(.rcptTo("b@example.org")))
        #expect(conversation.receive(Self.reply(251, "will forward")) == .send(.data))
        #expect(conversation.receive(Self.reply(354, "go ahead")) == .send(.message(conversation.content)))
        #expect(conversation.isAwaitingDataAcknowledgement)
        #expect(conversation.receive(Self.reply(250, "queued")) == .delivered)
        #expect(conversation.accepted == ["a@example.org", "b@example.org"])
    }

    @Test("EHLO refused with 5xx falls back to HELO; with 4xx it is a transient failure")
    func heloFallback() {
        var conversation = Self.conversation()
        _ = conversation.receive(Self.reply(220))
        #expect(conversation.receive(Self.reply(502, "not implemented")) == .send(.helo("parcours.test")))
        #expect(conversation.receive(Self.reply(250, "hi")) == .send(.mailFrom("from@example.org")))

        var busy = Self.conversation()
        _ = busy.receive(Self.reply(220))
        guard case .fail(let error) = busy.receive(Self.reply(421, "too busy")) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.isTransient && error.code == .rejected && error.replyCode == 421)
        #expect(error.message == "smtp://relay:25 refused EHLO: 421 too busy")
    }

    @Test("AUTH PLAIN is used when offered, with NUL user NUL password in base64")
    func authPlain() {
        var conversation = Self.conversation(credentials: .init(username: "user", password: "pässword"))
        _ = conversation.receive(Self.reply(220))
        let expected = Data([0] + Array("user".utf8) + [0] + Array("pässword".utf8)).base64EncodedString()
        #expect(
            conversation.receive(SMTPReply(code: 250, lines: ["relay", "AUTH LOGIN PLAIN"]))
                == .send(.authPlain(initialResponse: expected)))
        #expect(conversation.receive(Self.reply(235, "ok")) == .send(.mailFrom("from@example.org")))
    }

    @Test("AUTH LOGIN is used when PLAIN is not offered")
    func authLogin() {
        var conversation = Self.conversation(credentials: .init(username: "user", password: "secret"))
        _ = conversation.receive(Self.reply(220))
        #expect(conversation.receive(SMTPReply(code: 250, lines: ["relay", "AUTH LOGIN"])) == .send(.authLogin))
        #expect(conversation.receive(Self.reply(334, "VXNlcm5hbWU6")) == .send(.authResponse("dXNlcg==")))
        #expect(conversation.receive(Self.reply(334, "UGFzc3dvcmQ6")) == .send(.authResponse("c2VjcmV0")))
        guard case .fail(let error) = conversation.receive(Self.reply(535, "5.7.8 bad credentials")) else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .authenticationFailed && error.isPermanent)
        #expect(!error.message.contains("secret"))
    }

    @Test("credentials are not used when the server offers no AUTH; unknown mechanisms fail permanently")
    func authAbsentOrUnsupported() {
        var absent = Self.conversation(credentials: .init(username: "u", password: "p"))
        _ = absent.receive(Self.reply(220))
        #expect(absent.receive(SMTPReply(code: 250, lines: ["relay"])) == .send(.mailFrom("from@example.org")))
        #expect(absent.skippedAuthentication)

        var unsupported = Self.conversation(credentials: .init(username: "u", password: "p"))
        _ = unsupported.receive(Self.reply(220))
        guard case .fail(let error) = unsupported.receive(SMTPReply(code: 250, lines: ["relay", "AUTH CRAM-MD5"]))
        else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .authenticationFailed && error.isPermanent)
    }

    /// Runs a conversation to its RCPT replies and returns what follows the last one.
    static func afterRecipients(_ replies: [SMTPReply], recipients: [String]) -> (
        SMTPConversation, SMTPConversation.Action
    ) {
        var conversation = conversation(recipients: recipients)
        _ = conversation.receive(reply(220))
        _ = conversation.receive(reply(250))
        _ = conversation.receive(reply(250))
        var action = SMTPConversation.Action.delivered
        for reply in replies { action = conversation.receive(reply) }
        return (conversation, action)
    }

    @Test("a recipient refused with 5xx among accepted ones: sent to the others, then a permanent error naming it")
    func partialPermanent() {
        var (conversation, action) = Self.afterRecipients(
            [Self.reply(250), Self.reply(550, "5.1.1 no such user")], recipients: ["a@example.org", "b@example.org"])
        #expect(action == .send(.data))
        _ = conversation.receive(Self.reply(354))
        guard case .fail(let error) = conversation.receive(Self.reply(250, "queued")) else {
            Issue.record("expected the refused recipient to be reported")
            return
        }
        #expect(error.code == .recipientsRefused && error.isPermanent)
        #expect(error.refusedRecipients == ["b@example.org"])
        #expect(error.message.contains("accepted the message for a@example.org"))
        #expect(error.message.contains("b@example.org (550 5.1.1 no such user)"))
    }

    @Test("a recipient refused with 4xx: nothing is sent, the error is transient")
    func partialTransient() {
        let (_, action) = Self.afterRecipients(
            [Self.reply(450, "4.2.1 busy"), Self.reply(550, "no"), Self.reply(250)],
            recipients: ["a@example.org", "b@example.org", "c@example.org"])
        guard case .fail(let error) = action else {
            Issue.record("expected a failure, got \(action)")
            return
        }
        #expect(error.code == .recipientsRefused && error.isTransient)
        #expect(error.refusedRecipients == ["a@example.org", "b@example.org"])
    }

    @Test("every recipient refused with 5xx: permanent, nothing sent")
    func allRefused() {
        let (_, action) = Self.afterRecipients([Self.reply(550, "no")], recipients: ["a@example.org"])
        guard case .fail(let error) = action else {
            Issue.record("expected a failure")
            return
        }
        #expect(error.code == .recipientsRefused && error.isPermanent && error.replyCode == 550)
    }

    @Test("replies map to dispositions: 4xx transient, 5xx permanent, unexpected codes a protocol error")
    func replyMapping() {
        func failure(at step: Int, _ reply: SMTPReply) -> DeliveryError? {
            var conversation = Self.conversation()
            let script = [Self.reply(220), Self.reply(250), Self.reply(250), Self.reply(250), Self.reply(354)]
            for index in 0..<step { _ = conversation.receive(script[index]) }
            if case .fail(let error) = conversation.receive(reply) { return error }
            return nil
        }
        #expect(failure(at: 0, Self.reply(554, "no service"))?.isPermanent == true)
        #expect(failure(at: 0, Self.reply(421, "later"))?.isTransient == true)
        #expect(failure(at: 2, Self.reply(451, "greylisted"))?.isTransient == true)
        #expect(failure(at: 2, Self.reply(553, "sender refused"))?.isPermanent == true)
        #expect(failure(at: 4, Self.reply(554, "transaction failed"))?.isPermanent == true)
        #expect(failure(at: 4, Self.reply(452, "no space"))?.isTransient == true)
        #expect(failure(at: 4, Self.reply(250, "ok"))?.code == .protocolError)
        #expect(
            failure(at: 5, Self.reply(552, "too big"))?.message
                == "smtp://relay:25 refused the end of the message data: 552 too big")
    }

    // MARK: Configuration

    @Test("parse(url:) reads user, password, host, port and helo")
    func parseURL() throws {
        let full = try SMTPConfiguration.parse(url: "smtp://us%40er:p%3Ass@mail.example.org:2525?helo=app.example.org")
        #expect(full.host == "mail.example.org" && full.port == 2525)
        #expect(full.username == "us@er" && full.password == "p:ss")
        #expect(full.heloName == "app.example.org")
        #expect(full.description == "smtp://us@er@mail.example.org:2525")
        #expect(!"\(full)".contains("p:ss") && !String(reflecting: full).contains("p:ss"))

        let bare = try SMTPConfiguration.parse(url: "smtp://127.0.0.1")
        #expect(bare.port == 25 && bare.username == nil && bare.password == nil && bare.heloName == "localhost")
        #expect(bare.commandTimeout == .seconds(30))
        let ipv6 = try SMTPConfiguration.parse(url: "smtp://[::1]:1025")
        #expect(ipv6.host == "::1" && ipv6.port == 1025 && ipv6.description == "smtp://[::1]:1025")
    }

    @Test(
        "parse(url:) refuses other schemes, missing hosts, bad ports and unknown parameters, hiding the password",
        arguments: [
            "smtps://u:hunter2@host", "http://host", "smtp://", "smtp://u:hunter2@host:0", "smtp://host:99999",
            "smtp://host/path", "smtp://host?tls=1", "not a url at all", "smtp://host?helo=",
        ])
    func parseRefusals(url: String) throws {
        let error = try #require(throws: SMTPConfiguration.ParseError.self) { try SMTPConfiguration.parse(url: url) }
        #expect(!error.message.contains("hunter2"))
        if url.hasPrefix("smtps") { #expect(error.message.contains("TLS is not supported")) }
    }
}
