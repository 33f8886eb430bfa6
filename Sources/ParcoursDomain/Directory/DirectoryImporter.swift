import Foundation
import Logging
import PostgresNIO

/// How far an import has gone, reported after each batch and at the end.
public struct DirectoryImportProgress: Sendable {
    /// The bytes of CSV read so far (uncompressed, for a zip).
    public var bytesRead: Int
    /// The size of the CSV, when known (a regular file, or the size a zip archive records for its member).
    public var totalBytes: Int?
    /// The data rows read so far (the header not counted).
    public var rowsRead: Int
    /// The seconds since the import started.
    public var seconds: Double

    /// The part done, from 0 to 1, when the size is known.
    public var fraction: Double? {
        guard let totalBytes, totalBytes > 0 else { return nil }
        return min(1, Double(bytesRead) / Double(totalBytes))
    }
}

/// A row an import skipped: where it is and why.
public struct RejectedRow: Sendable, Equatable, CustomStringConvertible {
    /// The line of the file the row starts on.
    public var line: Int
    /// Why it was skipped.
    public var reason: String

    public var description: String { "line \(line): \(reason)" }
}

/// What one file's import did.
public struct DirectoryImportSummary: Sendable {
    /// The file imported.
    public var file: String
    /// Which SIRENE file it was.
    public var kind: SireneFileKind
    /// The data rows read (the header not counted).
    public var rowsRead: Int
    /// The rows written or found already up to date.
    public var imported: Int
    /// Of those, the rows that were new.
    public var inserted: Int
    /// Of those, the rows that existed and changed.
    public var updated: Int
    /// The rows skipped: wrong number of fields, invalid SIRET or SIREN, a date that is not one, an unclosed quote.
    public var rejected: Int
    /// The first rejected rows (at most ``DirectoryImporter/reportedRejections``), with their line.
    public var firstRejections: [RejectedRow]
    /// The time the import took, in seconds.
    public var seconds: Double

    /// The rows that existed unchanged (a re-import of the same file changes nothing).
    public var unchanged: Int { imported - inserted - updated }

    /// Rows read per second.
    public var rowsPerSecond: Double { seconds > 0 ? Double(rowsRead) / seconds : 0 }
}

/// Imports INSEE's SIRENE stock files (`StockEtablissement`, `StockUniteLegale`; CSV, plain or zipped) into the
/// structure directory.
///
/// The file is streamed: a chunk of bytes and one batch of rows are in memory at a time, whatever its size. Which
/// file it is comes from its header, and columns are found by name. Rows are written in batches by upserts keyed
/// on the SIRET or SIREN, so importing a file again (or a newer stock over an older one) is idempotent. A bad row
/// is counted and skipped, never fatal. The connection must be the tables' owner's (the role that migrates): the
/// application's role may only read the directory.
public struct DirectoryImporter: Sendable {
    /// The rows written per statement.
    public var batchSize: Int
    /// How many rejected rows the summary lists (all are counted).
    public var reportedRejections: Int
    /// The bytes read from the file at a time.
    public var chunkSize: Int

    /// An importer writing `batchSize` rows per statement.
    public init(batchSize: Int = 2000, reportedRejections: Int = 10, chunkSize: Int = 1 << 16) {
        self.batchSize = max(1, batchSize)
        self.reportedRejections = reportedRejections
        self.chunkSize = chunkSize
    }

    /// Imports the SIRENE file at `url` (`.csv`, or a `.zip` holding one CSV), calling `progress` after each batch.
    ///
    /// - Throws: ``DirectoryError`` when the file cannot be read or is not a SIRENE stock file; PostgresNIO's
    ///   errors when the database refuses a batch (batches written before stay written: importing again resumes).
    public func importFile(
        at url: URL, on connection: PostgresConnection, logger: Logger,
        progress: (DirectoryImportProgress) -> Void = { _ in }
    ) async throws -> DirectoryImportSummary {
        let input = try DirectoryInput(url: url)
        var reader = CSVReader(source: input.source, chunkSize: chunkSize)
        let summary = try await importRecords(
            from: &reader, named: url.path, totalBytes: input.totalBytes, on: connection, logger: logger,
            progress: progress)
        try input.finish()
        return summary
    }

    /// The files of the SIRENE sample (`examples/sirene`), legal units first.
    public static let sampleFiles = ["StockUniteLegale_utf8.csv", "StockEtablissement_utf8.csv"]

    /// Imports the SIRENE sample of `folder` (``sampleFiles``), as `parcours dev` and the tests use it.
    public func importSample(
        in folder: URL, on connection: PostgresConnection, logger: Logger
    ) async throws -> [(file: String, summary: DirectoryImportSummary)] {
        var summaries: [(file: String, summary: DirectoryImportSummary)] = []
        for file in Self.sampleFiles {
            let summary = try await importFile(
                at: folder.appendingPathComponent(file), on: connection, logger: logger)
            summaries.append((file, summary))
        }
        return summaries
    }

    /// Imports the records of `reader`, whose first record is the header.
    public func importRecords<Source: ByteSource>(
        from reader: inout CSVReader<Source>, named name: String, totalBytes: Int? = nil,
        on connection: PostgresConnection, logger: Logger, progress: (DirectoryImportProgress) -> Void = { _ in }
    ) async throws -> DirectoryImportSummary {
        let clock = ContinuousClock()
        let start = clock.now
        func elapsed() -> Double {
            let duration = clock.now - start
            return Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
        }
        guard let headerRecord = try reader.next() else { throw DirectoryError("\(name) is empty: no header line") }
        let mapper = try SireneRowMapper(header: CSVHeader(headerRecord.fields))
        var summary = DirectoryImportSummary(
            file: name, kind: mapper.kind, rowsRead: 0, imported: 0, inserted: 0, updated: 0, rejected: 0,
            firstRejections: [], seconds: 0)
        var establishments = EstablishmentBatch()
        var legalUnits = LegalUnitBatch()

        func reject(_ line: Int, _ reason: String) {
            summary.rejected += 1
            if summary.firstRejections.count < reportedRejections {
                summary.firstRejections.append(RejectedRow(line: line, reason: reason))
            }
        }
        func flush() async throws {
            let counts: (inserted: Int, updated: Int)
            switch mapper.kind {
            case .establishments:
                guard !establishments.isEmpty else { return }
                counts = try await establishments.write(on: connection, logger: logger)
                establishments.removeAll()
            case .legalUnits:
                guard !legalUnits.isEmpty else { return }
                counts = try await legalUnits.write(on: connection, logger: logger)
                legalUnits.removeAll()
            }
            summary.inserted += counts.inserted
            summary.updated += counts.updated
            progress(
                DirectoryImportProgress(
                    bytesRead: reader.bytesRead, totalBytes: totalBytes, rowsRead: summary.rowsRead, seconds: elapsed()
                ))
        }

        while let record = try reader.next() {
            // A blank line (one empty field) is no row; a stray blank line at the end of a file is common.
            if record.fields.count == 1 && record.fields[0].isEmpty && record.problem == nil { continue }
            summary.rowsRead += 1
            if let problem = record.problem {
                reject(record.line, problem)
                continue
            }
            do throws(SireneRowProblem) {
                switch mapper.kind {
                case .establishments: establishments.add(try mapper.establishment(record.fields))
                case .legalUnits: legalUnits.add(try mapper.legalUnit(record.fields))
                }
                summary.imported += 1
            } catch {
                reject(record.line, error.reason)
            }
            if establishments.count >= batchSize || legalUnits.count >= batchSize { try await flush() }
        }
        try await flush()
        summary.seconds = elapsed()
        progress(
            DirectoryImportProgress(
                bytesRead: reader.bytesRead, totalBytes: totalBytes, rowsRead: summary.rowsRead,
                seconds: summary.seconds))
        logger.info(
            "directory import done",
            metadata: [
                "file": "\(name)", "rows": "\(summary.rowsRead)", "rejected": "\(summary.rejected)",
                "seconds": "\(summary.seconds)",
            ])
        return summary
    }
}

// MARK: - Batches

/// Text columns of one batch. Each column is sent as one text parameter, its values joined by the ASCII unit
/// separator (U+001F, which SIRENE data never holds: it is replaced by a space if it does), and split back with
/// `string_to_array` and `unnest`ed in the statement: one statement and one parameter per column for a batch of
/// any size, and encoding a parameter is a copy of its bytes. Nil is sent as the empty string, which the statement
/// turns back into NULL.
private struct ColumnArrays {
    static let unitSeparator = "\u{1F}"

    var columns: [[String]]
    private(set) var count = 0
    /// The row of each key in the batch: a key seen twice in a batch keeps its last row (an upsert cannot touch a
    /// row twice in one statement).
    private var rowByKey: [String: Int] = [:]

    init(columnCount: Int) { columns = Array(repeating: [], count: columnCount) }

    var isEmpty: Bool { count == 0 }

    mutating func add(key: String, _ values: [String?]) {
        let values = values.map { value -> String in
            guard let value else { return "" }
            return value.utf8.contains(0x1F) ? value.replacingOccurrences(of: Self.unitSeparator, with: " ") : value
        }
        if let row = rowByKey[key] {
            for (column, value) in values.enumerated() { columns[column][row] = value }
            return
        }
        rowByKey[key] = count
        for (column, value) in values.enumerated() { columns[column].append(value) }
        count += 1
    }

    mutating func removeAll() {
        for index in columns.indices { columns[index].removeAll(keepingCapacity: true) }
        rowByKey.removeAll(keepingCapacity: true)
        count = 0
    }

    /// Runs `sql` with the columns as parameters $1…$n; returns the (inserted, updated) counts it selects.
    func write(_ sql: String, on connection: PostgresConnection, logger: Logger) async throws -> (Int, Int) {
        var bindings = PostgresBindings(capacity: columns.count)
        for column in columns { bindings.append(column.joined(separator: Self.unitSeparator)) }
        let rows = try await connection.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: logger)
        var result = (0, 0)
        for try await (inserted, updated) in rows.decode((Int, Int).self) { result = (inserted, updated) }
        return result
    }
}

/// The SQL of an upsert of `table` from text parameters split into arrays (see ``ColumnArrays``) and `unnest`ed:
/// `columns` are (name, SQL type) in parameter order,
/// the first is the key. Only rows that change are written (a re-import leaves the table untouched); the statement
/// selects how many rows were inserted and how many updated.
private func upsertStatement(table: String, columns: [(name: String, type: String)]) -> String {
    let names = columns.map(\.name)
    let parameters = columns.indices.map { "string_to_array($\($0 + 1)::text, chr(31))" }.joined(separator: ", ")
    let converted = columns.map { column in
        column.type == "text" ? "nullif(\(column.name), '')" : "nullif(\(column.name), '')::\(column.type)"
    }.joined(separator: ", ")
    let updated = names.dropFirst()
    return """
        WITH upserted AS (
            INSERT INTO \(table) AS existing (\(names.joined(separator: ", ")))
            SELECT \(converted)
            FROM unnest(\(parameters)) AS incoming(\(names.joined(separator: ", ")))
            ON CONFLICT (\(names[0])) DO UPDATE
                SET \(updated.map { "\($0) = excluded.\($0)" }.joined(separator: ", ")), imported_at = now()
                WHERE (\(updated.map { "existing.\($0)" }.joined(separator: ", ")))
                    IS DISTINCT FROM (\(updated.map { "excluded.\($0)" }.joined(separator: ", ")))
            RETURNING (xmax = 0) AS inserted
        )
        SELECT count(*) FILTER (WHERE inserted)::bigint, count(*) FILTER (WHERE NOT inserted)::bigint FROM upserted
        """
}

private struct EstablishmentBatch {
    static let columns: [(name: String, type: String)] = [
        ("siret", "text"), ("siren", "text"), ("state", "text"), ("diffusion", "text"), ("head_office", "boolean"),
        ("street_number", "text"), ("repetition_index", "text"), ("street_type", "text"), ("street_name", "text"),
        ("address_complement", "text"), ("postcode", "text"), ("city", "text"), ("foreign_city", "text"),
        ("foreign_country_code", "text"), ("foreign_country", "text"), ("sign_name", "text"), ("usual_name", "text"),
        ("created_on", "date"), ("period_started_on", "date"), ("last_processed_at", "timestamp"),
    ]
    static let statement = upsertStatement(table: "directory_establishments", columns: columns)

    private var arrays = ColumnArrays(columnCount: columns.count)
    var count: Int { arrays.count }
    var isEmpty: Bool { arrays.isEmpty }

    mutating func add(_ row: SireneEstablishment) {
        arrays.add(
            key: row.siret,
            [
                row.siret, row.siren, row.administrativeState, row.diffusionStatus, row.isHeadOffice.map { "\($0)" },
                row.streetNumber, row.repetitionIndex, row.streetType, row.streetName, row.addressComplement,
                row.postcode, row.city, row.foreignCity, row.foreignCountryCode, row.foreignCountry, row.signName,
                row.usualName, row.createdOn, row.periodStartedOn, row.lastProcessedAt,
            ])
    }

    mutating func removeAll() { arrays.removeAll() }

    func write(on connection: PostgresConnection, logger: Logger) async throws -> (inserted: Int, updated: Int) {
        try await arrays.write(Self.statement, on: connection, logger: logger)
    }
}

private struct LegalUnitBatch {
    static let columns: [(name: String, type: String)] = [
        ("siren", "text"), ("state", "text"), ("diffusion", "text"), ("denomination", "text"), ("acronym", "text"),
        ("last_name", "text"), ("usage_name", "text"), ("first_name", "text"), ("usual_first_name", "text"),
        ("legal_category", "text"), ("created_on", "date"), ("period_started_on", "date"),
        ("last_processed_at", "timestamp"),
    ]
    static let statement = upsertStatement(table: "directory_legal_units", columns: columns)

    private var arrays = ColumnArrays(columnCount: columns.count)
    var count: Int { arrays.count }
    var isEmpty: Bool { arrays.isEmpty }

    mutating func add(_ row: SireneLegalUnit) {
        arrays.add(
            key: row.siren,
            [
                row.siren, row.administrativeState, row.diffusionStatus, row.denomination, row.acronym, row.lastName,
                row.usageName, row.firstName, row.usualFirstName, row.legalCategory, row.createdOn,
                row.periodStartedOn, row.lastProcessedAt,
            ])
    }

    mutating func removeAll() { arrays.removeAll() }

    func write(on connection: PostgresConnection, logger: Logger) async throws -> (inserted: Int, updated: Int) {
        try await arrays.write(Self.statement, on: connection, logger: logger)
    }
}
