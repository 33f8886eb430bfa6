/// A complete SMTP reply: its three-digit code and the text of each of its lines (RFC 5321 §4.2).
struct SMTPReply: Sendable, Hashable {
    var code: Int
    var lines: [String]

    /// 2xx.
    var isSuccess: Bool { (200..<300).contains(code) }
    /// 3xx: the server waits for more (`354` after `DATA`, `334` during `AUTH`).
    var isIntermediate: Bool { (300..<400).contains(code) }
    /// 4xx or 5xx.
    var isFailure: Bool { (400..<600).contains(code) }

    /// The reply as one line, for messages: `550 5.1.1 no such user`.
    var summary: String {
        let text = lines.flatMap { $0.split(separator: " ") }.joined(separator: " ")
        return text.isEmpty ? "\(code)" : "\(code) \(text)"
    }

    /// The EHLO extensions: keyword (upper-cased) to parameters, from every line but the first.
    var extensions: [String: [String]] {
        var result: [String: [String]] = [:]
        for line in lines.dropFirst() {
            let words = line.split(whereSeparator: { $0 == " " || $0 == "=" }).map(String.init)
            guard let keyword = words.first else { continue }
            result[keyword.uppercased(), default: []].append(contentsOf: words.dropFirst().map { $0.uppercased() })
        }
        return result
    }
}
