import Foundation
import Logging
import ParcoursRuntime
import ParcoursTestSupport
import PostgresNIO
import Testing

@Suite("Migrations")
struct MigratorTests {
    /// A folder of migration files, removed by the caller.
    func folder(_ files: [String: String]) throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(
            "parcours-migrations-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        for (name, text) in files {
            let file = url.appendingPathComponent(name)
            try FileManager.default.createDirectory(
                at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: file, atomically: true, encoding: .utf8)
        }
        return url
    }

    /// The text values of the first column of `sql`'s rows.
    func strings(_ sql: String, on database: DatabaseConfiguration) async throws -> [String] {
        try await TestPostgres.withConnection(to: database) { connection in
            var values: [String] = []
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestPostgres.logger)
            for try await value in rows.decode(String?.self) { values.append(value ?? "NULL") }
            return values
        }
    }

    func migrate(_ migrator: Migrator, _ database: DatabaseConfiguration) async throws -> [String] {
        try await TestPostgres.withConnection(to: database) { connection in
            try await migrator.migrate(on: connection, logger: TestPostgres.logger).map(\.fileName)
        }
    }

    static let basic = [
        "001_accounts.sql": """
        -- Accounts; several statements.
        CREATE TABLE accounts (id int PRIMARY KEY, email text NOT NULL);
        CREATE INDEX accounts_email ON accounts (email);
        INSERT INTO accounts VALUES (1, 'a@example.org;not a separator');
        """,
        "002_roles.sql": """
        DO $$
        BEGIN
            IF NOT EXISTS (SELECT 1 FROM pg_tables WHERE tablename = 'roles') THEN
                CREATE TABLE roles (name text PRIMARY KEY);
            END IF;
        END
        $$;
        CREATE FUNCTION role_count() RETURNS bigint LANGUAGE plpgsql AS $body$
        BEGIN
            RETURN (SELECT count(*) FROM roles);
        END;
        $body$;
        INSERT INTO roles VALUES ('manager'), ('member');
        """,
        "010_later.sql": "ALTER TABLE accounts ADD COLUMN name text;",
        "README.md": "not a migration",
    ]

    @Test("applies in numeric order, each once, and records them; a second run applies nothing")
    func appliesInOrderOnce() async throws {
        let database = try await TestPostgres.freshDatabase()
        let directory = try folder(Self.basic)
        defer { try? FileManager.default.removeItem(at: directory) }
        let migrator = Migrator(directory: directory)

        let pending = try await TestPostgres.withConnection(to: database) { try await migrator.plan(on: $0) }
        #expect(pending.map(\.version) == [1, 2, 10])
        #expect(try await migrate(migrator, database) == ["001_accounts.sql", "002_roles.sql", "010_later.sql"])
        #expect(try await strings("SELECT role_count()::text", on: database) == ["2"])
        #expect(try await strings("SELECT email FROM accounts", on: database) == ["a@example.org;not a separator"])
        #expect(
            try await strings("SELECT version || ':' || name FROM parcours_migrations ORDER BY version", on: database)
                == ["1:accounts", "2:roles", "10:later"])
        let checksums = try await strings("SELECT checksum FROM parcours_migrations ORDER BY version", on: database)
        #expect(checksums.allSatisfy { $0.count == 64 })

        #expect(try await migrate(migrator, database).isEmpty)
        #expect(try await TestPostgres.withConnection(to: database) { try await migrator.plan(on: $0) }.isEmpty)
    }

    @Test("only the new file is applied later")
    func appliesNewFiles() async throws {
        let database = try await TestPostgres.freshDatabase()
        let directory = try folder(["001_a.sql": "CREATE TABLE a (x int);"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let migrator = Migrator(directory: directory)
        #expect(try await migrate(migrator, database) == ["001_a.sql"])
        try "CREATE TABLE b (y int);".write(
            to: directory.appendingPathComponent("002_b.sql"), atomically: true, encoding: .utf8)
        #expect(try await migrate(migrator, database) == ["002_b.sql"])
    }

    @Test("refuses to run when an applied file changed")
    func refusesChangedFile() async throws {
        let database = try await TestPostgres.freshDatabase()
        let directory = try folder(["001_a.sql": "CREATE TABLE a (x int);", "002_x.sql": "CREATE TABLE x (y int);"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let migrator = Migrator(directory: directory)
        _ = try await migrate(migrator, database)
        try "CREATE TABLE x (y bigint);".write(
            to: directory.appendingPathComponent("002_x.sql"), atomically: true, encoding: .utf8)
        try "CREATE TABLE c (z int);".write(
            to: directory.appendingPathComponent("003_c.sql"), atomically: true, encoding: .utf8)
        await #expect {
            try await migrate(migrator, database)
        } throws: { error in
            let error = error as? MigrationError
            return error?.code == .changedAfterApplied
                && error?.message.hasPrefix("migration 002_x.sql was changed after it was applied") == true
        }
        await #expect(throws: MigrationError.self) {
            try await TestPostgres.withConnection(to: database) { try await migrator.plan(on: $0) }
        }
        // Nothing was applied, nothing dropped.
        #expect(try await strings("SELECT to_regclass('c')::text", on: database) == ["NULL"])
        #expect(try await strings("SELECT name FROM parcours_migrations ORDER BY version", on: database) == ["a", "x"])
    }

    @Test("refuses to run when an applied file is missing, or a new one is numbered below an applied one")
    func refusesMissingAndOutOfOrder() async throws {
        let database = try await TestPostgres.freshDatabase()
        let directory = try folder(["001_a.sql": "SELECT 1;", "003_c.sql": "SELECT 3;"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let migrator = Migrator(directory: directory)
        _ = try await migrate(migrator, database)

        try "SELECT 2;".write(to: directory.appendingPathComponent("002_b.sql"), atomically: true, encoding: .utf8)
        await #expect {
            try await migrate(migrator, database)
        } throws: { error in
            (error as? MigrationError)?.code == .outOfOrder
                && "\(error)".contains("002_b.sql is numbered below 003_c.sql")
        }
        try FileManager.default.removeItem(at: directory.appendingPathComponent("002_b.sql"))
        try FileManager.default.removeItem(at: directory.appendingPathComponent("001_a.sql"))
        await #expect {
            try await migrate(migrator, database)
        } throws: { error in
            (error as? MigrationError)?.code == .missingFile
                && "\(error)".contains("001_a.sql was applied but is no longer")
        }
    }

    @Test("a failing statement rolls its whole migration back and says where")
    func failingStatement() async throws {
        let database = try await TestPostgres.freshDatabase()
        let directory = try folder([
            "001_ok.sql": "CREATE TABLE ok (x int);",
            "002_bad.sql": "CREATE TABLE half (x int);\n\nINSERT INTO half\n  VALUES (nope);\n",
            "003_never.sql": "CREATE TABLE never (x int);",
        ])
        defer { try? FileManager.default.removeItem(at: directory) }
        let migrator = Migrator(directory: directory)
        await #expect {
            try await migrate(migrator, database)
        } throws: { error in
            let error = error as? MigrationError
            return error?.code == .statementFailed
                && error?.message.hasPrefix("002_bad.sql:4: column \"nope\" does not exist") == true
        }
        #expect(try await strings("SELECT to_regclass('half')::text", on: database) == ["NULL"])
        #expect(try await strings("SELECT to_regclass('never')::text", on: database) == ["NULL"])
        #expect(try await strings("SELECT name FROM parcours_migrations", on: database) == ["ok"])
    }

    @Test("bad file names and transaction statements are refused before anything runs")
    func refusesBadFolders() throws {
        let badName = try folder(["1-first.sql": "SELECT 1;"])
        defer { try? FileManager.default.removeItem(at: badName) }
        #expect { try Migrator(directory: badName).migrations() } throws: { error in
            (error as? MigrationError)?.code == .badFileName
        }
        let duplicate = try folder(["001_a.sql": "SELECT 1;", "1_b.sql": "SELECT 2;"])
        defer { try? FileManager.default.removeItem(at: duplicate) }
        #expect { try Migrator(directory: duplicate).migrations() } throws: { error in
            "\(error)".contains("have the same number 1")
        }
        let transaction = try folder(["001_a.sql": "BEGIN;\nCREATE TABLE a (x int);\nCOMMIT;"])
        defer { try? FileManager.default.removeItem(at: transaction) }
        #expect { try Migrator(directory: transaction).migrations() } throws: { error in
            (error as? MigrationError)?.code == .transactionControl && "\(error)".hasPrefix("001_a.sql:1: remove BEGIN")
        }
        let missing = Migrator(directory: badName.appendingPathComponent("nowhere"))
        #expect { try missing.migrations() } throws: { error in
            (error as? MigrationError)?.code == .unreadableDirectory
        }
    }

    @Test("two migrators at once apply each file once")
    func concurrent() async throws {
        let database = try await TestPostgres.freshDatabase()
        var files: [String: String] = [:]
        for number in 1...8 {
            files[String(format: "%03d_step.sql", number)] =
                "CREATE TABLE step_\(number) (x int);\nSELECT pg_sleep(0.02);"
        }
        let directory = try folder(files)
        defer { try? FileManager.default.removeItem(at: directory) }
        let migrator = Migrator(directory: directory)
        async let first = migrate(migrator, database)
        async let second = migrate(migrator, database)
        let (one, two) = try await (first, second)
        #expect((one + two).sorted() == files.keys.sorted())
        #expect(Set(one).isDisjoint(with: two))
        #expect(try await strings("SELECT count(*)::text FROM parcours_migrations", on: database) == ["8"])
    }

    @Test("works through a PostgresClient")
    func throughClient() async throws {
        let database = try await TestPostgres.freshDatabase()
        let directory = try folder(["001_a.sql": "CREATE TABLE a (x int);"])
        defer { try? FileManager.default.removeItem(at: directory) }
        let client = PostgresClient(
            configuration: database.clientConfiguration(), backgroundLogger: TestPostgres.logger)
        let migrator = Migrator(directory: directory)
        let (plan, applied, again) = try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            let plan = try await migrator.plan(on: client).map(\.fileName)
            let applied = try await migrator.migrate(on: client).map(\.fileName)
            let again = try await migrator.migrate(on: client).map(\.fileName)
            return (plan, applied, again)
        }
        #expect(plan == ["001_a.sql"])
        #expect(applied == ["001_a.sql"])
        #expect(again.isEmpty)
    }

    @Test("the default folder: PARCOURS_MIGRATIONS, then ./db, then the package's db/")
    func defaultDirectory() throws {
        let explicit = Migrator.locateDefaultDirectory(environment: ["PARCOURS_MIGRATIONS": "/srv/migrations"])
        #expect(explicit?.path == "/srv/migrations")
        let here = try folder(["db/001_a.sql": ""])
        defer { try? FileManager.default.removeItem(at: here) }
        #expect(
            Migrator.locateDefaultDirectory(environment: [:], currentDirectory: here)?.path
                == here.appendingPathComponent("db").path)
        let elsewhere = FileManager.default.temporaryDirectory
        let found = try #require(Migrator.locateDefaultDirectory(environment: [:], currentDirectory: elsewhere))
        #expect(found.lastPathComponent == "db")
        #expect(
            FileManager.default.fileExists(
                atPath: found.deletingLastPathComponent().appendingPathComponent("Package.swift").path))
    }
}
