import Foundation

/// JSON text for `Value`, written and read directly (no Foundation object graph in between).
///
/// Every event the runtime applies writes its instance's context and history as JSON and reads them back:
/// `JSONSerialization` spent a sixth of the runtime's CPU there (bridging to `NSDictionary` and `NSNumber`, and
/// sorting keys through ICU collation). This writer gives the same text for the values a process holds — compact,
/// keys sorted, slashes unescaped — and the reader accepts exactly RFC 8259 JSON.
///
/// *Tagged* text is the storage form: dates and durations become one-member objects (`{"$date": "…"}`,
/// `{"$duration": "P30D"}`) and are read back as what they tag. Untagged text writes them as ISO-8601 strings.
public enum JSONText {
    /// A reason the text is not JSON, with the byte offset where reading stopped.
    public struct SyntaxError: Error, CustomStringConvertible, Equatable {
        public var offset: Int
        public var message: String
        public var description: String { "invalid JSON at byte \(offset): \(message)" }
    }

    /// How deeply lists and objects may nest: deeper text is refused rather than risking the stack.
    public static let maximumDepth = 512

    /// The value as compact JSON, object keys in ascending order.
    public static func write(_ value: Value, tagged: Bool) -> String {
        var writer = Writer(tagged: tagged)
        writer.write(value)
        return String(decoding: writer.bytes, as: UTF8.self)
    }

    /// Reads one JSON value (surrounded by optional white space) from `text`.
    public static func parse(_ text: String, tagged: Bool) throws(SyntaxError) -> Value {
        var text = text
        let result: Result<Value, SyntaxError>? = text.utf8.withContiguousStorageIfAvailable { buffer in
            parse(bytes: buffer, tagged: tagged)
        }
        if let result { return try result.get() }
        text.makeContiguousUTF8()
        return try parse(text, tagged: tagged)
    }

    /// Reads one JSON value from bytes, which must be UTF-8 (as RFC 8259 requires).
    public static func parse(_ data: some Collection<UInt8>, tagged: Bool) throws(SyntaxError) -> Value {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw SyntaxError(offset: 0, message: "the text is not UTF-8")
        }
        return try parse(text, tagged: tagged)
    }

    private static func parse(bytes: UnsafeBufferPointer<UInt8>, tagged: Bool) -> Result<Value, SyntaxError> {
        var reader = Reader(bytes: bytes, tagged: tagged)
        do throws(SyntaxError) {
            reader.skipWhitespace()
            let value = try reader.readValue(depth: 0)
            reader.skipWhitespace()
            if reader.position != bytes.count { throw reader.error("unexpected text after the value") }
            return .success(value)
        } catch {
            return .failure(error)
        }
    }
}

// MARK: - Writing

extension JSONText {
    struct Writer {
        let tagged: Bool
        var bytes: [UInt8] = []

        init(tagged: Bool) {
            self.tagged = tagged
            bytes.reserveCapacity(256)
        }

        mutating func write(_ value: Value) {
            switch value {
            case .null: append("null")
            case .bool(let flag): append(flag ? "true" : "false")
            case .number(let number): writeNumber(number)
            case .string(let text): writeString(text)
            case .date(let date):
                if tagged {
                    append(#"{"$date":"#)
                    writeString(Value.iso8601WithFraction(date))
                    bytes.append(UInt8(ascii: "}"))
                } else {
                    writeString(Value.iso8601(date))
                }
            case .duration(let duration):
                if tagged {
                    append(#"{"$duration":"#)
                    writeString(duration.description)
                    bytes.append(UInt8(ascii: "}"))
                } else {
                    writeString(duration.description)
                }
            case .list(let items):
                bytes.append(UInt8(ascii: "["))
                for (index, item) in items.enumerated() {
                    if index > 0 { bytes.append(UInt8(ascii: ",")) }
                    write(item)
                }
                bytes.append(UInt8(ascii: "]"))
            case .object(let members):
                bytes.append(UInt8(ascii: "{"))
                // The members' positions sorted by key, in a buffer on the stack for a usual object: neither a
                // key hashed again, nor a member copied, nor an array allocated.
                withUnsafeTemporaryAllocation(of: [String: Value].Index.self, capacity: members.count) { buffer in
                    var order = buffer
                    var filled = 0
                    for index in members.indices {
                        order.initializeElement(at: filled, to: index)
                        filled += 1
                    }
                    order.sort { members[$0].key < members[$1].key }
                    for (position, index) in order.enumerated() {
                        if position > 0 { bytes.append(UInt8(ascii: ",")) }
                        writeString(members[index].key)
                        bytes.append(UInt8(ascii: ":"))
                        write(members[index].value)
                    }
                    _ = order.deinitialize()
                }
                bytes.append(UInt8(ascii: "}"))
            }
        }

        mutating func append(_ text: StaticString) {
            text.withUTF8Buffer { bytes.append(contentsOf: $0) }
        }

        /// Whole numbers below 10¹⁵ without a fraction (as `Value.description` prints them), others in Swift's
        /// shortest exact form; JSON has no infinity or NaN, so those are `null`.
        mutating func writeNumber(_ number: Double) {
            guard number.isFinite else { return append("null") }
            if number == number.rounded(), abs(number) < 1e15 {
                bytes.append(contentsOf: String(Int64(number)).utf8)
            } else {
                bytes.append(contentsOf: number.description.utf8)
            }
        }

        mutating func writeString(_ text: String) {
            bytes.append(UInt8(ascii: "\""))
            var text = text
            let plain = text.withUTF8 { utf8 in
                // Most strings need no escape: copied in one piece.
                guard !utf8.contains(where: { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") })
                else { return false }
                bytes.append(contentsOf: utf8)
                return true
            }
            if plain {
                bytes.append(UInt8(ascii: "\""))
                return
            }
            for byte in text.utf8 {
                switch byte {
                case UInt8(ascii: "\""): append(#"\""#)
                case UInt8(ascii: "\\"): append(#"\\"#)
                case 0x0A: append(#"\n"#)
                case 0x0D: append(#"\r"#)
                case 0x09: append(#"\t"#)
                case 0x08: append(#"\b"#)
                case 0x0C: append(#"\f"#)
                case 0..<0x20:
                    append(#"\u00"#)
                    bytes.append(Self.hexDigits[Int(byte >> 4)])
                    bytes.append(Self.hexDigits[Int(byte & 0x0F)])
                default: bytes.append(byte)
                }
            }
            bytes.append(UInt8(ascii: "\""))
        }

        static let hexDigits = Array("0123456789abcdef".utf8)
    }
}

// MARK: - Reading

extension JSONText {
    struct Reader {
        let bytes: UnsafeBufferPointer<UInt8>
        let tagged: Bool
        var position = 0

        init(bytes: UnsafeBufferPointer<UInt8>, tagged: Bool) {
            self.bytes = bytes
            self.tagged = tagged
        }

        func error(_ message: String) -> SyntaxError { SyntaxError(offset: position, message: message) }

        var current: UInt8? { position < bytes.count ? bytes[position] : nil }

        mutating func skipWhitespace() {
            while position < bytes.count {
                switch bytes[position] {
                case 0x20, 0x0A, 0x0D, 0x09: position += 1
                default: return
                }
            }
        }

        mutating func readValue(depth: Int) throws(SyntaxError) -> Value {
            guard let byte = current else { throw error("a value expected, found the end of the text") }
            switch byte {
            case UInt8(ascii: "{"): return try readObject(depth: depth + 1)
            case UInt8(ascii: "["): return try readList(depth: depth + 1)
            case UInt8(ascii: "\""): return .string(try readString())
            case UInt8(ascii: "t"): try expect("true"); return .bool(true)
            case UInt8(ascii: "f"): try expect("false"); return .bool(false)
            case UInt8(ascii: "n"): try expect("null"); return .null
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"): return .number(try readNumber())
            default: throw error("a value expected, found '\(Unicode.Scalar(byte))'")
            }
        }

        mutating func expect(_ word: StaticString) throws(SyntaxError) {
            let count = word.utf8CodeUnitCount
            guard position + count <= bytes.count,
                memcmp(bytes.baseAddress! + position, word.utf8Start, count) == 0
            else { throw error("'\(word)' expected") }
            position += count
        }

        mutating func readObject(depth: Int) throws(SyntaxError) -> Value {
            guard depth <= JSONText.maximumDepth else { throw error("nested deeper than \(JSONText.maximumDepth)") }
            position += 1
            var members: [String: Value] = [:]
            skipWhitespace()
            if current == UInt8(ascii: "}") {
                position += 1
                return .object(members)
            }
            while true {
                skipWhitespace()
                guard current == UInt8(ascii: "\"") else { throw error("a member name in quotes expected") }
                let key = try readString()
                skipWhitespace()
                guard current == UInt8(ascii: ":") else { throw error("':' expected after a member name") }
                position += 1
                skipWhitespace()
                members[key] = try readValue(depth: depth)
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "}"):
                    position += 1
                    return tagged ? Self.untag(members) : .object(members)
                default: throw error("',' or '}' expected in an object")
                }
            }
        }

        /// What `Value.storageObject` tagged: `{"$date": …}` and `{"$duration": …}`, when their text is valid.
        static func untag(_ members: [String: Value]) -> Value {
            if members.count == 1, let (key, value) = members.first, case .string(let text) = value {
                if key == "$date", let date = Value.parseDate(text) { return .date(date) }
                if key == "$duration", let duration = ISODuration(text) { return .duration(duration) }
            }
            return .object(members)
        }

        mutating func readList(depth: Int) throws(SyntaxError) -> Value {
            guard depth <= JSONText.maximumDepth else { throw error("nested deeper than \(JSONText.maximumDepth)") }
            position += 1
            var items: [Value] = []
            skipWhitespace()
            if current == UInt8(ascii: "]") {
                position += 1
                return .list(items)
            }
            while true {
                skipWhitespace()
                items.append(try readValue(depth: depth))
                skipWhitespace()
                switch current {
                case UInt8(ascii: ","): position += 1
                case UInt8(ascii: "]"):
                    position += 1
                    return .list(items)
                default: throw error("',' or ']' expected in a list")
                }
            }
        }

        mutating func readNumber() throws(SyntaxError) -> Double {
            let start = position
            func digits() -> Int {
                let first = position
                while let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) { position += 1 }
                return position - first
            }
            if current == UInt8(ascii: "-") { position += 1 }
            if current == UInt8(ascii: "0") {
                position += 1
                if let byte = current, (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) {
                    throw error("a number cannot start with 0")
                }
            } else if digits() == 0 {
                throw error("a digit expected")
            }
            if current == UInt8(ascii: ".") {
                position += 1
                guard digits() > 0 else { throw error("a digit expected after '.'") }
            }
            if current == UInt8(ascii: "e") || current == UInt8(ascii: "E") {
                position += 1
                if current == UInt8(ascii: "+") || current == UInt8(ascii: "-") { position += 1 }
                guard digits() > 0 else { throw error("a digit expected in the exponent") }
            }
            let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
            guard let number = Double(text), number.isFinite else {
                position = start
                throw error("the number \(text) is out of range")
            }
            return number
        }

        mutating func readString() throws(SyntaxError) -> String {
            position += 1
            let start = position
            // The common case: no escapes, so the bytes are the string.
            while position < bytes.count {
                let byte = bytes[position]
                if byte == UInt8(ascii: "\"") {
                    let text = String(decoding: UnsafeBufferPointer(rebasing: bytes[start..<position]), as: UTF8.self)
                    position += 1
                    return text
                }
                if byte == UInt8(ascii: "\\") { break }
                if byte < 0x20 { throw error("a control character must be escaped in a string") }
                position += 1
            }
            var scratch = Array(bytes[start..<position])
            while position < bytes.count {
                let byte = bytes[position]
                switch byte {
                case UInt8(ascii: "\""):
                    position += 1
                    return String(decoding: scratch, as: UTF8.self)
                case UInt8(ascii: "\\"):
                    position += 1
                    try readEscape(into: &scratch)
                case 0..<0x20:
                    throw error("a control character must be escaped in a string")
                default:
                    scratch.append(byte)
                    position += 1
                }
            }
            throw error("a string is not closed")
        }

        mutating func readEscape(into scratch: inout [UInt8]) throws(SyntaxError) {
            guard let byte = current else { throw error("a string is not closed") }
            position += 1
            switch byte {
            case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): scratch.append(byte)
            case UInt8(ascii: "b"): scratch.append(0x08)
            case UInt8(ascii: "f"): scratch.append(0x0C)
            case UInt8(ascii: "n"): scratch.append(0x0A)
            case UInt8(ascii: "r"): scratch.append(0x0D)
            case UInt8(ascii: "t"): scratch.append(0x09)
            case UInt8(ascii: "u"):
                var code = try readHex4()
                if (0xD800..<0xDC00).contains(code) {
                    guard current == UInt8(ascii: "\\"), position + 1 < bytes.count,
                        bytes[position + 1] == UInt8(ascii: "u")
                    else { throw error("a high surrogate must be followed by a low surrogate") }
                    position += 2
                    let low = try readHex4()
                    guard (0xDC00..<0xE000).contains(low) else {
                        throw error("a high surrogate must be followed by a low surrogate")
                    }
                    code = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00)
                } else if (0xDC00..<0xE000).contains(code) {
                    throw error("a low surrogate without a high surrogate")
                }
                // Surrogates are handled above, so every code is a scalar.
                scratch.append(contentsOf: String(Character(Unicode.Scalar(code)!)).utf8)
            default:
                position -= 1
                throw error("unknown escape '\\\(Unicode.Scalar(byte))'")
            }
        }

        mutating func readHex4() throws(SyntaxError) -> UInt32 {
            guard position + 4 <= bytes.count else { throw error("four hexadecimal digits expected after \\u") }
            var code: UInt32 = 0
            for _ in 0..<4 {
                let byte = bytes[position]
                let digit: UInt8
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
                case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
                case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
                default: throw error("four hexadecimal digits expected after \\u")
                }
                code = code << 4 | UInt32(digit)
                position += 1
            }
            return code
        }
    }
}
