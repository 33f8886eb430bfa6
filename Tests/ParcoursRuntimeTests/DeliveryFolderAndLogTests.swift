import Foundation
import Logging
import Testing

@testable import ParcoursRuntime

@Suite("Delivery: EML folder and log transports")
struct DeliveryFolderAndLogTests {
    typealias Support = DeliveryTestSupport

    @Test("EMLFolderTransport writes <id>.eml with the rendered message, creating the folder")
    func writesFile() async throws {
        let temporary = try DeliveryTemporaryFolder()
        let folder = temporary.url.appendingPathComponent("nested/mail")
        let transport = EMLFolderTransport(folder: folder)
        let message = Support.message(subject: "Activez votre compte", body: "Lien : https://example.org/t/SECRET\n")
        try await transport.send(message)

        let file = folder.appendingPathComponent("msg-0001.eml")
        #expect(transport.fileURL(for: message) == file)
        let content = try Data(contentsOf: file)
        #expect(Array(content) == (try MailRenderer().render(message)))
        let text = String(decoding: content, as: UTF8.self)
        #expect(text.hasPrefix("Date: Tue, 01 Jul 2025 09:05:00 +0000\r\nFrom: Parcours <no-reply@parcours.test>\r\n"))
        #expect(text.contains("\r\nSubject: Activez votre compte\r\n"))
        #expect(text.contains("\r\nMessage-ID: <msg-0001@parcours.test>\r\n"))
        #expect(text.hasSuffix("\r\n\r\nLien : https://example.org/t/SECRET\r\n"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: folder.path) == ["msg-0001.eml"])
    }

    @Test("sending the same id again replaces the file atomically: one message, one file")
    func overwrite() async throws {
        let temporary = try DeliveryTemporaryFolder()
        let transport = EMLFolderTransport(folder: temporary.url)
        let first = Support.message(body: "first version, a bit longer than the second\n")
        try await transport.send(first)
        let file = transport.fileURL(for: first)
        let before = try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int

        let second = Support.message(body: "second\n")
        try await transport.send(second)
        #expect(Array(try Data(contentsOf: file)) == (try MailRenderer().render(second)))
        // A rename puts a new file in place (a new inode); an in-place rewrite would keep the old one.
        let after = try FileManager.default.attributesOfItem(atPath: file.path)[.systemFileNumber] as? Int
        #expect(before != nil && before != after)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.url.path) == ["msg-0001.eml"])

        // Concurrent deliveries of the same id leave one complete copy and no temporary file.
        try await withThrowingTaskGroup(of: Void.self) { group in
            for index in 0..<8 {
                group.addTask { try await transport.send(Support.message(body: "copy \(index)\n")) }
            }
            try await group.waitForAll()
        }
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.url.path) == ["msg-0001.eml"])
        let final = String(decoding: try Data(contentsOf: file), as: UTF8.self)
        #expect(final.contains("\r\n\r\ncopy "))
    }

    @Test("EMLFolderTransport reports an unwritable folder as a transient storage failure")
    func storageFailure() async throws {
        let temporary = try DeliveryTemporaryFolder()
        let blocker = temporary.url.appendingPathComponent("file")
        try Data("x".utf8).write(to: blocker)
        let transport = EMLFolderTransport(folder: blocker.appendingPathComponent("mail"))
        let error = try await #require(throws: DeliveryError.self) { try await transport.send(Support.message()) }
        #expect(error.code == .storageFailed)
        #expect(error.isTransient)
    }

    @Test("EMLFolderTransport refuses an invalid message, permanently, and writes nothing")
    func invalidMessage() async throws {
        let temporary = try DeliveryTemporaryFolder()
        let transport = EMLFolderTransport(folder: temporary.url)
        let error = try await #require(throws: DeliveryError.self) {
            try await transport.send(Support.message(subject: "a\r\nBcc: x@example.org"))
        }
        #expect(error.isPermanent)
        #expect(try FileManager.default.contentsOfDirectory(atPath: temporary.url.path).isEmpty)
    }

    @Test("LogMailTransport logs one line with id, recipients and subject, never the body")
    func logTransport() async throws {
        let recorder = DeliveryLogRecorder()
        let logger = Logger(label: "test") { _ in recorder }
        let transport = LogMailTransport(logger: logger)
        try await transport.send(
            Support.message(
                to: ["alice@example.org", "bob@example.org"], subject: "Réinitialisation",
                body: "https://example.org/reset/TOKEN-123\n"))
        let entries = recorder.entries
        try #require(entries.count == 1)
        let entry = entries[0]
        #expect(entry.level == .info)
        #expect(!entry.message.contains("\n"))
        #expect(entry.message.contains("msg-0001") && entry.message.contains("bob@example.org"))
        #expect(entry.message.contains("Réinitialisation"))
        #expect(entry.metadata["message_id"] == "msg-0001")
        #expect(entry.metadata["subject"] == "Réinitialisation")
        #expect(entry.metadata["to"] == .array(["alice@example.org", "bob@example.org"]))
        let everything = entry.message + entry.metadata.description
        #expect(!everything.contains("TOKEN-123"))

        await #expect(throws: DeliveryError.self) { try await transport.send(Support.message(subject: "a\nb")) }
        #expect(recorder.entries.count == 1)
    }
}

/// A log handler that keeps what it is given.
final class DeliveryLogRecorder: LogHandler, @unchecked Sendable {
    struct Entry {
        var level: Logger.Level
        var message: String
        var metadata: Logger.Metadata
    }

    private let lock = NSLock()
    private var recorded: [Entry] = []
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace
    var metadataProvider: Logger.MetadataProvider?

    var entries: [Entry] { lock.withLock { recorded } }

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let merged = metadata.merging(event.metadata ?? [:]) { $1 }
        lock.withLock {
            recorded.append(Entry(level: event.level, message: event.message.description, metadata: merged))
        }
    }
}
