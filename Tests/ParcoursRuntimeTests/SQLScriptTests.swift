import ParcoursRuntime
import Testing

@Suite("SQL scripts are cut into statements like psql does")
struct SQLScriptTests {
    func statements(_ text: String) -> [String] { SQLScript(text).statements.map(\.sql) }

    @Test("semicolons end statements; blanks and comments alone are not statements")
    func basics() {
        #expect(
            statements("create table a (x int);\n\n  create table b (y int)  ;\n-- the end\n") == [
                "create table a (x int)", "create table b (y int)",
            ])
        #expect(statements("select 1") == ["select 1"])
        #expect(statements(" ;; -- nothing\n/* nothing */ ;").isEmpty)
    }

    @Test("semicolons in quotes, identifiers and comments do not cut")
    func quotes() {
        #expect(
            statements("insert into t values ('a;b', 'it''s;'); select \"x;y\" from t;") == [
                "insert into t values ('a;b', 'it''s;')", "select \"x;y\" from t",
            ])
        #expect(
            statements("select E'\\';' ; select 'back\\'; select 2") == [
                "select E'\\';'", "select 'back\\'", "select 2",
            ])
        #expect(
            statements("select 1; -- a; comment\nselect /* a; /* nested; */ still; */ 2;") == [
                "select 1", "select /* a; /* nested; */ still; */ 2",
            ])
    }

    @Test("dollar-quoted bodies survive, with or without a tag")
    func dollarQuotes() {
        let script = """
            DO $$
            BEGIN
                IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'app') THEN
                    CREATE ROLE app;
                END IF;
            END
            $$;
            CREATE FUNCTION f() RETURNS text LANGUAGE plpgsql AS $body$
            BEGIN
                RETURN $$a;b$$;
            END;
            $body$;
            SELECT $1, a$b$c FROM t;
            """
        let cut = SQLScript(script).statements
        #expect(cut.count == 3)
        #expect(cut[0].sql.hasPrefix("DO $$") && cut[0].sql.hasSuffix("$$"))
        #expect(cut[0].line == 1)
        #expect(cut[1].sql.hasSuffix("$body$"))
        #expect(cut[1].line == 8)
        #expect(cut[2].sql == "SELECT $1, a$b$c FROM t")
        #expect(cut[2].line == 13)
    }

    @Test("a BEGIN ATOMIC body of a SQL function is one statement")
    func beginAtomic() {
        let script = """
            CREATE OR REPLACE FUNCTION g(x int) RETURNS int LANGUAGE sql
            BEGIN ATOMIC
                SELECT CASE WHEN x > 0 THEN 1 ELSE 0 END;
                SELECT 2;
            END;
            SELECT g(1);
            """
        let cut = statements(script)
        #expect(cut.count == 2)
        #expect(cut[0].hasSuffix("END"))
        #expect(cut[1] == "SELECT g(1)")
    }

    @Test("parentheses hold semicolons (CREATE RULE … DO ALSO (…; …))")
    func parentheses() {
        #expect(
            statements("create rule r as on insert to t do also (select 1; select 2); select 3;") == [
                "create rule r as on insert to t do also (select 1; select 2)", "select 3",
            ])
    }

    @Test("lines: a statement starts after the comments before it; error positions map to lines")
    func lines() {
        let cut = SQLScript("-- header\n\n/* note */\ncreate table a (\n  x int,\n  y nope\n);").statements
        #expect(cut.count == 1)
        #expect(cut[0].line == 4)
        #expect(cut[0].sql.hasPrefix("create table"))
        let position =
            (cut[0].sql.range(of: "nope").map { cut[0].sql.distance(from: cut[0].sql.startIndex, to: $0.lowerBound) }
                ?? 0) + 1
        #expect(cut[0].line(atPosition: position) == 6)
    }
}
