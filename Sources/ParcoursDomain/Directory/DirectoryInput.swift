import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A SIRENE file opened for streaming: a plain CSV file read directly, or the one CSV of a `.zip` read through
/// `unzip -p` (the archive is never extracted to disk, and only a chunk is in memory at a time).
final class DirectoryInput {
    /// What the reader reads.
    let source: FileDescriptorByteSource
    /// The number of bytes the CSV holds (uncompressed), when known: the progress bar's 100 %.
    let totalBytes: Int?
    private let descriptor: Int32
    private let unzip: Process?
    private let unzipErrors: Pipe?
    private let path: String

    /// The `unzip` program used for `.zip` input.
    static let unzipPath = ["/usr/bin/unzip", "/bin/unzip", "/usr/local/bin/unzip", "/opt/homebrew/bin/unzip"].first {
        FileManager.default.isExecutableFile(atPath: $0)
    }

    /// Opens `url`; a file whose name ends in `.zip` or which starts with a zip signature is read as an archive.
    ///
    /// - Throws: ``DirectoryError`` when the file cannot be opened, or the archive does not hold exactly one
    ///   `.csv` file, or `unzip` is missing.
    init(url: URL) throws {
        path = url.path
        let descriptor = open(path, O_RDONLY)
        guard descriptor >= 0 else {
            throw DirectoryError("cannot open \(path): \(String(cString: strerror(errno)))")
        }
        var status = stat()
        guard fstat(descriptor, &status) == 0, (status.st_mode & S_IFMT) != S_IFDIR else {
            close(descriptor)
            throw DirectoryError("\(path) is a folder: give the SIRENE files themselves")
        }
        var signature = [UInt8](repeating: 0, count: 4)
        let signatureCount = signature.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 4, 0) }
        let isZip = url.pathExtension.lowercased() == "zip" || (signatureCount == 4 && signature == [0x50, 0x4B, 3, 4])
        guard isZip else {
            let size = (status.st_mode & S_IFMT) == S_IFREG ? Int(status.st_size) : nil
            self.descriptor = descriptor
            source = FileDescriptorByteSource(descriptor: descriptor)
            totalBytes = size
            unzip = nil
            unzipErrors = nil
            return
        }
        close(descriptor)
        guard let unzipPath = Self.unzipPath else {
            throw DirectoryError("\(path) is a zip archive and unzip is not installed: install unzip or extract it")
        }
        let (listing, exitStatus) = try Self.capture(unzipPath, ["-Z", "-l", path])
        guard exitStatus == 0 else {
            throw DirectoryError("\(path) is not a readable zip archive: \(listing.trimmingCharacters(in: .newlines))")
        }
        // `unzip -Z -l`: a header line, one line per member ("-rw-… 5046 t- 1234 defN … name"), a summary line.
        let members = listing.split(separator: "\n").dropFirst().dropLast().map { line in
            line.split(separator: " ", maxSplits: 9, omittingEmptySubsequences: true)
        }.filter { $0.count == 10 }
        let files = members.filter { !$0[9].hasSuffix("/") }
        guard files.count == 1, let member = files.first else {
            let names = files.map { String($0[9]) }.joined(separator: ", ")
            throw DirectoryError(
                "\(path) must hold exactly one CSV file, not \(files.count)\(names.isEmpty ? "" : " (\(names))")")
        }
        totalBytes = Int(member[3])
        let process = Process()
        process.executableURL = URL(fileURLWithPath: unzipPath)
        process.arguments = ["-p", path, String(member[9])]
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw DirectoryError("cannot run \(unzipPath): \(error)") }
        unzip = process
        unzipErrors = errors
        self.descriptor = output.fileHandleForReading.fileDescriptor
        source = FileDescriptorByteSource(descriptor: self.descriptor)
        try? output.fileHandleForWriting.close()
    }

    /// Checks, once the whole CSV was read, that `unzip` succeeded.
    ///
    /// - Throws: ``DirectoryError`` with unzip's message when it failed (a truncated or corrupt archive).
    func finish() throws {
        guard let unzip else { return }
        unzip.waitUntilExit()
        let message = String(decoding: unzipErrors?.fileHandleForReading.readDataToEndOfFile() ?? Data(), as: UTF8.self)
        guard unzip.terminationStatus == 0 else {
            throw DirectoryError(
                "unzip could not read \(path) (status \(unzip.terminationStatus)): "
                    + message.trimmingCharacters(in: .whitespacesAndNewlines))
        }
    }

    deinit {
        if let unzip, unzip.isRunning { unzip.terminate() }
        if unzip == nil { close(descriptor) }
    }

    /// Runs a short program and returns its standard output and exit status.
    private static func capture(_ executable: String, _ arguments: [String]) throws -> (String, Int32) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        do { try process.run() } catch { throw DirectoryError("cannot run \(executable): \(error)") }
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (String(decoding: data, as: UTF8.self), process.terminationStatus)
    }
}
