/// The client side of one SMTP mail transaction as a pure state machine: it takes the server's replies and
/// says what to send next, so the dialogue is tested without a socket and `SMTPTransport` only moves bytes.
///
/// greeting → EHLO (HELO when EHLO is refused with 5xx) → AUTH PLAIN or LOGIN (when credentials are set and the
/// server offers AUTH) → MAIL FROM → RCPT TO for each recipient → DATA → the message → delivered. The caller
/// sends QUIT itself once the conversation is over, whatever its outcome.
///
/// Recipients: when the server refuses some of them temporarily (4xx), the transaction is abandoned before DATA
/// so that a later attempt reaches everybody once; when it refuses some permanently (5xx) and accepts others,
/// the message goes to the accepted ones and the conversation ends with a permanent `recipientsRefused` error
/// naming the refused ones.
struct SMTPConversation {
    enum Action: Hashable {
        case send(SMTPCommand)
        case delivered
        case fail(DeliveryError)
    }

    enum State: Hashable {
        case greeting
        case ehlo
        case helo
        case authPlain
        case authLoginUsername
        case authLoginPassword
        case authResult
        case mailFrom
        case rcptTo(Int)
        case data
        case message
        case finished
    }

    struct Credentials: Hashable {
        var username: String
        var password: String
    }

    let server: String
    let heloName: String
    let credentials: Credentials?
    let sender: String
    let recipients: [String]
    let content: [UInt8]

    private(set) var state = State.greeting
    /// The command whose reply is awaited (nil while waiting for the greeting).
    private(set) var pendingCommand: SMTPCommand?
    private(set) var accepted: [String] = []
    private(set) var refused: [(address: String, reply: SMTPReply)] = []
    /// True when credentials are configured but the server did not offer AUTH, so none was attempted.
    private(set) var skippedAuthentication = false

    /// - Parameters:
    ///   - server: how messages name the server, e.g. `smtp://127.0.0.1:25`.
    ///   - sender, recipients: envelope addresses (addr-spec, without angle brackets).
    ///   - content: the rendered message, not yet dot-stuffed.
    init(
        server: String, heloName: String, credentials: Credentials?, sender: String, recipients: [String],
        content: [UInt8]
    ) {
        self.server = server
        self.heloName = heloName
        self.credentials = credentials
        self.sender = sender
        self.recipients = recipients
        self.content = content
    }

    /// True while waiting for the reply to the end of the message data (which may take longer).
    var isAwaitingDataAcknowledgement: Bool { state == .message }

    /// Takes the next reply and returns what to do.
    mutating func receive(_ reply: SMTPReply) -> Action {
        switch state {
        case .greeting:
            guard reply.code == 220 else { return fail(reply, during: "the greeting") }
            return send(.ehlo(heloName), then: .ehlo)

        case .ehlo:
            if reply.isSuccess { return afterHello(extensions: reply.extensions) }
            if (500..<600).contains(reply.code) { return send(.helo(heloName), then: .helo) }
            return fail(reply, during: "EHLO")

        case .helo:
            guard reply.isSuccess else { return fail(reply, during: "HELO") }
            return afterHello(extensions: [:])

        case .authPlain:
            if reply.code == 235 { return startTransaction() }
            if reply.code == 334 { return send(.authResponse(plainResponse), then: .authResult) }
            return failAuthentication(reply)

        case .authLoginUsername:
            guard reply.code == 334 else { return failAuthentication(reply) }
            return send(
                .authResponse(SMTPCommand.base64(Array((credentials?.username ?? "").utf8))), then: .authLoginPassword)

        case .authLoginPassword:
            guard reply.code == 334 else { return failAuthentication(reply) }
            return send(.authResponse(SMTPCommand.base64(Array((credentials?.password ?? "").utf8))), then: .authResult)

        case .authResult:
            guard reply.code == 235 else { return failAuthentication(reply) }
            return startTransaction()

        case .mailFrom:
            guard reply.isSuccess else { return fail(reply, during: "MAIL FROM:<\(sender)>") }
            return nextRecipient(0)

        case .rcptTo(let index):
            if reply.isSuccess {
                accepted.append(recipients[index])
            } else if reply.isFailure {
                refused.append((recipients[index], reply))
            } else {
                return fail(reply, during: "RCPT TO:<\(recipients[index])>")
            }
            return nextRecipient(index + 1)

        case .data:
            guard reply.code == 354 else { return fail(reply, during: "DATA") }
            return send(.message(content), then: .message)

        case .message:
            guard reply.isSuccess else { return fail(reply, during: "the end of the message data") }
            state = .finished
            pendingCommand = nil
            if refused.isEmpty { return .delivered }
            return .fail(
                DeliveryError(
                    .recipientsRefused, .permanent,
                    "\(server) accepted the message for \(accepted.joined(separator: ", ")) but refused "
                        + refusedList,
                    replyCode: refused.first?.reply.code, refusedRecipients: refused.map(\.address)))

        case .finished:
            return .fail(
                DeliveryError(
                    .protocolError, .transient, "\(server) sent an unexpected reply: \(reply.summary)",
                    replyCode: reply.code))
        }
    }

    private var plainResponse: String {
        SMTPCommand.base64(
            [0] + Array((credentials?.username ?? "").utf8) + [0] + Array((credentials?.password ?? "").utf8))
    }

    private var refusedList: String {
        refused.map { "\($0.address) (\($0.reply.summary))" }.joined(separator: ", ")
    }

    private mutating func afterHello(extensions: [String: [String]]) -> Action {
        guard credentials != nil else { return startTransaction() }
        guard let mechanisms = extensions["AUTH"] else {
            skippedAuthentication = true
            return startTransaction()
        }
        if mechanisms.contains("PLAIN") { return send(.authPlain(initialResponse: plainResponse), then: .authPlain) }
        if mechanisms.contains("LOGIN") { return send(.authLogin, then: .authLoginUsername) }
        state = .finished
        return .fail(
            DeliveryError(
                .authenticationFailed, .permanent,
                "\(server) offers AUTH \(mechanisms.joined(separator: " ")) but not PLAIN or LOGIN"))
    }

    private mutating func startTransaction() -> Action {
        send(.mailFrom(sender), then: .mailFrom)
    }

    private mutating func nextRecipient(_ index: Int) -> Action {
        if index < recipients.count { return send(.rcptTo(recipients[index]), then: .rcptTo(index)) }
        state = .finished
        pendingCommand = nil
        if refused.contains(where: { DeliveryError.disposition(ofReply: $0.reply.code) == .transient }) {
            return .fail(
                DeliveryError(
                    .recipientsRefused, .transient,
                    "\(server) refused " + refusedList + "; nothing was sent, to try again for every recipient",
                    replyCode: refused.first?.reply.code, refusedRecipients: refused.map(\.address)))
        }
        if accepted.isEmpty {
            return .fail(
                DeliveryError(
                    .recipientsRefused, .permanent, "\(server) refused every recipient: " + refusedList,
                    replyCode: refused.first?.reply.code, refusedRecipients: refused.map(\.address)))
        }
        return send(.data, then: .data)
    }

    private mutating func send(_ command: SMTPCommand, then next: State) -> Action {
        state = next
        pendingCommand = command
        return .send(command)
    }

    private mutating func fail(_ reply: SMTPReply, during step: String) -> Action {
        state = .finished
        pendingCommand = nil
        guard reply.isFailure else {
            return .fail(
                DeliveryError(
                    .protocolError, .transient, "\(server) sent an unexpected reply to \(step): \(reply.summary)",
                    replyCode: reply.code))
        }
        return .fail(
            DeliveryError(
                .rejected, DeliveryError.disposition(ofReply: reply.code),
                "\(server) refused \(step): \(reply.summary)", replyCode: reply.code))
    }

    private mutating func failAuthentication(_ reply: SMTPReply) -> Action {
        state = .finished
        pendingCommand = nil
        return .fail(
            DeliveryError(
                .authenticationFailed, reply.isFailure ? DeliveryError.disposition(ofReply: reply.code) : .transient,
                "\(server) refused authentication as \(credentials?.username ?? ""): \(reply.summary)",
                replyCode: reply.code))
    }
}
