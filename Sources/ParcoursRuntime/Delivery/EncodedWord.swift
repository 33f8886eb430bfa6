import Foundation

/// RFC 2047 encoded-words (`=?utf-8?B?…?=`), for non-ASCII text in headers.
enum EncodedWord {
    /// The most UTF-8 bytes in one word: 39 bytes are 52 base64 characters, a 64-character word, so that
    /// `Subject: ` and one word fit in 78 columns.
    static let maximumBytesPerWord = 39

    /// `text` as a list of encoded-words, each holding whole characters; join them with spaces (or folds).
    static func encode(_ text: String) -> [String] {
        var words: [String] = []
        var chunk: [UInt8] = []
        func flush() {
            guard !chunk.isEmpty else { return }
            words.append("=?utf-8?B?\(Data(chunk).base64EncodedString())?=")
            chunk.removeAll(keepingCapacity: true)
        }
        func append(_ bytes: [UInt8]) {
            if chunk.count + bytes.count > maximumBytesPerWord { flush() }
            chunk.append(contentsOf: bytes)
        }
        for character in text {
            let bytes = Array(character.utf8)
            if bytes.count <= maximumBytesPerWord {
                append(bytes)
            } else {
                // A very long grapheme (a family emoji…): split between its scalars, which stay whole.
                for scalar in character.unicodeScalars { append(Array(String(scalar).utf8)) }
            }
        }
        flush()
        return words
    }
}
