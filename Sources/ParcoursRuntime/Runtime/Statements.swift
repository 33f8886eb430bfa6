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

    /// History rows as parallel arrays, numbered after the instance's last row: `unnest … WITH ORDINALITY` keeps
    /// their order, and the instance is locked, so the numbers cannot race.
    struct HistoryRows: Sendable {
        var at: [Date] = []
        var kind: [String] = []
        var event = NullableTextArray()
        var from = NullableTextArray()
        var to = NullableTextArray()
        var actor = NullableTextArray()
        var details: [String] = []

        var isEmpty: Bool { kind.isEmpty }

        init(_ rows: [HistoryWriter.Row]) {
            at.reserveCapacity(rows.count)
            kind.reserveCapacity(rows.count)
            details.reserveCapacity(rows.count)
            for row in rows {
                at.append(row.at)
                kind.append(row.kind)
                event.values.append(row.event)
                from.values.append(row.from)
                to.values.append(row.to)
                actor.values.append(row.actor)
                details.append(row.details.compactStorageJSON)
            }
        }

        func append(to bindings: inout PostgresBindings) {
            bindings.append(at)
            bindings.append(kind)
            bindings.append(event)
            bindings.append(from)
            bindings.append(to)
            bindings.append(actor)
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
        // The binary array format: dimensions, has-nulls flag, element type; then per dimension its length and
        // lower bound; then each element as a length (-1: NULL) and its bytes.
        buffer.writeInteger(values.isEmpty ? 0 : 1, as: Int32.self)
        buffer.writeInteger(values.contains(where: { $0 == nil }) ? 1 : 0, as: Int32.self)
        buffer.writeInteger(PostgresDataType.text.rawValue)
        guard !values.isEmpty else { return }
        buffer.writeInteger(Int32(values.count))
        buffer.writeInteger(1, as: Int32.self)
        for value in values {
            if let value {
                buffer.writeInteger(Int32(value.utf8.count))
                buffer.writeString(value)
            } else {
                buffer.writeInteger(-1, as: Int32.self)
            }
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
