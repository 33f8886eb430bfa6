import Foundation
import Logging
import PostgresNIO
import ServiceLifecycle

/// The background work of a `serve` process: it fires due timers and delivers pending mail. Several processes over
/// one database share the work through `FOR UPDATE SKIP LOCKED`; `LISTEN parcours_work` wakes them as soon as
/// another process writes a timer or a message, and otherwise they sleep until the next due time (at most
/// `pollInterval`). On graceful shutdown the round in progress finishes, then the loop stops.
public struct RuntimeWorkers: Service {
    public let runtime: Runtime
    public let transport: any MailTransport
    public let mail: MailSettings
    public let listenConfiguration: PostgresConnection.Configuration?
    public let pollInterval: Duration

    public init(
        runtime: Runtime, transport: any MailTransport, mail: MailSettings,
        listenConfiguration: PostgresConnection.Configuration?, pollInterval: Duration = .seconds(5)
    ) {
        self.runtime = runtime
        self.transport = transport
        self.mail = mail
        self.listenConfiguration = listenConfiguration
        self.pollInterval = pollInterval
    }

    public func run() async throws {
        let wakeup = Wakeup()
        let logger = runtime.logger
        let listenConfiguration = self.listenConfiguration
        let pollInterval = self.pollInterval
        await withGracefulShutdownHandler {
            await withTaskGroup(of: Void.self) { group in
                if let listenConfiguration {
                    group.addTask {
                        await Self.listen(configuration: listenConfiguration, wakeup: wakeup, logger: logger)
                    }
                }
                group.addTask {
                    while !Task.isCancelled && !Task.isShuttingDownGracefully {
                        await self.round()
                        // Wake on a notification or when the next timer or message is due.
                        await wakeup.wait(upTo: await self.sleepDuration(max: pollInterval))
                    }
                }
                await group.next()
                group.cancelAll()
            }
        } onGracefulShutdown: {
            Task { await wakeup.signal() }
        }
    }

    /// One round of work: due timers, then pending mail. Errors are logged, never fatal.
    public func round() async {
        do {
            let fired = try await runtime.fireDueTimers()
            if fired > 0 { runtime.logger.info("fired \(fired) timer(s)") }
        } catch {
            runtime.logger.error("timer round failed: \(error)")
        }
        do {
            let report = try await runtime.deliverPendingMail(transport: transport, settings: mail)
            if report.sent + report.retried + report.failed > 0 {
                runtime.logger.info(
                    "mail: \(report.sent) sent, \(report.retried) to retry, \(report.failed) failed")
            }
        } catch {
            runtime.logger.error("mail round failed: \(error)")
        }
    }

    func sleepDuration(max: Duration) async -> Duration {
        guard let next = try? await runtime.nextDueDate() else { return max }
        let seconds = next.timeIntervalSince(runtime.clock.now())
        if seconds <= 0 { return .milliseconds(50) }
        return min(max, .milliseconds(Int64(seconds * 1000) + 10))
    }

    static func listen(configuration: PostgresConnection.Configuration, wakeup: Wakeup, logger: Logger) async {
        while !Task.isCancelled {
            do {
                let connection = try await PostgresConnection.connect(
                    configuration: configuration, id: 0, logger: logger)
                defer { Task { try? await connection.close() } }
                try await connection.listen(on: Runtime.workChannel) { notifications in
                    for try await _ in notifications { await wakeup.signal() }
                }
            } catch {
                if Task.isCancelled { return }
                logger.warning("LISTEN \(Runtime.workChannel) lost (\(error)); reconnecting")
                try? await Task.sleep(for: .seconds(1))
            }
        }
    }
}

/// A signal a worker sleeps on: `signal()` wakes the sleeper, or the next one if nobody sleeps yet.
actor Wakeup {
    private var pending = false
    private var waiter: CheckedContinuation<Void, Never>?

    func signal() {
        if let waiter {
            self.waiter = nil
            waiter.resume()
        } else {
            pending = true
        }
    }

    /// Returns after a signal or after `duration`, whichever comes first.
    func wait(upTo duration: Duration) async {
        if pending {
            pending = false
            return
        }
        await withTaskGroup(of: Void.self) { group in
            group.addTask {
                try? await Task.sleep(for: duration)
                if !Task.isCancelled { await self.signal() }
            }
            group.addTask { await self.suspend() }
            await group.next()
            group.cancelAll()
        }
    }

    private func suspend() async {
        await withCheckedContinuation { continuation in
            if pending {
                pending = false
                continuation.resume()
            } else {
                waiter = continuation
            }
        }
    }
}
