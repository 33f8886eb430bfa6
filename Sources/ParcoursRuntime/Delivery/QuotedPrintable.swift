/// Quoted-printable content transfer encoding (RFC 2045 §6.7).
///
/// Line breaks of the text (LF, CRLF or a lone CR) become CRLF hard breaks. Printable ASCII other than `=` stays
/// as it is; `=`, control characters and every byte of a non-ASCII character become `=XX`; a space or tab at
/// the end of a line becomes `=20` or `=09`. Lines longer than 76 characters get soft breaks (`=` CRLF),
/// never inside an `=XX`. A dot at the start of a line stays literal: SMTP dot-stuffing is the transport's job.
enum QuotedPrintable {
    static let maximumLineLength = 76

    /// The encoded text; it ends with CRLF exactly when `text` ends with a line break.
    static func encode(_ text: String) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(text.utf8.count + text.utf8.count / 8)
        var line: [UInt8] = []
        var bytes = text.utf8.makeIterator()
        var pending = bytes.next()
        while let byte = pending {
            pending = bytes.next()
            switch byte {
            case 13:
                if pending == 10 { pending = bytes.next() }
                encodeLine(line, into: &output)
                output.append(contentsOf: [13, 10])
                line.removeAll(keepingCapacity: true)
            case 10:
                encodeLine(line, into: &output)
                output.append(contentsOf: [13, 10])
                line.removeAll(keepingCapacity: true)
            default:
                line.append(byte)
            }
        }
        if !line.isEmpty { encodeLine(line, into: &output) }
        return output
    }

    private static let hexDigits = Array("0123456789ABCDEF".utf8)

    private static func encodeLine(_ line: [UInt8], into output: inout [UInt8]) {
        var length = 0
        for (index, byte) in line.enumerated() {
            let isLast = index == line.count - 1
            let literal =
                (33...126).contains(byte) && byte != UInt8(ascii: "=") || ((byte == 32 || byte == 9) && !isLast)
            let tokenLength = literal ? 1 : 3
            // Leave room for the `=` of a soft break unless this is the line's last character.
            if length + tokenLength > (isLast ? maximumLineLength : maximumLineLength - 1) {
                output.append(contentsOf: [UInt8(ascii: "="), 13, 10])
                length = 0
            }
            if literal {
                output.append(byte)
            } else {
                output.append(contentsOf: [UInt8(ascii: "="), hexDigits[Int(byte >> 4)], hexDigits[Int(byte & 0x0F)]])
            }
            length += tokenLength
        }
    }
}
