/// Folds a header field into lines of at most 78 characters (RFC 5322 §2.2.3).
///
/// A fold is a CRLF inserted before a space or tab that follows a non-blank character and precedes more text, so
/// unfolding (removing each CRLF) gives back the field exactly and no line is blank. A word too long to fit
/// stays on a line of its own; the renderer makes sure no line exceeds the hard limit of 998.
enum HeaderFolding {
    static let preferredLineLength = 78
    static let maximumLineLength = 998

    /// `name: value` folded, without the final CRLF.
    static func fold(name: String, value: String) -> [UInt8] {
        let field = Array("\(name): \(value)".utf8)
        let lastText = field.lastIndex(where: { !isBlank($0) }) ?? 0
        let firstCandidate = name.utf8.count + 2
        let breaks =
            firstCandidate < lastText
            ? (firstCandidate..<lastText).filter { isBlank(field[$0]) && !isBlank(field[$0 - 1]) } : []
        var output: [UInt8] = []
        var lineStart = 0
        var next = 0
        while field.count - lineStart > preferredLineLength {
            while next < breaks.count && breaks[next] <= lineStart { next += 1 }
            guard next < breaks.count else { break }
            let limit = lineStart + preferredLineLength
            var last = next
            while last + 1 < breaks.count && breaks[last + 1] <= limit { last += 1 }
            // The last break within the limit, or else the first one after it (a long word).
            let chosen = breaks[last] <= limit ? breaks[last] : breaks[next]
            output.append(contentsOf: field[lineStart..<chosen])
            output.append(contentsOf: [13, 10])
            lineStart = chosen
        }
        output.append(contentsOf: field[lineStart...])
        return output
    }

    private static func isBlank(_ byte: UInt8) -> Bool { byte == 32 || byte == 9 }
}
