import Foundation
import Testing

@testable import ParcoursRuntime

@Suite("Delivery: rendering a message")
struct DeliveryRenderingTests {
    typealias Support = DeliveryTestSupport

    // MARK: Helpers

    /// The rendered message as text, and its header block split from its body.
    static func render(_ message: MailMessage) throws -> (text: String, headers: String, body: String) {
        let text = String(decoding: try MailRenderer().render(message), as: UTF8.self)
        let parts = text.components(separatedBy: "\r\n\r\n")
        return (text, parts[0], parts.dropFirst().joined(separator: "\r\n\r\n"))
    }

    /// A header field's value, unfolded.
    static func field(_ name: String, in headers: String) -> String? {
        let unfolded = headers.replacingOccurrences(of: "\r\n ", with: " ").replacingOccurrences(
            of: "\r\n\t", with: "\t")
        for line in unfolded.components(separatedBy: "\r\n") where line.hasPrefix("\(name): ") {
            return String(line.dropFirst(name.count + 2))
        }
        return nil
    }

    /// Decodes quoted-printable (RFC 2045), for round trips.
    static func decodeQP(_ encoded: [UInt8]) -> [UInt8] {
        var output: [UInt8] = []
        var index = 0
        func hex(_ byte: UInt8) -> UInt8? {
            switch byte {
            case 48...57: byte - 48
            case 65...70: byte - 55
            default: nil
            }
        }
        while index < encoded.count {
            let byte = encoded[index]
            if byte == UInt8(ascii: "=") {
                if index + 2 < encoded.count, encoded[index + 1] == 13, encoded[index + 2] == 10 {
                    index += 3
                    continue
                }
                if index + 2 < encoded.count, let high = hex(encoded[index + 1]), let low = hex(encoded[index + 2]) {
                    output.append(high << 4 | low)
                    index += 3
                    continue
                }
                Issue.record("malformed = sequence at \(index)")
            }
            output.append(byte)
            index += 1
        }
        return output
    }

    static func lines(_ bytes: [UInt8]) -> [String] {
        String(decoding: bytes, as: UTF8.self).components(separatedBy: "\r\n")
    }

    /// Decodes a run of encoded-words into text.
    static func decodeWords(_ value: String) -> String {
        var bytes: [UInt8] = []
        for word in value.split(separator: " ") {
            guard word.hasPrefix("=?utf-8?B?"), word.hasSuffix("?=") else { return "<not an encoded-word: \(word)>" }
            let payload = word.dropFirst(10).dropLast(2)
            bytes += Array(Data(base64Encoded: String(payload)) ?? Data())
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    // MARK: Headers

    @Test("a simple message renders exactly")
    func simpleMessage() throws {
        let message = Support.message(body: "Bonjour,\nvotre lien : https://example.org/a?b=c\n")
        let rendered = try Self.render(message)
        #expect(
            rendered.text == """
                Date: Tue, 01 Jul 2025 09:05:00 +0000\r
                From: Parcours <no-reply@parcours.test>\r
                To: alice@example.org\r
                Subject: Hello\r
                Message-ID: <msg-0001@parcours.test>\r
                MIME-Version: 1.0\r
                Content-Type: text/plain; charset=utf-8\r
                Content-Transfer-Encoding: quoted-printable\r
                \r
                Bonjour,\r
                votre lien : https://example.org/a?b=3Dc\r

                """)
    }

    @Test("rendering is deterministic and only ASCII with CRLF line ends")
    func deterministic() throws {
        let message = Support.message(
            to: ["Zoé Ünal <zoe@example.org>", "bob@example.org"], subject: "Réinitialisation ✓",
            body: "Ligne é\rdeux\r\ntrois\n")
        let first = try MailRenderer().render(message)
        #expect(first == (try MailRenderer().render(message)))
        #expect(first.allSatisfy { $0 < 0x80 })
        for (index, byte) in first.enumerated() where byte == 10 { #expect(index > 0 && first[index - 1] == 13) }
        for (index, byte) in first.enumerated() where byte == 13 {
            #expect(index + 1 < first.count && first[index + 1] == 10)
        }
        #expect(first.suffix(2) == [13, 10])
    }

    @Test("Date is RFC 5322 in UTC, before 1970 too")
    func date() {
        #expect(MailDate.format(Date(timeIntervalSince1970: 1_751_360_700)) == "Tue, 01 Jul 2025 09:05:00 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: -1)) == "Wed, 31 Dec 1969 23:59:59 +0000")
        #expect(MailDate.format(Date(timeIntervalSince1970: 951_825_600)) == "Tue, 29 Feb 2000 12:00:00 +0000")
    }

    @Test("the Message-ID is <id@domain of the sender>")
    func messageId() throws {
        var message = Support.message(id: "0b7c.42_a+b-c")
        message.from = "ops@mail.example.org"
        #expect(Self.field("Message-ID", in: try Self.render(message).headers) == "<0b7c.42_a+b-c@mail.example.org>")
    }

    @Test(
        "a non-ASCII subject becomes encoded-words of whole characters",
        arguments: [
            "Activez votre compte Chorus Pro — dernière étape ✓",
            "日本語のテキストはとても長い件名になることがありますので、複数のエンコードワードに分割されます",
            "👨‍👩‍👧‍👦 famille",
            "é",
        ])
    func encodedSubject(subject: String) throws {
        let rendered = try Self.render(Support.message(subject: subject))
        let value = try #require(Self.field("Subject", in: rendered.headers))
        #expect(Self.decodeWords(value) == subject)
        for word in value.split(separator: " ") {
            #expect(word.count <= 75)
            let payload = Data(base64Encoded: String(word.dropFirst(10).dropLast(2))) ?? Data()
            // Each word decodes on its own: no character is cut between two words.
            #expect(String(validating: Array(payload), as: UTF8.self) != nil)
        }
        for line in rendered.headers.components(separatedBy: "\r\n") { #expect(line.utf8.count <= 78) }
    }

    @Test("an ASCII subject stays readable; one that looks encoded is encoded")
    func asciiSubject() throws {
        #expect(
            Self.field("Subject", in: try Self.render(Support.message(subject: "Your code: 12 = 12")).headers)
                == "Your code: 12 = 12")
        let tricky = try #require(
            Self.field("Subject", in: try Self.render(Support.message(subject: "=?utf-8?Q?x?=")).headers))
        #expect(tricky.hasPrefix("=?utf-8?B?"))
        #expect(Self.decodeWords(tricky) == "=?utf-8?Q?x?=")
    }

    @Test("display names are kept, quoted or encoded as needed")
    func displayNames() throws {
        let message = Support.message(to: [
            "Équipe Chorus <equipe@example.org>", "\"Doe, John\" <john@example.org>", "Plain Name <plain@example.org>",
            "  bare@example.org  ", "Say \"hi\" <hi@example.org>",
        ])
        let to = try #require(Self.field("To", in: try Self.render(message).headers))
        let parts = to.components(separatedBy: ", ")
        #expect(parts.count == 6)  // the quoted "Doe, John" contains a comma
        #expect(to.hasPrefix("=?utf-8?B?"))
        #expect(Self.decodeWords(String(to.prefix(while: { $0 != "<" }).dropLast())) == "Équipe Chorus")
        #expect(to.contains("\"Doe, John\" <john@example.org>"))
        #expect(to.contains("Plain Name <plain@example.org>"))
        #expect(to.contains(", bare@example.org, "))
        #expect(to.hasSuffix("\"Say \\\"hi\\\"\" <hi@example.org>"))
    }

    @Test("long headers are folded at whitespace within 78 columns and unfold to the original")
    func folding() throws {
        let subject = (1...40).map { "word\($0)" }.joined(separator: " ")
        let recipients = (1...12).map { "Recipient Number \($0) <recipient.\($0)@example.org>" }
        let rendered = try Self.render(Support.message(to: recipients, subject: subject))
        let lines = rendered.headers.components(separatedBy: "\r\n")
        #expect(lines.allSatisfy { $0.utf8.count <= 78 })
        #expect(lines.filter { $0.hasPrefix(" ") }.count >= 6)
        #expect(lines.allSatisfy { !$0.trimmingCharacters(in: .whitespaces).isEmpty })
        #expect(Self.field("Subject", in: rendered.headers) == subject)
        #expect(Self.field("To", in: rendered.headers) == recipients.joined(separator: ", "))
    }

    @Test("folding keeps runs of spaces and never leaves a blank line")
    func foldingEdges() {
        let value = String(repeating: "x", count: 70) + "    tail   " + String(repeating: "y", count: 100) + "   "
        let folded = String(decoding: HeaderFolding.fold(name: "X-Test", value: value), as: UTF8.self)
        #expect(folded.replacingOccurrences(of: "\r\n", with: "") == "X-Test: " + value)
        for line in folded.components(separatedBy: "\r\n") { #expect(!line.allSatisfy { $0 == " " }) }
        // A word longer than a line cannot be folded: it stays whole.
        let long = String(repeating: "z", count: 120)
        #expect(HeaderFolding.fold(name: "X", value: long) == Array("X: \(long)".utf8))
    }

    @Test("extra headers follow the standard ones; non-ASCII values are encoded")
    func extraHeaders() throws {
        let message = MailMessage(
            id: "x1", from: "a@example.org", to: ["b@example.org"], subject: "s", textBody: "t",
            date: Date(timeIntervalSince1970: 0),
            headers: [MailHeader("Reply-To", "support@example.org"), MailHeader("X-Tenant", "Nouvelle-Calédonie")])
        let headers = try Self.render(message).headers
        #expect(
            headers.hasSuffix(
                "Content-Transfer-Encoding: quoted-printable\r\nReply-To: support@example.org\r\nX-Tenant: =?utf-8?B?Tm91dmVsbGUtQ2Fsw6lkb25pZQ==?="
            ))
    }

    // MARK: Refusals

    @Test(
        "a line break in a header value is refused (header injection)",
        arguments: [
            "Hello\r\nBcc: victim@example.org", "Hello\nBcc: victim@example.org", "Hello\rX: y", "nul\0byte",
        ])
    func headerInjection(value: String) throws {
        let error = try #require(throws: DeliveryError.self) {
            try MailRenderer().render(Support.message(subject: value))
        }
        #expect(error.code == .invalidMessage)
        #expect(error.isPermanent)
        #expect(error.message.contains("header injection"))

        var extra = Support.message()
        extra.headers = [MailHeader("X-Note", value)]
        #expect(throws: DeliveryError.self) { try MailRenderer().render(extra) }

        var name = Support.message()
        name.to = ["\(value) <alice@example.org>"]
        let addressError = try #require(throws: DeliveryError.self) { try MailRenderer().render(name) }
        #expect(addressError.code == .invalidAddress)
    }

    @Test("reserved or malformed extra headers, bad ids, bad addresses and no recipient are refused")
    func refusals() {
        func refused(_ change: (inout MailMessage) -> Void) -> DeliveryError.Code? {
            var message = Support.message()
            change(&message)
            do {
                _ = try MailRenderer().render(message)
                return nil
            } catch let error as DeliveryError {
                #expect(error.isPermanent)
                return error.code
            } catch {
                return nil
            }
        }
        #expect(refused { $0.headers = [MailHeader("Bcc", "x@example.org")] } == .invalidMessage)
        #expect(refused { $0.headers = [MailHeader("subject", "again")] } == .invalidMessage)
        #expect(refused { $0.headers = [MailHeader("X-Bad:Name", "v")] } == .invalidMessage)
        #expect(refused { $0.headers = [MailHeader("X Bad", "v")] } == .invalidMessage)
        for id in ["", "../etc/passwd", "a b", "a/b", ".hidden", "a..b", "é", String(repeating: "a", count: 201)] {
            #expect(refused { $0.id = id } == .invalidMessage, "id \(id)")
        }
        #expect(refused { $0.to = [] } == .invalidMessage)
        for address in [
            "no-at-sign", "a@", "@b.org", "a b@c.org", "a@b_c.org", "a@-b.org", "<a@b.org", "zoé@b.org", "a..b@c.org",
        ] {
            #expect(refused { $0.to = [address] } == .invalidAddress, "address \(address)")
        }
        #expect(refused { $0.from = "Name <>" } == .invalidAddress)
    }

    // MARK: Quoted-printable

    @Test("quoted-printable: =, non-ASCII and trailing whitespace are escaped")
    func qpEscapes() {
        #expect(Self.lines(QuotedPrintable.encode("a=b")) == ["a=3Db"])
        #expect(Self.lines(QuotedPrintable.encode("é€")) == ["=C3=A9=E2=82=AC"])
        #expect(Self.lines(QuotedPrintable.encode("end \nmid dle\t\n\t")) == ["end=20", "mid dle=09", "=09"])
        #expect(Self.lines(QuotedPrintable.encode("bell\u{7}del\u{7F}")) == ["bell=07del=7F"])
        #expect(Self.lines(QuotedPrintable.encode("  \n")) == [" =20", ""])
    }

    @Test("quoted-printable: line breaks become CRLF; a dot at line start stays for SMTP to stuff")
    func qpLineBreaks() {
        #expect(QuotedPrintable.encode("a\nb\r\nc\rd") == Array("a\r\nb\r\nc\r\nd".utf8))
        #expect(QuotedPrintable.encode("a\n\n") == Array("a\r\n\r\n".utf8))
        #expect(QuotedPrintable.encode(".\n.hidden\n..") == Array(".\r\n.hidden\r\n..".utf8))
        #expect(QuotedPrintable.encode("") == [])
    }

    @Test("quoted-printable: 76 characters fit, 77 get a soft break")
    func qpLineLength() {
        let exact = String(repeating: "a", count: 76)
        #expect(Self.lines(QuotedPrintable.encode(exact)) == [exact])
        let over = String(repeating: "a", count: 77)
        #expect(Self.lines(QuotedPrintable.encode(over)) == [String(repeating: "a", count: 75) + "=", "aa"])
        // A trailing space that must be escaped does not fit at column 76 and moves to the next line.
        let spaced = String(repeating: "a", count: 75) + " "
        #expect(Self.lines(QuotedPrintable.encode(spaced)) == [String(repeating: "a", count: 75) + "=", "=20"])
        // =XX is never cut by a soft break.
        let accent = String(repeating: "a", count: 74) + "é"
        #expect(Self.lines(QuotedPrintable.encode(accent)) == [String(repeating: "a", count: 74) + "=", "=C3=A9"])
    }

    @Test("quoted-printable round trips, with lines within 76 columns", arguments: 0..<40)
    func qpRoundTrip(seed: Int) {
        var generator = DeliverySeededGenerator(seed: UInt64(seed))
        let alphabet = Array("aZ0 .\t=é€😀-\n\r\n?_") + [Character("\r")]
        let length = Int.random(in: 0...400, using: &generator)
        let text = String((0..<length).map { _ in alphabet.randomElement(using: &generator) ?? "a" })
        let encoded = QuotedPrintable.encode(text)
        #expect(encoded.allSatisfy { $0 < 0x80 })
        for line in Self.lines(encoded) {
            #expect(line.utf8.count <= 76)
            #expect(!line.hasSuffix(" ") && !line.hasSuffix("\t"))
        }
        let normalized = text.replacingOccurrences(of: "\r\n", with: "\n").replacingOccurrences(of: "\r", with: "\n")
            .replacingOccurrences(of: "\n", with: "\r\n")
        #expect(Self.decodeQP(encoded) == Array(normalized.utf8))
    }

    @Test("a long body line is soft-broken and decodes back")
    func longBodyLine() throws {
        let long = (1...60).map { "mot\($0)" }.joined(separator: " ") + " é"
        let rendered = try Self.render(Support.message(body: long + "\n"))
        #expect(rendered.body.components(separatedBy: "\r\n").allSatisfy { $0.utf8.count <= 76 })
        #expect(Self.decodeQP(Array(rendered.body.utf8)) == Array((long + "\r\n").utf8))
    }

    // MARK: HTML alternative

    @Test("with an HTML body the message is multipart/alternative, both parts quoted-printable")
    func multipart() throws {
        let rendered = try Self.render(Support.message(body: "Texte é\n", html: "<p>Texte é</p>"))
        let contentType = try #require(Self.field("Content-Type", in: rendered.headers))
        let boundary = MailRenderer.boundary(for: "msg-0001")
        #expect(contentType == "multipart/alternative; boundary=\"\(boundary)\"")
        #expect(Self.field("Content-Transfer-Encoding", in: rendered.headers) == nil)
        #expect(
            rendered.body.contains(
                "--\(boundary)\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nTexte =C3=A9\r\n\r\n--\(boundary)\r\n"
            ))
        #expect(
            rendered.body.contains(
                "Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n<p>Texte =C3=A9</p>\r\n\r\n--\(boundary)--\r\n"
            ))
    }
}

/// A small deterministic random number generator (SplitMix64) for reproducible generated cases.
struct DeliverySeededGenerator: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed &+ 0x9E37_79B9_7F4A_7C15 }
    mutating func next() -> UInt64 {
        state = state &+ 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
