import Crypto

/// Renders a `MailMessage` as the bytes of an RFC 5322 message, the same for every transport.
///
/// The result has CRLF line endings and only 7-bit ASCII: the header fields `Date`, `From`, `To`, `Subject`,
/// `Message-ID`, `MIME-Version`, the content fields, then the message's extra headers, folded at 78 columns, with
/// non-ASCII subjects, display names and extra header values as RFC 2047 encoded-words; the body is
/// `text/plain; charset=utf-8` in quoted-printable (or a `multipart/alternative` of the text and the HTML when
/// `htmlBody` is set). Rendering the same message twice gives the same bytes.
public struct MailRenderer: Sendable {
    /// Header names the renderer writes itself, or that would not match the envelope, refused as extra headers.
    static let reservedHeaders: Set<String> = [
        "date", "from", "to", "cc", "bcc", "subject", "message-id", "mime-version", "content-type",
        "content-transfer-encoding",
    ]

    /// Creates a renderer.
    public init() {}

    /// The message as RFC 5322 bytes, ending with CRLF.
    ///
    /// - Throws: `DeliveryError` (permanent) with code `invalidMessage` when a header value contains CR, LF or
    ///   NUL (header injection), the id is not usable, an extra header is reserved or malformed, or there is no
    ///   recipient; with code `invalidAddress` when the sender or a recipient is not a usable address.
    public func render(_ message: MailMessage) throws -> [UInt8] {
        try Self.validate(id: message.id)
        let sender = try MailAddress(parsing: message.from)
        guard !message.to.isEmpty else {
            throw DeliveryError(.invalidMessage, .permanent, "message \(message.id) has no recipient")
        }
        let recipients = try message.to.map { try MailAddress(parsing: $0) }
        try Self.refuseLineBreaks(in: message.subject, header: "Subject")

        var fields: [(name: String, value: String)] = [
            ("Date", MailDate.format(message.date)),
            ("From", sender.headerForm),
            ("To", recipients.map(\.headerForm).joined(separator: ", ")),
            ("Subject", Self.unstructured(message.subject)),
            ("Message-ID", "<\(message.id)@\(sender.domain)>"),
            ("MIME-Version", "1.0"),
        ]
        let body: [UInt8]
        if let html = message.htmlBody {
            let boundary = Self.boundary(for: message.id)
            fields.append(("Content-Type", "multipart/alternative; boundary=\"\(boundary)\""))
            body = Self.multipart(text: message.textBody, html: html, boundary: boundary)
        } else {
            fields.append(("Content-Type", "text/plain; charset=utf-8"))
            fields.append(("Content-Transfer-Encoding", "quoted-printable"))
            body = Self.terminated(QuotedPrintable.encode(message.textBody))
        }
        for header in message.headers {
            try Self.validate(header: header)
            fields.append((header.name, Self.unstructured(header.value)))
        }

        var output: [UInt8] = []
        for field in fields {
            let folded = HeaderFolding.fold(name: field.name, value: field.value)
            if folded.split(separator: 10).contains(where: { $0.count > HeaderFolding.maximumLineLength }) {
                throw DeliveryError(
                    .invalidMessage, .permanent,
                    "header \(field.name) of message \(message.id) has a word longer than 998 characters")
            }
            output.append(contentsOf: folded)
            output.append(contentsOf: crlf)
        }
        output.append(contentsOf: crlf)
        output.append(contentsOf: body)
        return output
    }

    private var crlf: [UInt8] { [13, 10] }

    /// Unstructured header text: as it is when it is printable ASCII with words that can be folded, otherwise
    /// RFC 2047 encoded-words.
    static func unstructured(_ text: String) -> String {
        let plain = text.unicodeScalars.allSatisfy { $0 == " " || $0 == "\t" || (0x21...0x7E).contains($0.value) }
        let longestWord = text.split(whereSeparator: { $0 == " " || $0 == "\t" }).map(\.utf8.count).max() ?? 0
        if plain && !text.contains("=?") && longestWord < 900 { return text }
        return EncodedWord.encode(text).joined(separator: " ")
    }

    static func refuseLineBreaks(in value: String, header: String) throws {
        if value.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw DeliveryError(
                .invalidMessage, .permanent,
                "header \(header) contains a line break (CR, LF or NUL); refused to prevent header injection")
        }
    }

    /// Checks an id: 1 to 200 characters among `A-Z a-z 0-9 . _ + -`, no leading, trailing or doubled dot. It is
    /// then a valid left part of a `Message-ID` and a safe file name.
    static func validate(id: String) throws {
        let allowed = id.unicodeScalars.allSatisfy { scalar in
            switch scalar {
            case "a"..."z", "A"..."Z", "0"..."9", ".", "_", "+", "-": true
            default: false
            }
        }
        guard allowed, (1...200).contains(id.utf8.count), !id.hasPrefix("."), !id.hasSuffix("."), !id.contains("..")
        else {
            throw DeliveryError(
                .invalidMessage, .permanent,
                "message id \(String(reflecting: id)) is not usable: use 1 to 200 characters among A-Z a-z 0-9 . _ + -"
                    + " without a leading, trailing or doubled dot")
        }
    }

    private static func validate(header: MailHeader) throws {
        let validName =
            !header.name.isEmpty && header.name.utf8.count <= 76
            && header.name.unicodeScalars.allSatisfy { (0x21...0x7E).contains($0.value) && $0 != ":" }
        guard validName else {
            throw DeliveryError(
                .invalidMessage, .permanent,
                "header name \(String(reflecting: header.name)) is not printable ASCII without a colon")
        }
        guard !reservedHeaders.contains(header.name.lowercased()) else {
            throw DeliveryError(
                .invalidMessage, .permanent,
                "header \(header.name) is written by the renderer and cannot be given as an extra header")
        }
        try refuseLineBreaks(in: header.value, header: header.name)
    }

    /// A boundary derived from the id. It starts with `=_`, which quoted-printable output never contains.
    static func boundary(for id: String) -> String {
        let digest = SHA256.hash(data: Array(id.utf8))
        let hex = digest.prefix(12).map { byte in
            let digits = Array("0123456789abcdef")
            return String([digits[Int(byte >> 4)], digits[Int(byte & 0x0F)]])
        }
        return "=_parcours_" + hex.joined()
    }

    private static func multipart(text: String, html: String, boundary: String) -> [UInt8] {
        var body: [UInt8] = []
        func line(_ text: String) { body.append(contentsOf: Array(text.utf8) + [13, 10]) }
        line("This is a multi-part message in MIME format.")
        for (type, content) in [("text/plain", text), ("text/html", html)] {
            line("")
            line("--\(boundary)")
            line("Content-Type: \(type); charset=utf-8")
            line("Content-Transfer-Encoding: quoted-printable")
            line("")
            body.append(contentsOf: terminated(QuotedPrintable.encode(content)))
        }
        line("")
        line("--\(boundary)--")
        return body
    }

    /// `bytes` with a final CRLF added when missing.
    private static func terminated(_ bytes: [UInt8]) -> [UInt8] {
        bytes.isEmpty || bytes.suffix(2).elementsEqual([13, 10]) ? bytes : bytes + [13, 10]
    }
}
