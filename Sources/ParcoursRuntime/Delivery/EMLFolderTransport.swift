import Foundation
import NIOPosix

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A transport that writes each message as `<id>.eml` in a folder, for development and tests: open the files
/// with a mail client or read them in a test.
///
/// The folder is created when missing. A file is written atomically — to a temporary file in the same folder,
/// flushed to disk, then renamed over `<id>.eml` — so a reader never sees half a message, and sending the same
/// message again (at-least-once delivery with a stable id) replaces the file: one message, one file.
public struct EMLFolderTransport: MailTransport {
    /// The folder the files are written in.
    public let folder: URL

    /// Creates a transport writing in `folder`.
    public init(folder: URL) {
        self.folder = folder
    }

    /// The file `message` is (or would be) written to.
    public func fileURL(for message: MailMessage) -> URL {
        folder.appendingPathComponent("\(message.id).eml", isDirectory: false)
    }

    /// Writes `message` to `<id>.eml`, replacing an earlier copy.
    /// - Throws: `DeliveryError`: `invalidMessage` or `invalidAddress` (permanent) when it cannot be rendered,
    ///   `storageFailed` (transient) when the file cannot be written.
    public func send(_ message: MailMessage) async throws {
        let content = try MailRenderer().render(message)
        let folderPath = folder.path
        let target = fileURL(for: message).path
        let temporary = folder.appendingPathComponent(".\(message.id).eml.\(UInt64.random(in: 0...UInt64.max)).tmp")
            .path
        try await NIOThreadPool.singleton.runIfActive {
            try Self.store(content, folder: folderPath, temporary: temporary, target: target)
        }
    }

    private static func store(_ content: [UInt8], folder: String, temporary: String, target: String) throws {
        func failure(_ action: String, _ path: String, errno code: Int32) -> DeliveryError {
            DeliveryError(
                .storageFailed, .transient, "could not \(action) \(path): \(String(cString: strerror(code)))")
        }
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw DeliveryError(.storageFailed, .transient, "could not create the folder \(folder): \(error)")
        }
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else { throw failure("create", temporary, errno: errno) }
        var written = 0
        while written < content.count {
            let result = content.withUnsafeBytes { bytes in
                write(descriptor, bytes.baseAddress.map { $0 + written }, content.count - written)
            }
            if result < 0 {
                let code = errno
                if code == EINTR { continue }
                close(descriptor)
                unlink(temporary)
                throw failure("write", temporary, errno: code)
            }
            written += result
        }
        if fsync(descriptor) != 0 {
            let code = errno
            close(descriptor)
            unlink(temporary)
            throw failure("flush", temporary, errno: code)
        }
        close(descriptor)
        guard rename(temporary, target) == 0 else {
            let code = errno
            unlink(temporary)
            throw failure("rename a temporary file to", target, errno: code)
        }
        // Make the rename itself durable.
        let directory = open(folder, O_RDONLY | O_CLOEXEC)
        if directory >= 0 {
            _ = fsync(directory)
            close(directory)
        }
    }
}
