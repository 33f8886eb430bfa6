import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Something bytes are read from, a chunk at a time: a file, a pipe, or memory in tests.
public protocol ByteSource {
    /// Reads up to `maximumCount` bytes into `buffer` (replacing its contents); an empty buffer means the end.
    mutating func read(into buffer: inout [UInt8], maximumCount: Int) throws
}

/// Bytes already in memory, handed out in chunks (tests use tiny chunks to cut quotes and line ends in two).
public struct MemoryByteSource: ByteSource {
    private let bytes: [UInt8]
    private var position = 0

    /// A source over `bytes`.
    public init(_ bytes: [UInt8]) { self.bytes = bytes }

    /// A source over the UTF-8 bytes of `text`.
    public init(_ text: String) { self.bytes = Array(text.utf8) }

    public mutating func read(into buffer: inout [UInt8], maximumCount: Int) throws {
        let end = min(bytes.count, position + maximumCount)
        buffer.removeAll(keepingCapacity: true)
        buffer.append(contentsOf: bytes[position..<end])
        position = end
    }
}

/// An open file descriptor (a file or the read end of a pipe), read with `read(2)`; the caller closes it.
public struct FileDescriptorByteSource: ByteSource {
    /// The descriptor read from.
    public let descriptor: Int32

    /// A source reading `descriptor`.
    public init(descriptor: Int32) { self.descriptor = descriptor }

    public mutating func read(into buffer: inout [UInt8], maximumCount: Int) throws {
        // Resized in place: the storage is reused from one chunk to the next.
        if buffer.count < maximumCount {
            buffer.append(contentsOf: repeatElement(0, count: maximumCount - buffer.count))
        } else if buffer.count > maximumCount {
            buffer.removeLast(buffer.count - maximumCount)
        }
        while true {
            let count = buffer.withUnsafeMutableBytes { pointer in
                #if canImport(Glibc)
                    Glibc.read(descriptor, pointer.baseAddress, maximumCount)
                #else
                    Darwin.read(descriptor, pointer.baseAddress, maximumCount)
                #endif
            }
            if count >= 0 {
                buffer.removeLast(maximumCount - count)
                return
            }
            if errno != EINTR {
                throw DirectoryError("cannot read: \(String(cString: strerror(errno)))")
            }
        }
    }
}
