import Foundation

/// A command the SMTP client sends, and the bytes it goes on the wire as.
enum SMTPCommand: Sendable, Hashable {
    case ehlo(String)
    case helo(String)
    /// `AUTH PLAIN` with its initial response (base64 of NUL user NUL password).
    case authPlain(initialResponse: String)
    case authLogin
    /// A base64 answer to a `334` challenge: it carries a credential and is never logged.
    case authResponse(String)
    case mailFrom(String)
    case rcptTo(String)
    case data
    /// The rendered message, sent after `354`: dot-stuffed and terminated by `CRLF . CRLF`.
    case message([UInt8])
    case quit

    /// The bytes to write.
    var bytes: [UInt8] {
        switch self {
        case .message(let content): return Self.dotStuffed(content)
        default: return Array(line.utf8) + [13, 10]
        }
    }

    /// The command line without CRLF, as sent.
    private var line: String {
        switch self {
        case .ehlo(let name): "EHLO \(name)"
        case .helo(let name): "HELO \(name)"
        case .authPlain(let response): "AUTH PLAIN \(response)"
        case .authLogin: "AUTH LOGIN"
        case .authResponse(let response): response
        case .mailFrom(let address): "MAIL FROM:<\(address)>"
        case .rcptTo(let address): "RCPT TO:<\(address)>"
        case .data: "DATA"
        case .message: ""
        case .quit: "QUIT"
        }
    }

    /// The command as a log or an error message shows it: credentials and the message content left out.
    var logDescription: String {
        switch self {
        case .authPlain: "AUTH PLAIN <credentials>"
        case .authResponse: "<credentials>"
        case .message(let content): "<message, \(content.count) bytes>"
        default: line
        }
    }

    /// The step name for error messages.
    var step: String {
        switch self {
        case .ehlo: "EHLO"
        case .helo: "HELO"
        case .authPlain, .authLogin, .authResponse: "AUTH"
        case .mailFrom: "MAIL FROM"
        case .rcptTo: "RCPT TO"
        case .data: "DATA"
        case .message: "the end of the message data"
        case .quit: "QUIT"
        }
    }

    /// RFC 5321 §4.5.2: a `.` at the start of a line is doubled; the data then ends with `CRLF . CRLF` (a CRLF is
    /// added first when the content does not end with one).
    static func dotStuffed(_ content: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(content.count + content.count / 64 + 5)
        var atLineStart = true
        for byte in content {
            if atLineStart && byte == UInt8(ascii: ".") { output.append(byte) }
            output.append(byte)
            atLineStart = byte == 10
        }
        if !content.isEmpty && !atLineStart { output.append(contentsOf: [13, 10]) }
        output.append(contentsOf: [UInt8(ascii: "."), 13, 10])
        return output
    }

    /// Base64 of UTF-8 text, for AUTH.
    static func base64(_ bytes: [UInt8]) -> String { Data(bytes).base64EncodedString() }
}
