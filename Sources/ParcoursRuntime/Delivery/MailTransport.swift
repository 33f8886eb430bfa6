/// Something that delivers a `MailMessage`: an SMTP relay, a folder of `.eml` files, a log.
///
/// A transport throws `DeliveryError` when the message was not delivered (or only to some recipients), and
/// `CancellationError` when its task is cancelled. Returning means the message was handed over.
///
/// Delivery is at-least-once: the outbox may hand the same message (same `id`) to `send` again after a crash
/// or a timeout, so a transport must not rely on being called once per message.
public protocol MailTransport: Sendable {
    /// Delivers `message`, or throws a `DeliveryError` saying why not and whether to try again.
    func send(_ message: MailMessage) async throws
}
