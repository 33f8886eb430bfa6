import Logging
import NIOCore
import NIOPosix

/// Delivers messages to an SMTP relay, one connection per message.
///
/// The client is written on SwiftNIO: it connects, reads the greeting, says EHLO (HELO when EHLO is refused),
/// authenticates with AUTH PLAIN or LOGIN when credentials are configured and the server offers AUTH, sends
/// MAIL FROM, one RCPT TO per recipient, DATA with the dot-stuffed message and its `CRLF . CRLF` terminator,
/// then QUIT. Each step has a timeout (`SMTPConfiguration`). Replies map to `DeliveryError`: 4xx transient, 5xx
/// permanent; connection failures, timeouts and dropped connections are transient. See `SMTPConversation` for
/// how refused recipients are handled.
///
/// There is no TLS: use a relay on the loopback interface or a trusted network (see `SMTPConfiguration`).
///
/// Once the server has accepted the message data, `send` returns (or reports refused recipients) even if QUIT
/// then fails, so an accepted message is not sent again because of a late hiccup.
public struct SMTPTransport: MailTransport {
    /// Where and how to connect.
    public let configuration: SMTPConfiguration
    private let eventLoopGroup: any EventLoopGroup
    private let logger: Logger

    /// Creates a transport.
    /// - Parameters:
    ///   - eventLoopGroup: the NIO event loops to connect on; the shared singleton by default.
    ///   - logger: receives the dialogue at `trace` level (credentials and message content left out) and one
    ///     `debug` line per message.
    public init(
        configuration: SMTPConfiguration,
        eventLoopGroup: any EventLoopGroup = MultiThreadedEventLoopGroup.singleton,
        logger: Logger = Logger(label: "parcours.delivery.smtp")
    ) {
        self.configuration = configuration
        self.eventLoopGroup = eventLoopGroup
        self.logger = logger
    }

    /// Sends `message` over a new connection.
    /// - Throws: `DeliveryError`, or `CancellationError` when the task is cancelled.
    public func send(_ message: MailMessage) async throws {
        let content = try MailRenderer().render(message)
        let sender = try MailAddress(parsing: message.from).address
        let recipients = try message.to.map { try MailAddress(parsing: $0).address }
        let server = configuration.description
        guard
            !configuration.heloName.isEmpty,
            configuration.heloName.unicodeScalars.allSatisfy({ (0x21...0x7E).contains($0.value) })
        else {
            throw DeliveryError(
                .invalidConfiguration, .permanent,
                "HELO name \(String(reflecting: configuration.heloName)) must be printable ASCII without spaces")
        }
        var credentials: SMTPConversation.Credentials?
        if let username = configuration.username {
            credentials = .init(username: username, password: configuration.password ?? "")
        }
        var conversation = SMTPConversation(
            server: server, heloName: configuration.heloName, credentials: credentials, sender: sender,
            recipients: recipients, content: content)
        var logger = self.logger
        logger[metadataKey: "message_id"] = "\(message.id)"
        logger[metadataKey: "smtp_server"] = "\(server)"

        let channel = try await connect(server: server)
        try await channel.executeThenClose { inbound, outbound in
            var replies = inbound.makeAsyncIterator()
            while true {
                let timeout =
                    conversation.isAwaitingDataAcknowledgement
                    ? configuration.dataTimeout : configuration.commandTimeout
                let awaited = conversation.pendingCommand.map { "the reply to \($0.step)" } ?? "the greeting"
                let reply = try await Self.withTimeout(timeout, channel: channel.channel, server: server, awaited) {
                    guard let reply = try await replies.next() else {
                        try Task.checkCancellation()
                        throw DeliveryError(
                            .connectionClosed, .transient,
                            "\(server) closed the connection while waiting for \(awaited)")
                    }
                    return reply
                }
                logger.trace("S: \(reply.summary)")
                switch conversation.receive(reply) {
                case .send(let command):
                    logger.trace("C: \(command.logDescription)")
                    var sendTimeout = configuration.commandTimeout
                    if case .message = command { sendTimeout = configuration.dataTimeout }
                    try await Self.withTimeout(
                        sendTimeout, channel: channel.channel, server: server, "sending \(command.step)"
                    ) {
                        try await outbound.write(ByteBuffer(bytes: command.bytes))
                    }
                case .delivered:
                    if conversation.skippedAuthentication {
                        logger.debug("credentials configured but the server does not offer AUTH; sent without it")
                    }
                    logger.debug("message accepted", metadata: ["recipients": "\(recipients.count)"])
                    await Self.quit(outbound: outbound, replies: &replies, channel: channel.channel)
                    return
                case .fail(let error):
                    logger.debug("delivery failed", metadata: ["error": "\(error)"])
                    await Self.quit(outbound: outbound, replies: &replies, channel: channel.channel)
                    throw error
                }
            }
        }
    }

    private func connect(server: String) async throws -> NIOAsyncChannel<SMTPReply, ByteBuffer> {
        do {
            return try await ClientBootstrap(group: eventLoopGroup)
                .connectTimeout(TimeAmount(configuration.connectTimeout))
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .connect(host: configuration.host, port: configuration.port) { channel in
                    channel.eventLoop.makeCompletedFuture {
                        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(SMTPReplyDecoder()))
                        return try NIOAsyncChannel<SMTPReply, ByteBuffer>(wrappingChannelSynchronously: channel)
                    }
                }
        } catch let error as CancellationError {
            throw error
        } catch {
            try Task.checkCancellation()
            throw DeliveryError(.connectionFailed, .transient, "could not connect to \(server): \(error)")
        }
    }

    /// Says QUIT and waits briefly for the answer; the outcome no longer matters.
    private static func quit(
        outbound: NIOAsyncChannelOutboundWriter<ByteBuffer>,
        replies: inout NIOAsyncChannelInboundStream<SMTPReply>.AsyncIterator,
        channel: any Channel
    ) async {
        _ = try? await withTimeout(.seconds(2), channel: channel, server: "", "QUIT") {
            try await outbound.write(ByteBuffer(bytes: SMTPCommand.quit.bytes))
            return try await replies.next()
        }
    }

    /// Runs `body`, closing the channel when it takes longer than `timeout`; a failure after the deadline is
    /// reported as a `timeout` error.
    private static func withTimeout<T>(
        _ timeout: Duration,
        channel: any Channel,
        server: String,
        _ awaited: String,
        _ body: () async throws -> T
    ) async throws -> T {
        let deadline = ContinuousClock.now.advanced(by: timeout)
        let watchdog = Task {
            do { try await Task.sleep(until: deadline, clock: .continuous) } catch { return }
            channel.close(promise: nil)
        }
        defer { watchdog.cancel() }
        do {
            return try await body()
        } catch let error as DeliveryError where error.code == .protocolError || error.code == .connectionClosed {
            throw ContinuousClock.now >= deadline ? timeoutError(timeout, server: server, awaited) : error
        } catch let error as DeliveryError {
            throw error
        } catch let error as CancellationError {
            throw error
        } catch {
            try Task.checkCancellation()
            if ContinuousClock.now >= deadline { throw timeoutError(timeout, server: server, awaited) }
            throw DeliveryError(
                .connectionClosed, .transient, "the connection to \(server) failed while \(awaited): \(error)")
        }
    }

    private static func timeoutError(_ timeout: Duration, server: String, _ awaited: String) -> DeliveryError {
        DeliveryError(.timeout, .transient, "\(server) did not answer within \(timeout) (waiting for \(awaited))")
    }
}
