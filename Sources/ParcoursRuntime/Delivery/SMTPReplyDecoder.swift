import NIOCore

/// Splits the server's bytes into lines and gathers multi-line replies (`250-…` lines up to a `250 …` line)
/// into one `SMTPReply`.
///
/// Lines end with CRLF (a bare LF is accepted). A line longer than 4096 bytes, a line without a three-digit code
/// or a continuation with another code is a `protocolError`.
struct SMTPReplyDecoder: NIOSingleStepByteToMessageDecoder {
    typealias InboundOut = SMTPReply

    static let maximumLineLength = 4096

    private var code: Int?
    private var lines: [String] = []

    mutating func decode(buffer: inout ByteBuffer) throws -> SMTPReply? {
        while let newline = buffer.readableBytesView.firstIndex(of: 10) {
            let length = newline - buffer.readerIndex
            guard var line = buffer.readBytes(length: length + 1) else { return nil }
            line.removeLast()
            if line.last == 13 { line.removeLast() }
            if let reply = try receive(line: line) { return reply }
        }
        if buffer.readableBytes > Self.maximumLineLength {
            throw DeliveryError(
                .protocolError, .transient, "the SMTP server sent a line longer than \(Self.maximumLineLength) bytes")
        }
        return nil
    }

    mutating func decodeLast(buffer: inout ByteBuffer, seenEOF: Bool) throws -> SMTPReply? {
        try decode(buffer: &buffer)
    }

    /// Takes one line without its line break; returns the reply it completes, if any.
    mutating func receive(line: [UInt8]) throws -> SMTPReply? {
        guard line.count <= Self.maximumLineLength else {
            throw DeliveryError(
                .protocolError, .transient, "the SMTP server sent a line longer than \(Self.maximumLineLength) bytes")
        }
        let text = String(decoding: line, as: UTF8.self)
        let digits = line.prefix(3)
        guard digits.count == 3, digits.allSatisfy({ (48...57).contains($0) }), (2...5).contains(digits[0] - 48),
            line.count == 3 || line[3] == UInt8(ascii: " ") || line[3] == UInt8(ascii: "-")
        else {
            throw DeliveryError(.protocolError, .transient, "malformed SMTP reply line \(String(reflecting: text))")
        }
        let lineCode = digits.reduce(0) { $0 * 10 + Int($1 - 48) }
        if let code, code != lineCode {
            throw DeliveryError(
                .protocolError, .transient,
                "SMTP reply line \(String(reflecting: text)) continues a \(code) reply with another code")
        }
        code = lineCode
        lines.append(line.count > 4 ? String(decoding: line[4...], as: UTF8.self) : "")
        guard line.count == 3 || line[3] == UInt8(ascii: " ") else { return nil }
        let reply = SMTPReply(code: lineCode, lines: lines)
        code = nil
        lines = []
        return reply
    }
}
