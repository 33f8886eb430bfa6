import Foundation
import Logging
import ParcoursDSL
import PostgresNIO
import Testing

@testable import ParcoursRuntime

/// The history's arrays are written by hand (`BinaryArray`): PostgreSQL must read them as it reads PostgresNIO's own
/// encoding of the same values.
@Suite("Binary arrays of the history")
struct BinaryArrayTests {
    /// Runs `body` with a connection to a fresh database.
    static func withConnection(_ body: @Sendable (PostgresConnection, Logger) async throws -> Void) async throws {
        try await RuntimeFixture.with { fixture in
            let connection = try await PostgresConnection.connect(
                configuration: try fixture.superuser.connectionConfiguration(), id: 3, logger: fixture.logger)
            do {
                try await body(connection, fixture.logger)
            } catch {
                try? await connection.close()
                throw error
            }
            try await connection.close()
        }
    }

    /// What PostgreSQL reads from the two bindings, cast to `type`, as its text form (which shows the bounds of an
    /// array whose lower bound is not 1, e.g. `[0:1]={a,b}`).
    static func read(_ bindings: PostgresBindings, as type: String, on connection: PostgresConnection, logger: Logger)
        async throws -> (String, String)
    {
        let query = PostgresQuery(
            unsafeSQL: "SELECT $1::\(type)::text, $2::\(type)::text", binds: bindings)
        var result = ("", "")
        for try await (first, second) in try await connection.query(query, logger: logger).decode(
            (String?, String?).self)
        {
            result = (first ?? "NULL", second ?? "NULL")
        }
        return result
    }

    @Test func textArraysReadAsPostgresNIOsEncodingOfTheSameTexts() async throws {
        try await Self.withConnection { connection, logger in
            for values: [String] in [
                [], ["event"], ["", "é ✓ 𝄞", String(repeating: "x", count: 5_000), "\"quoted\""],
            ] {
                var bindings = PostgresBindings()
                bindings.append(NullableTextArray(values: values.map(Optional.some)))
                bindings.append(values)
                let (mine, reference) = try await Self.read(bindings, as: "text[]", on: connection, logger: logger)
                #expect(mine == reference, "\(values)")
            }
        }
    }

    @Test func nullsAreWrittenAsNulls() async throws {
        try await Self.withConnection { connection, logger in
            var bindings = PostgresBindings()
            bindings.append(NullableTextArray(values: [nil, "form", nil, ""]))
            bindings.append(NullableTextArray(values: []))
            let (mine, empty) = try await Self.read(bindings, as: "text[]", on: connection, logger: logger)
            #expect(mine == #"{NULL,form,NULL,""}"#)
            #expect(empty == "{}")
        }
    }

    @Test func historyColumnsAreTheRowsFields() async throws {
        let at = Date(timeIntervalSince1970: 1_767_225_600.123_456_7)
        let rows = [
            HistoryWriter.Row(
                kind: "event", event: "submit", from: "form", to: nil, actor: nil, details: ["email": "a@b.fr"],
                at: at),
            HistoryWriter.Row(
                kind: "transition", event: "submit", from: "form", to: "form", actor: "agent", details: [:],
                at: at.addingTimeInterval(0.000_001)),
        ]
        try await Self.withConnection { connection, logger in
            // The instants as PostgresNIO writes them (microseconds, truncated).
            var times = PostgresBindings()
            times.append(HistoryTimes(rows: rows))
            times.append(rows.map(\.at))
            let (mine, reference) = try await Self.read(times, as: "timestamptz[]", on: connection, logger: logger)
            #expect(mine == reference)
            // To the microsecond, truncated (whatever the session's time zone).
            #expect(mine.contains(".123456") && mine.contains(".123457"), "\(mine)")
            for (column, expected) in [
                (HistoryTexts.Column.kind, "{event,transition}"), (.event, "{submit,submit}"),
                (.from, "{form,form}"), (.to, "{NULL,form}"), (.actor, "{NULL,agent}"),
            ] {
                var texts = PostgresBindings()
                texts.append(HistoryTexts(rows: rows, column: column))
                texts.appendNull()
                let (read, _) = try await Self.read(texts, as: "text[]", on: connection, logger: logger)
                #expect(read == expected, "\(column)")
            }
        }
        // No rows: empty arrays.
        try await Self.withConnection { connection, logger in
            var empty = PostgresBindings()
            empty.append(HistoryTimes(rows: []))
            empty.append(HistoryTexts(rows: [], column: .to))
            let (times, texts) = try await Self.read(empty, as: "text[]", on: connection, logger: logger)
            #expect(times == "{}")
            #expect(texts == "{}")
        }
        #expect(Statements.HistoryRows(rows).details.values == [#"{"email":"a@b.fr"}"#, "{}"])
        var bindings = PostgresBindings()
        Statements.HistoryRows(rows).append(to: &bindings)
        #expect(bindings.count == 7)
    }
}
