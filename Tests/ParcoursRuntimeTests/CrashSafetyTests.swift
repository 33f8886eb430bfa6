import Foundation
import Logging
import ParcoursDSL
import ParcoursTestSupport
import PostgresNIO
import Synchronization
import Testing

@testable import ParcoursRuntime

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Issue 3, item 12: a stream of events is sent over HTTP to a `parcours serve` process that is killed with SIGKILL
/// several times mid-stream and restarted. Every acknowledged event is applied exactly once (clients retry what
/// was not acknowledged with the same idempotency key), and no timer or notification is lost.
@Suite("serve: crash safety under SIGKILL", .serialized)
struct CrashSafetyTests {
    static let clients = 6
    static let kills = 3

    /// Every `bump` is counted and acknowledged by a notification; `finish` arms a timer that, a second later,
    /// closes the instance with a last notification.
    static let bumper = (
        file: "bumper.yaml",
        text: """
        process: bumper
        start: open
        params:
          email: { type: email, required: true }
        context:
          count: number
        notifications:
          receipt:
            params: { n: number }
            subject:
              fr: Reçu
            body:
              fr: "Événement {{ n }} reçu."
          closed:
            params: { count: number }
            subject:
              fr: Clos
            body:
              fr: "{{ count }} événements."
        states:
          open:
            on:
              bump:
                fields:
                  n: { type: number, required: true }
                set: { count: "(context.count ?? 0) + 1" }
                notify:
                  - template: receipt
                    to: context.email
                    with: { n: input.n }
                goto: open
              finish:
                goto: closing
          closing:
            on:
              reopen:
                goto: open
            timers:
              - after: PT1S
                goto: closed
          closed:
            final: success
            notify:
              - template: closed
                to: context.email
                with: { count: "context.count ?? 0" }
        """
    )

    /// Events per client: unequal, so that some instances finish (and their timers fall due) while the others are
    /// still being sent events and the server is still being killed.
    static func events(forClient index: Int) -> Int { 20 + 12 * index }

    @Test func acknowledgedEventsSurviveSIGKILLExactlyOnceAndNothingIsLost() async throws {
        try await ServeHarness.with(deploying: [Self.bumper]) { harness in
            let (runtime, superuser, mailFolder) = (harness.runtime, harness.superuser, harness.mailFolder)
            var ids: [String] = []
            for index in 0..<Self.clients {
                let started = try await runtime.start(
                    tenant: "acme", process: "bumper", params: ["email": .string("client\(index)@example.org")])
                ids.append(started.id)
            }

            let port = try ServeCoordinationTests.freePort()
            let server = Mutex<ServeProcess?>(nil)
            var generation = 0
            func launch() async throws {
                let process = try harness.launch(index: generation, port: port)
                generation += 1
                server.withLock { $0 = process }
                let ready = await process.waitForLog("parcours serving on", timeout: .seconds(30))
                try #require(ready, "serve did not start:\n\(process.output)")
            }
            defer { server.withLock { $0?.forceKill() } }
            try await launch()

            // The clients: each sends its events in order, retrying each (same idempotency key) until acknowledged.
            let acknowledged = Tally()
            let clientsDone = Tally()  // finished or failed: the killer stops waiting for acknowledgements then
            let total = (0..<Self.clients).map(Self.events(forClient:)).reduce(0, +)
            let endpoint = "http://127.0.0.1:\(port)/v1/tenants/acme/instances"
            try await withThrowingTaskGroup(of: Void.self) { clients in
                for (index, id) in ids.enumerated() {
                    clients.addTask {
                        defer { clientsDone.add() }
                        for n in 1...Self.events(forClient: index) {
                            try await Self.sendUntilAcknowledged(
                                url: "\(endpoint)/\(id)/events/bump", body: "{\"n\": \(n)}",
                                idempotencyKey: "\(id)-\(n)")
                            acknowledged.add()
                        }
                        try await Self.sendUntilAcknowledged(
                            url: "\(endpoint)/\(id)/events/finish", body: "{}", idempotencyKey: "\(id)-finish")
                    }
                }
                // The killer: SIGKILL at a quarter, half and three quarters of the stream, then a restart.
                killing: for kill in 1...Self.kills {
                    while acknowledged.value < total * kill / (Self.kills + 1) {
                        if clientsDone.value == Self.clients { break killing }
                        try await Task.sleep(for: .milliseconds(5))
                    }
                    let victim = server.withLock { $0 }
                    victim?.forceKill()
                    _ = await victim?.waitForExit(timeout: .seconds(10))
                    try await launch()
                }
                try await clients.waitForAll()
            }
            #expect(generation == Self.kills + 1)

            // After the stream: every instance closes by its timer, and every message is sent.
            let messages = total + Self.clients
            let deadline = ContinuousClock.now + .seconds(60)
            var finished = 0
            var sent = 0
            while ContinuousClock.now < deadline {
                finished = try await ServeCoordinationTests.count(
                    "SELECT count(*)::text FROM instances WHERE status = 'finished'", on: superuser)
                sent = try await ServeCoordinationTests.count(
                    "SELECT count(*)::text FROM outbox WHERE status = 'sent'", on: superuser)
                if finished == Self.clients && sent == messages { break }
                try await Task.sleep(for: .milliseconds(200))
            }
            let output = server.withLock { $0?.output ?? "" }
            #expect(finished == Self.clients, "\(output)")
            #expect(sent == messages)
            #expect(
                try await ServeCoordinationTests.count("SELECT count(*)::text FROM outbox", on: superuser) == messages)

            for (index, id) in ids.enumerated() {
                let expected = Self.events(forClient: index)
                let view = try await runtime.instance(tenant: "acme", id: id)
                #expect(view.context["count"] == .number(Double(expected)), "instance \(index)")
                let history = try await runtime.history(tenant: "acme", instance: id)
                let bumps = history.filter { $0.kind == "event" && $0.event == "bump" }
                let numbers = bumps.compactMap { $0.details[member: "n"].numberValue }.map { Int($0) }
                // Each acknowledged event exactly once, in the order sent.
                #expect(numbers == Array(1...expected), "instance \(index): \(numbers.count) events applied")
                let fired = history.filter { $0.kind == "transition" && $0.actor == "timer" }
                #expect(fired.count == 1, "instance \(index): \(fired.count) timer transitions")
            }
            #expect(try await ServeCoordinationTests.count("SELECT count(*)::text FROM timers", on: superuser) == 0)

            // At least once, with a stable message id: a message handed over twice (a kill between the hand-over and
            // the commit that marks it sent) has the same id both times.
            let files = try FileManager.default.contentsOfDirectory(atPath: mailFolder.path).filter {
                $0.hasSuffix(".eml")
            }
            var messageIds = Set<String>()
            for file in files {
                let text = try String(contentsOf: mailFolder.appendingPathComponent(file), encoding: .utf8)
                let line = text.split(separator: "\r\n").first { $0.lowercased().hasPrefix("message-id:") }
                messageIds.insert(String(line ?? ""))
            }
            #expect(messageIds.count == messages)
            #expect(!messageIds.contains(""))
        }
    }

    /// A count shared by the client tasks.
    final class Tally: Sendable {
        private let count = Mutex(0)
        func add() { count.withLock { $0 += 1 } }
        var value: Int { count.withLock { $0 } }
    }

    /// POSTs until the server answers 2xx; connection errors (the server was killed) and 5xx are retried.
    static func sendUntilAcknowledged(url: String, body: String, idempotencyKey: String) async throws {
        var request = URLRequest(url: URL(string: url)!)
        request.httpMethod = "POST"
        request.httpBody = Data(body.utf8)
        request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        request.setValue(idempotencyKey, forHTTPHeaderField: "Idempotency-Key")
        request.timeoutInterval = 10
        let deadline = ContinuousClock.now + .seconds(60)
        var lastProblem = ""
        while ContinuousClock.now < deadline {
            do {
                let (data, response) = try await URLSession.shared.data(for: request)
                let status = (response as? HTTPURLResponse)?.statusCode ?? 0
                if (200..<300).contains(status) { return }
                lastProblem = "HTTP \(status): \(String(decoding: data, as: UTF8.self))"
                // A refusal (4xx) will not change by retrying: it is a failure of the test.
                if (400..<500).contains(status) { break }
            } catch {
                lastProblem = "\(error)"
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestPostgresError("\(url) was never acknowledged: \(lastProblem)")
    }
}
