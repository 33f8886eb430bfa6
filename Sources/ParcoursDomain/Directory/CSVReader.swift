/// One record of a CSV file: its fields and where it starts.
public struct CSVRecord: Sendable, Equatable {
    /// The fields, unquoted.
    public var fields: [String]
    /// The line of the file the record starts on (1 for the first line).
    public var line: Int
    /// Why the record could not be read whole (an unclosed quote, a record too long), or nil.
    public var problem: String?

    /// A record.
    public init(fields: [String], line: Int, problem: String? = nil) {
        self.fields = fields
        self.line = line
        self.problem = problem
    }
}

/// Reads a CSV file record by record (RFC 4180), a chunk of bytes at a time, in constant memory.
///
/// Fields are separated by commas (or `separator`); a field may be quoted with `"`, a quote inside a quoted field
/// is doubled, and a quoted field may hold separators and line breaks. Records end with LF or CRLF (a lone CR too).
/// Chunk boundaries may fall anywhere, inside a quote or between CR and LF. The reader is lenient where the RFC is
/// strict: a quote inside an unquoted field is kept as is, and text after a closing quote is appended. A UTF-8
/// byte order mark at the start is skipped. A record longer than `maximumRecordBytes` (typically an unclosed
/// quote) is not kept in memory: it is returned with a ``CSVRecord/problem`` and reading goes on at the next line.
public struct CSVReader<Source: ByteSource> {
    private var source: Source
    private let chunkSize: Int
    private let separator: UInt8
    private let maximumRecordBytes: Int

    private var chunk: [UInt8] = []
    private var position = 0
    private var finished = false

    private var field: [UInt8] = []
    private var fields: [String] = []
    private var recordBytes = 0
    private var recordLine = 1
    private var line = 1
    private var atStart = true
    private var byteOrderMarkMatched = 0

    private var inQuotes = false
    /// A quote was seen inside a quoted field: the next byte says whether it closes the field or is doubled.
    private var quotePending = false
    /// The previous record ended with CR: an LF right after belongs to it.
    private var skipLineFeed = false
    /// The record outgrew `maximumRecordBytes`: its bytes are dropped until the end of the line.
    private var overflowing = false

    /// The bytes read from the source so far.
    public private(set) var bytesRead: Int = 0

    private static var quote: UInt8 { UInt8(ascii: "\"") }
    private static var carriageReturn: UInt8 { 13 }
    private static var lineFeed: UInt8 { 10 }
    private static var byteOrderMark: [UInt8] { [0xEF, 0xBB, 0xBF] }

    /// A reader of `source`, reading `chunkSize` bytes at a time.
    public init(
        source: Source, chunkSize: Int = 1 << 16, separator: UInt8 = UInt8(ascii: ","),
        maximumRecordBytes: Int = 1 << 20
    ) {
        self.source = source
        self.chunkSize = max(1, chunkSize)
        self.separator = separator
        self.maximumRecordBytes = maximumRecordBytes
    }

    /// The next record, or nil at the end of the input. An empty line is a record of one empty field.
    public mutating func next() throws -> CSVRecord? {
        while true {
            if position == chunk.count {
                if finished { return finishLastRecord() }
                try source.read(into: &chunk, maximumCount: chunkSize)
                position = 0
                bytesRead += chunk.count
                if chunk.isEmpty {
                    finished = true
                    continue
                }
            }
            if let record = consumeChunk() { return record }
        }
    }

    /// Reads bytes of the current chunk until a record ends (returned) or the chunk is used up (nil).
    private mutating func consumeChunk() -> CSVRecord? {
        while position < chunk.count {
            let byte = chunk[position]
            position += 1
            if atStart {
                // A byte order mark, possibly cut by a chunk boundary, is dropped; bytes that only began one are kept.
                if byte == Self.byteOrderMark[byteOrderMarkMatched] {
                    byteOrderMarkMatched += 1
                    atStart = byteOrderMarkMatched < Self.byteOrderMark.count
                    continue
                }
                atStart = false
                field.append(contentsOf: Self.byteOrderMark.prefix(byteOrderMarkMatched))
                recordBytes += byteOrderMarkMatched
            }
            if skipLineFeed {
                skipLineFeed = false
                if byte == Self.lineFeed { continue }
            }
            if !overflowing {
                recordBytes += 1
                overflowing = recordBytes > maximumRecordBytes
            }
            if overflowing {
                if byte == Self.lineFeed || byte == Self.carriageReturn {
                    skipLineFeed = byte == Self.carriageReturn
                    return endOverflowingRecord()
                }
                continue
            }
            if inQuotes {
                if quotePending {
                    quotePending = false
                    if byte == Self.quote {
                        field.append(Self.quote)
                        continue
                    }
                    inQuotes = false
                    // The closing quote was the previous byte: this one is read as outside quotes (below).
                } else {
                    if byte == Self.quote {
                        quotePending = true
                    } else {
                        if byte == Self.lineFeed { line += 1 }
                        field.append(byte)
                    }
                    continue
                }
            }
            switch byte {
            case separator:
                endField()
            case Self.lineFeed, Self.carriageReturn:
                skipLineFeed = byte == Self.carriageReturn
                line += 1
                return endRecord()
            case Self.quote where field.isEmpty:
                inQuotes = true
            default:
                field.append(byte)
            }
        }
        return nil
    }

    private mutating func endField() {
        fields.append(String(decoding: field, as: UTF8.self))
        field.removeAll(keepingCapacity: true)
    }

    private mutating func endRecord(problem: String? = nil) -> CSVRecord {
        endField()
        let record = CSVRecord(fields: fields, line: recordLine, problem: problem)
        fields.removeAll(keepingCapacity: true)
        recordBytes = 0
        recordLine = line
        return record
    }

    private mutating func endOverflowingRecord() -> CSVRecord {
        overflowing = false
        inQuotes = false
        quotePending = false
        field.removeAll(keepingCapacity: true)
        fields.removeAll(keepingCapacity: true)
        line += 1
        return endRecord(problem: "the record is longer than \(maximumRecordBytes) bytes (an unclosed quote?)")
    }

    /// The record the input ends in without a line break, if any.
    private mutating func finishLastRecord() -> CSVRecord? {
        if overflowing { return endOverflowingRecord() }
        if inQuotes && !quotePending {
            inQuotes = false
            return endRecord(problem: "a quoted field is not closed before the end of the file")
        }
        inQuotes = false
        quotePending = false
        if field.isEmpty && fields.isEmpty && recordBytes == 0 { return nil }
        return endRecord()
    }
}
