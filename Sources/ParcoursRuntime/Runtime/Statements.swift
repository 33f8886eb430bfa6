import Foundation
import Logging
import NIOCore
import ParcoursDSL
import ParcoursEngine
import PostgresNIO

/// The statements every event runs, prepared once per connection (`PostgresPreparedStatement`): PostgreSQL parses
/// and plans them once instead of at every execution, and the client sends only the bound values.
///
/// A statement whose preparation fails stays failed on that connection (PostgresNIO keeps the error), so none of
/// them may be prepared inside a transaction that already failed: the runtime never runs a statement after an error
/// in a transaction, and `Runtime.inTenant` closes a connection that reports 25P02 (in failed transaction) anyway.
enum Statements {
    struct Begin: TransactionControl {
        static let name = "parcours_begin"
        static let sql = "BEGIN"
    }

    struct Commit: TransactionControl {
        static let name = "parcours_commit"
        static let sql = "COMMIT"
    }

    struct Rollback: TransactionControl {
        static let name = "parcours_rollback"
        static let sql = "ROLLBACK"
    }

    /// The tenant of the transaction, which row-level security reads.
    struct SetTenant: PostgresPreparedStatement {
        static let name = "parcours_set_tenant"
        static let sql = "SELECT set_config('parcours.tenant', $1, true)"
        static let bindingDataTypes: [PostgresDataType] = [.text]
        typealias Row = ()
        var tenant: String
        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 1)
            bindings.append(tenant)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    static let instanceColumns = """
        process, version, state, outcome, context::text, settings::text, output::text, entries, waits::text,
        parent_id, revision, started_at
        """
    typealias InstanceRow = (String, Int, String, String?, String, String, String, Int, String, String?, Int, Date)

    struct LoadInstance: InstanceQuery {
        static let name = "parcours_load_instance"
        static let sql = "SELECT \(instanceColumns) FROM instances WHERE instance_id = $1"
        var id: String
    }

    /// The instance, locked until the end of the transaction: events on one instance are serialised.
    struct LockInstance: InstanceQuery {
        static let name = "parcours_lock_instance"
        static let sql = "SELECT \(instanceColumns) FROM instances WHERE instance_id = $1 FOR UPDATE"
        var id: String
    }

    /// History rows, bound as parallel arrays (one per column) numbered after the instance's last row: `unnest …
    /// WITH ORDINALITY` keeps their order, and the instance is locked, so the numbers cannot race. Each array is
    /// written from the rows themselves when the statement is sent, rather than copied into arrays of its own first.
    struct HistoryRows: Sendable {
        var rows: [HistoryWriter.Row]
        /// Each row's details as JSON text, in the rows' order.
        var details: NullableTextArray

        init(_ rows: [HistoryWriter.Row]) {
            self.rows = rows
            details = NullableTextArray(values: rows.map { $0.details.compactStorageJSON })
        }

        func append(to bindings: inout PostgresBindings) {
            bindings.append(HistoryTimes(rows: rows))
            bindings.append(HistoryTexts(rows: rows, column: .kind))
            bindings.append(HistoryTexts(rows: rows, column: .event))
            bindings.append(HistoryTexts(rows: rows, column: .from))
            bindings.append(HistoryTexts(rows: rows, column: .to))
            bindings.append(HistoryTexts(rows: rows, column: .actor))
            bindings.append(details)
        }
    }

    /// The `SELECT` that numbers history rows bound from `$first` on, for instance `$2` of tenant `$1`.
    static func historySelect(instance: String, first: Int) -> String {
        let p = (first..<first + 7).map { "$\($0)" }
        return """
            SELECT \(instance).tenant_id, \(instance).instance_id, last.seq + r.ord, r.at, r.kind, r.event, r.from_state,
                r.to_state, r.actor, r.details::jsonb
            FROM \(instance),
                (SELECT coalesce(max(seq), 0) AS seq FROM history WHERE tenant_id = $1 AND instance_id = $2) AS last,
                unnest(\(p[0])::timestamptz[], \(p[1])::text[], \(p[2])::text[], \(p[3])::text[], \(p[4])::text[],
                    \(p[5])::text[], \(p[6])::text[]) WITH ORDINALITY AS r(at, kind, event, from_state, to_state, actor,
                    details, ord)
            """
    }

    static let historyColumns = "tenant_id, instance_id, seq, at, kind, event, from_state, to_state, actor, details"
    static let historyTypes: [PostgresDataType] = [
        .timestamptzArray, .textArray, .textArray, .textArray, .textArray, .textArray, .textArray,
    ]

    /// Appends history rows to an instance: one statement whatever their number.
    struct AppendHistory: PostgresPreparedStatement {
        static let name = "parcours_append_history"
        static let sql = """
            WITH target AS (SELECT $1::text AS tenant_id, $2::text AS instance_id)
            INSERT INTO history (\(historyColumns))
            \(historySelect(instance: "target", first: 3))
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text] + historyTypes
        typealias Row = ()
        var tenant: String
        var instance: String
        var rows: HistoryRows
        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 9)
            bindings.append(tenant)
            bindings.append(instance)
            rows.append(to: &bindings)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// An instance's new row as both ways of storing a step bind it, with the history rows that go with it.
    struct InstanceUpdate: Sendable {
        var state: String
        var status: String
        var outcome: String?
        var context: String
        var output: String
        var entries: Int
        var waits: String
        var now: Date
        var rows: HistoryRows

        static let bindingDataTypes: [PostgresDataType] =
            [.text, .text, .text, .text, .text, .int4, .text, .timestamptz] + historyTypes

        init(_ instance: InstanceState, now: Date, history: [HistoryWriter.Row]) {
            state = instance.state
            status = instance.status.isFinished ? "finished" : "waiting"
            outcome = instance.outcome
            context = Value.object(instance.context).compactStorageJSON
            output = Value.object(instance.output).compactStorageJSON
            entries = instance.entries
            // What most states wait on (nothing besides events) without encoding: `waitsValue.storageJSON`.
            waits =
                instance.timers.isEmpty && instance.task == nil && instance.child == nil
                ? #"{"timers":[]}"# : instance.waitsValue.storageJSON
            self.now = now
            rows = HistoryRows(history)
        }

        /// The size of the context and output as stored: most of what a cached instance holds.
        var storedBytes: Int { context.utf8.count + output.utf8.count }

        func append(to bindings: inout PostgresBindings) {
            bindings.append(state)
            bindings.append(status)
            bindings.append(outcome)
            bindings.append(context)
            bindings.append(output)
            bindings.append(Int32(entries))
            bindings.append(waits)
            bindings.append(now)
            rows.append(to: &bindings)
        }
    }

    /// Applies an event whose step only moves the instance, in one statement and its own implicit transaction, if
    /// the instance is still at `expected` (db/005_apply_event_call.sql, its body since db/006); otherwise it fails
    /// with SQLSTATE 40001 and changes nothing. A `CALL` without a result row: no RowDescription or DataRow to
    /// decode, PostgresNIO completes it on CommandComplete (with the empty, finished form of its row stream).
    struct ApplyEvent: PostgresPreparedStatement {
        static let name = "parcours_apply_event_checked"
        static let sql =
            "CALL parcours_apply_event_checked($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18)"
        static let bindingDataTypes: [PostgresDataType] = [.text, .text, .int8] + InstanceUpdate.bindingDataTypes
        typealias Row = ()
        var tenant: String
        var instance: String
        var expected: Int
        var update: InstanceUpdate
        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 18)
            bindings.append(tenant)
            bindings.append(instance)
            bindings.append(expected)
            update.append(to: &bindings)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws {}
    }

    /// Stores an instance's new state and appends its history rows, in one statement.
    struct SaveInstance: PostgresPreparedStatement {
        static let name = "parcours_save_instance"
        static let sql = """
            WITH saved AS (
                UPDATE instances SET state = $3, status = $4, outcome = $5, context = $6::jsonb, output = $7::jsonb,
                    entries = $8, waits = $9::jsonb, revision = revision + 1, updated_at = $10
                WHERE tenant_id = $1 AND instance_id = $2
                RETURNING tenant_id, instance_id)
            INSERT INTO history (\(historyColumns))
            \(historySelect(instance: "saved", first: 11))
            """
        static let bindingDataTypes: [PostgresDataType] = [.text, .text] + InstanceUpdate.bindingDataTypes
        typealias Row = ()
        var tenant: String
        var instance: String
        var update: InstanceUpdate
        func makeBindings() -> PostgresBindings {
            var bindings = PostgresBindings(capacity: 17)
            bindings.append(tenant)
            bindings.append(instance)
            update.append(to: &bindings)
            return bindings
        }
        func decodeRow(_ row: PostgresRow) throws {}
    }
}

/// A `text[]` whose elements may be NULL (PostgresNIO encodes arrays of non-optional elements only).
struct NullableTextArray: PostgresNonThrowingEncodable, PostgresDynamicTypeEncodable, Sendable {
    var values: [String?] = []

    static var psqlType: PostgresDataType { .textArray }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        Self.write(count: values.count, into: &buffer) { values[$0] }
    }

    /// Writes `count` values (NULL for nil), `value(i)` the i-th, as a binary `text[]`.
    static func write(count: Int, into buffer: inout ByteBuffer, value: (Int) -> String?) {
        var size = 0
        var hasNulls = false
        for index in 0..<count {
            if let text = value(index) { size += 4 + text.utf8.count } else { size += 4; hasNulls = true }
        }
        BinaryArray.write(count: count, hasNulls: hasNulls, element: .text, size: size, into: &buffer) { output in
            for index in 0..<count {
                if var text = value(index) {
                    text.withUTF8 { output.write(length: $0.count, bytes: $0) }
                } else {
                    output.write(length: -1, bytes: nil)
                }
            }
        }
    }
}

/// The `at` column of history rows, as a `timestamptz[]`.
struct HistoryTimes: PostgresNonThrowingEncodable, PostgresDynamicTypeEncodable, Sendable {
    var rows: [HistoryWriter.Row]

    static var psqlType: PostgresDataType { .timestamptzArray }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        // Each instant as PostgresNIO writes a `Date`: microseconds since 2000-01-01, truncated.
        let epoch = Date(timeIntervalSince1970: 946_684_800)
        BinaryArray.write(
            count: rows.count, hasNulls: false, element: .timestamptz, size: rows.count * 12, into: &buffer
        ) { output in
            for index in rows.indices {
                let microseconds = Int64(rows[index].at.timeIntervalSince(epoch) * 1_000_000)
                withUnsafeBytes(of: microseconds.bigEndian) { output.write(length: 8, bytes: $0) }
            }
        }
    }
}

/// A text column of history rows, as a `text[]` (NULL where the row has no value).
struct HistoryTexts: PostgresNonThrowingEncodable, PostgresDynamicTypeEncodable, Sendable {
    enum Column: Sendable { case kind, event, from, to, actor }
    var rows: [HistoryWriter.Row]
    var column: Column

    static var psqlType: PostgresDataType { .textArray }
    static var psqlFormat: PostgresFormat { .binary }

    func encode<JSONEncoder: PostgresJSONEncoder>(
        into buffer: inout ByteBuffer, context: PostgresEncodingContext<JSONEncoder>
    ) {
        // By position: a row read as a whole would be copied (each of its strings retained) for one field.
        let rows = rows
        switch column {
        case .kind: NullableTextArray.write(count: rows.count, into: &buffer) { rows[$0].kind }
        case .event: NullableTextArray.write(count: rows.count, into: &buffer) { rows[$0].event }
        case .from: NullableTextArray.write(count: rows.count, into: &buffer) { rows[$0].from }
        case .to: NullableTextArray.write(count: rows.count, into: &buffer) { rows[$0].to }
        case .actor: NullableTextArray.write(count: rows.count, into: &buffer) { rows[$0].actor }
        }
    }
}

/// PostgreSQL's binary array format, written with one capacity check: every event binds seven arrays (its history
/// rows), and PostgresNIO's element-by-element writes cost a bounds and exclusivity check per integer.
enum BinaryArray {
    /// Where the elements go: each as its length (-1: NULL) and its bytes.
    struct Output {
        var base: UnsafeMutableRawPointer
        /// The bytes reserved: header and elements.
        var capacity: Int
        var offset = 0

        mutating func write(length: Int, bytes: UnsafeRawBufferPointer?) {
            precondition(offset + 4 + (bytes?.count ?? 0) <= capacity, "BinaryArray: more bytes than announced")
            base.storeBytes(of: Int32(length).bigEndian, toByteOffset: offset, as: Int32.self)
            offset += 4
            if let bytes, let source = bytes.baseAddress, bytes.count > 0 {
                (base + offset).copyMemory(from: source, byteCount: bytes.count)
                offset += bytes.count
            }
        }

        mutating func write(length: Int, bytes: UnsafeBufferPointer<UInt8>) {
            write(length: length, bytes: UnsafeRawBufferPointer(bytes))
        }
    }

    /// Writes the header (dimensions, has-nulls flag, element type; the length and lower bound of the one
    /// dimension) and then `elements`, which must write exactly `size` bytes.
    static func write(
        count: Int, hasNulls: Bool, element: PostgresDataType, size: Int, into buffer: inout ByteBuffer,
        elements: (inout Output) -> Void
    ) {
        let header = count == 0 ? 12 : 20
        buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: header + size) { raw in
            var output = Output(base: raw.baseAddress!, capacity: header + size)
            output.base.storeBytes(of: Int32(count == 0 ? 0 : 1).bigEndian, toByteOffset: 0, as: Int32.self)
            output.base.storeBytes(of: Int32(hasNulls ? 1 : 0).bigEndian, toByteOffset: 4, as: Int32.self)
            output.base.storeBytes(of: element.rawValue.bigEndian, toByteOffset: 8, as: UInt32.self)
            guard count > 0 else { return 12 }
            output.base.storeBytes(of: Int32(count).bigEndian, toByteOffset: 12, as: Int32.self)
            output.base.storeBytes(of: Int32(1).bigEndian, toByteOffset: 16, as: Int32.self)
            output.offset = 20
            elements(&output)
            precondition(output.offset == header + size, "BinaryArray: the elements wrote an unexpected size")
            return output.offset
        }
    }
}

extension PostgresConnection {
    /// Executes a prepared statement and reads its result to the end (see `run(_:logger:)`).
    func run<Statement: PostgresPreparedStatement>(_ statement: Statement, logger: Logger) async throws {
        let rows = try await execute(statement, logger: logger)
        for try await _ in rows {}
    }
}

/// A statement without parameters or rows: BEGIN, COMMIT, ROLLBACK.
protocol TransactionControl: PostgresPreparedStatement where Row == () {}

extension TransactionControl {
    func makeBindings() -> PostgresBindings { PostgresBindings() }
    func decodeRow(_ row: PostgresRow) throws {}
}

/// A statement reading one instance row by its id.
protocol InstanceQuery: PostgresPreparedStatement where Row == Statements.InstanceRow {
    var id: String { get }
}

extension InstanceQuery {
    static var bindingDataTypes: [PostgresDataType] { [.text] }

    func makeBindings() -> PostgresBindings {
        var bindings = PostgresBindings(capacity: 1)
        bindings.append(id)
        return bindings
    }

    func decodeRow(_ row: PostgresRow) throws -> Row { try row.decode(Row.self) }
}
