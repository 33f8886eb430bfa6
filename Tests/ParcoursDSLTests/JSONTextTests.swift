import Foundation
import Testing

@testable import ParcoursDSL

@Suite("JSON text: the writer and reader of values")
struct JSONTextTests {
    /// Random values of every JSON kind: keys and strings mix ASCII, escapes, accents, emoji and other scripts.
    struct ValueGenerator {
        var random: SplitMix64
        let characters: [String] = [
            "a", "z", "A", "_", "-", "0", "9", " ", "\"", "\\", "/", "\n", "\t", "\r", "\u{0}", "\u{1F}", "\u{7F}",
            "é", "ß", "€", "😀", "中", "\u{2028}", "$",
        ]

        mutating func string(maximumLength: Int = 8) -> String {
            let length = Int.random(in: 0...maximumLength, using: &random)
            return (0..<length).map { _ in characters.randomElement(using: &random)! }.joined()
        }

        mutating func number() -> Double {
            switch Int.random(in: 0..<5, using: &random) {
            case 0: Double(Int.random(in: -1000...1000, using: &random))
            case 1: Double.random(in: -1e6...1e6, using: &random)
            case 2: Double.random(in: -1...1, using: &random) * 1e-7
            case 3: Double(Int64.random(in: -(1 << 53)...(1 << 53), using: &random))
            default: Double.random(in: 1e15...1e300, using: &random)
            }
        }

        /// A value; with `dates`, dates (whole seconds, which storage gives back exactly) and durations too.
        mutating func value(depth: Int = 0, dates: Bool) -> Value {
            let kinds = depth > 3 ? 4 : 6
            switch Int.random(in: 0..<(dates ? kinds + 2 : kinds), using: &random) {
            case 0: return .null
            case 1: return .bool(Bool.random(using: &random))
            case 2: return .number(number())
            case 3: return .string(string())
            case 4:
                return .list(
                    (0..<Int.random(in: 0...4, using: &random)).map { _ in value(depth: depth + 1, dates: dates) })
            case 5:
                var members: [String: Value] = [:]
                for _ in 0..<Int.random(in: 0...4, using: &random) {
                    members[string(maximumLength: 4)] = value(depth: depth + 1, dates: dates)
                }
                return .object(members)
            case 6:
                let seconds = Int64.random(in: 0...4_102_444_800, using: &random)
                return .date(Date(timeIntervalSince1970: Double(seconds)))
            default:
                return .duration(ISODuration(days: Int.random(in: 0...400, using: &random)))
            }
        }
    }

    /// What Foundation reads from a text.
    static func foundation(_ text: String) throws -> Value {
        Value(json: try JSONSerialization.jsonObject(with: Data(text.utf8), options: [.fragmentsAllowed]))
    }

    /// Equal, numbers within a relative 10⁻¹⁵: Foundation's reader on Linux does not round every number exactly.
    static func nearlyEqual(_ a: Value, _ b: Value) -> Bool {
        switch (a, b) {
        case (.number(let x), .number(let y)): return x == y || abs(x - y) <= 1e-15 * max(abs(x), abs(y))
        case (.list(let x), .list(let y)): return x.count == y.count && zip(x, y).allSatisfy(nearlyEqual)
        case (.object(let x), .object(let y)):
            return x.count == y.count && x.allSatisfy { key, value in y[key].map { nearlyEqual(value, $0) } ?? false }
        default: return a == b
        }
    }

    @Test func foundationReadsWhatTheWriterWrites() throws {
        var generator = ValueGenerator(random: SplitMix64(seed: 7))
        for _ in 0..<2000 {
            let value = generator.value(dates: false)
            let text = JSONText.write(value, tagged: false)
            #expect(Self.nearlyEqual(try Self.foundation(text), value), "\(text)")
        }
    }

    /// The reader gives back the very value Foundation wrote (its reader would not: it rounds some numbers off by
    /// one unit in the last place, and drops a U+FEFF that starts a string).
    @Test func theReaderReadsFoundationsText() throws {
        var generator = ValueGenerator(random: SplitMix64(seed: 11))
        for index in 0..<2000 {
            let value = generator.value(dates: false)
            var options: JSONSerialization.WritingOptions = [.fragmentsAllowed]
            if index.isMultiple(of: 2) { options.insert(.prettyPrinted) }
            let data = try JSONSerialization.data(withJSONObject: value.jsonObject, options: options)
            let text = String(decoding: data, as: UTF8.self)
            #expect(try JSONText.parse(text, tagged: false) == value, "\(text)")
        }
    }

    @Test func storageKeepsDatesAndDurations() throws {
        var generator = ValueGenerator(random: SplitMix64(seed: 13))
        for _ in 0..<2000 {
            let value = generator.value(dates: true)
            let stored = value.storageJSON
            #expect(try Value(storageJSON: stored) == value, "\(stored)")
        }
        // Milliseconds are kept: the text of a date read back is the text written.
        let precise = #"{"$date":"2026-03-04T05:06:07.891Z"}"#
        #expect(try Value(storageJSON: precise).storageJSON == precise)
        let date = Date(timeIntervalSince1970: 1_767_225_600.25)
        #expect(Value.date(date).storageJSON == #"{"$date":"2026-01-01T00:00:00.250Z"}"#)
        #expect(try Value(storageJSON: #"{"$duration": "P30D"}"#) == .duration(ISODuration(days: 30)))
        // Only a one-member object whose text is valid is a tag.
        #expect(try Value(storageJSON: #"{"$date": "soon"}"#) == .object(["$date": "soon"]))
        #expect(try Value(storageJSON: #"{"$date": "2026-01-01", "x": 1}"#).objectValue?.count == 2)
    }

    @Test func theWriterIsCompactSortedAndEscapesOnlyWhatJSONRequires() {
        let value: Value = [
            "b": [1, 2.5, -0.0, true, nil], "a": "quote \" backslash \\ slash / tab \t nul \u{0} é 😀", "_": 1e20,
        ]
        #expect(
            JSONText.write(value, tagged: false)
                == #"{"_":1e+20,"a":"quote \" backslash \\ slash / tab \t nul \u0000 é 😀","b":[1,2.5,0,true,null]}"#
        )
        #expect(JSONText.write(.number(.infinity), tagged: false) == "null")
        #expect(JSONText.write(.number(0.1), tagged: false) == "0.1")
        #expect(JSONText.write(.number(123_456_789_012_345), tagged: false) == "123456789012345")
        let date = Date(timeIntervalSince1970: 1_767_225_600)
        #expect(JSONText.write(.date(date), tagged: false) == #""2026-01-01T00:00:00Z""#)
    }

    @Test func theReaderAcceptsEveryFormOfJSON() throws {
        let cases: [(String, Value)] = [
            (#" { "a" : [ 1 , -0 , 2.5e1 , 1E-2 , 3e+0 ] } "#, ["a": [1, 0, 25, 0.01, 3]]),
            (#""\u00e9\ud83d\ude00\/\b\f\n\r\t""#, "é😀/\u{8}\u{C}\n\r\t"),
            ("[]", []), ("{}", [:]), ("null", nil), ("true", true), ("false", false), ("\"\"", ""),
            (#"{"a": 1, "a": 2}"#, ["a": 2]), ("\"\u{FEFF}a\"", "\u{FEFF}a"),
            ("\t\r\n 7 \n", 7),
        ]
        for (text, expected) in cases {
            #expect(try JSONText.parse(text, tagged: false) == expected, "\(text)")
        }
        let deepest = String(repeating: "[", count: JSONText.maximumDepth) + String(repeating: "]", count: 512)
        #expect(throws: Never.self) { try JSONText.parse(deepest, tagged: false) }
    }

    @Test func theReaderRefusesWhatIsNotJSON() {
        let cases: [(String, String)] = [
            ("", "a value expected"), ("[1,]", "a value expected"), ("[1 2]", "',' or ']' expected"),
            ("{\"a\" 1}", "':' expected"), ("{a: 1}", "a member name in quotes expected"), ("{\"a\": 1,}", "a member"),
            ("01", "cannot start with 0"), ("-", "a digit expected"), ("1.", "after '.'"), (".5", "a value expected"),
            ("+1", "a value expected"), ("1e", "exponent"), ("1e999", "out of range"), ("NaN", "a value expected"),
            ("tru", "'true' expected"), ("\"abc", "not closed"), ("\"a\u{1}\"", "control character"),
            (#""\x""#, "unknown escape"), (#""\u12""#, "hexadecimal"), (#""\ud83d""#, "low surrogate"),
            (#""\ude00""#, "without a high surrogate"), ("[1] x", "after the value"), ("'a'", "a value expected"),
        ]
        for (text, message) in cases {
            #expect {
                try JSONText.parse(text, tagged: false)
            } throws: { error in
                "\(error)".contains(message)
            }
        }
        let tooDeep = String(repeating: "[", count: JSONText.maximumDepth + 1)
        #expect { try JSONText.parse(tooDeep, tagged: false) } throws: { "\($0)".contains("nested deeper") }
        #expect { try JSONText.parse([0x22, 0xFF, 0x22], tagged: false) } throws: { "\($0)".contains("not UTF-8") }
        let error = try? #require(throws: JSONText.SyntaxError.self) { try JSONText.parse("[1, 2, x]", tagged: false) }
        #expect(error?.offset == 7)
    }
}

@Suite("White space, as Foundation trims it")
struct WhitespaceTests {
    @Test func trimmingAgreesWithFoundation() {
        let pieces = [
            " ", "\t", "\n", "\r", "\u{0B}", "\u{0C}", "\u{85}", "\u{A0}", "\u{1680}", "\u{2003}", "\u{2028}",
            "\u{2029}", "\u{202F}", "\u{3000}", "\u{200B}", "\u{FEFF}", "a", "é", "e\u{301}", "😀", "-",
        ]
        var random = SplitMix64(seed: 5)
        for _ in 0..<3000 {
            let text = (0..<Int.random(in: 0...6, using: &random)).map { _ in pieces.randomElement(using: &random)! }
                .joined()
            let expected = text.trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(text.trimmingWhitespace == expected, "\(Array(text.unicodeScalars))")
            #expect(text.isBlank == expected.isEmpty)
            let padded = "x" + text + "y"
            let inner = padded.dropFirst().dropLast()
            #expect(inner.trimmingWhitespace == expected, "\(Array(text.unicodeScalars))")
            #expect(inner.isBlank == expected.isEmpty)
        }
    }

    @Test func visibleASCIIAtBothEndsIsKeptWhole() {
        #expect("Camille".trimmingWhitespace == "Camille")
        #expect("a b".trimmingWhitespace == "a b")
        #expect(" a".trimmingWhitespace == "a" && "a\t".trimmingWhitespace == "a")
        #expect("a\u{A0}".trimmingWhitespace == "a" && "\u{200B}a".trimmingWhitespace == "a")
        #expect(!"  .".isBlank && "\t\n\u{3000} ".isBlank && "".isBlank)
    }
}

@Suite("Value literals")
struct ValueLiteralTests {
    @Test func aRepeatedKeyKeepsItsLastValue() {
        let value = Value(dictionaryLiteral: ("a", 1), ("b", 2), ("a", 3))
        #expect(value == .object(["a": .number(3), "b": .number(2)]))
    }
}
