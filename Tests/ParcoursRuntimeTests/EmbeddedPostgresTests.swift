import Foundation
import ParcoursRuntime
import ParcoursTestSupport
import PostgresNIO
import Testing

@Suite("The embedded PostgreSQL")
struct EmbeddedPostgresTests {
    /// Runs `body` with the data directory of a new cluster; afterwards stops any server on it and deletes it.
    func withTemporaryCluster(_ body: (URL) async throws -> Void) async throws {
        let folder = try TestPostgres.temporaryClusterFolder()
        let data = folder.appendingPathComponent("data")
        do {
            try await body(data)
        } catch {
            try? await EmbeddedPostgres(dataDirectory: data).stop()
            try? FileManager.default.removeItem(at: folder)
            throw error
        }
        try await EmbeddedPostgres(dataDirectory: data).stop()
        try? FileManager.default.removeItem(at: folder)
    }

    func scalar(_ sql: String, on database: DatabaseConfiguration) async throws -> String? {
        try await TestPostgres.withConnection(to: database) { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestPostgres.logger)
            var value: String?
            for try await text in rows.decode(String?.self) { value = text }
            return value
        }
    }

    @Test("start creates the cluster once; stop is idempotent; a restart keeps the data")
    func startStopRestart() async throws {
        try await withTemporaryCluster { data in
            let postgres = EmbeddedPostgres(dataDirectory: data, forTests: true)

            async let first = postgres.start()
            async let second = postgres.start()
            let (one, two) = try await (first, second)
            #expect(one == two)
            #expect(one.host == "127.0.0.1")
            #expect(one.username == "parcours")
            #expect(one.database == "postgres")
            #expect(await postgres.configuration == one)
            #expect(try await scalar("SHOW fsync", on: one) == "off")
            #expect(try await scalar("SHOW server_encoding", on: one) == "UTF8")
            try await TestPostgres.withConnection(to: one) {
                try await TestPostgres.execute("CREATE TABLE kept (x int)", on: $0)
            }
            #expect(try await postgres.start() == one)

            try await postgres.stop()
            try await postgres.stop()
            #expect(await postgres.configuration == nil)
            await #expect(throws: DatabaseUnavailable.self) {
                try await DatabaseCheck.verify(one, timeout: .seconds(2))
            }

            let again = try await postgres.start()
            #expect(try await scalar("SELECT to_regclass('kept')::text", on: again) == "kept")
            try await postgres.stop()
        }
    }

    @Test("extra server settings apply; the Unix socket configuration reaches the same server")
    func settingsAndUnixSocket() async throws {
        try await withTemporaryCluster { data in
            let postgres = EmbeddedPostgres(
                dataDirectory: data, forTests: true,
                settings: [("max_wal_size", "2GB"), ("checkpoint_timeout", "45min")])
            let tcp = try await postgres.start()
            #expect(try await scalar("SHOW max_wal_size", on: tcp) == "2GB")
            #expect(try await scalar("SHOW checkpoint_timeout", on: tcp) == "45min")

            let socket = postgres.unixSocketConfiguration(tcp)
            #expect(
                socket.unixSocketPath == postgres.socketDirectory.appendingPathComponent(".s.PGSQL.\(tcp.port)").path)
            #expect(socket.username == tcp.username && socket.database == tcp.database)
            // A backend reached through a Unix socket has no client address.
            #expect(try await scalar("SELECT coalesce(host(inet_client_addr()), 'socket')", on: socket) == "socket")
            #expect(try await scalar("SELECT coalesce(host(inet_client_addr()), 'socket')", on: tcp) == "127.0.0.1")
            try await postgres.stop()

            for (name, value) in [("work_mem", "4MB -c fsync=off"), ("work_mem", "4'MB"), ("x;y", "1"), ("", "1")] {
                let refused = EmbeddedPostgres(dataDirectory: data, forTests: true, settings: [(name, value)])
                await #expect(throws: EmbeddedPostgresError.self) { try await refused.start() }
            }
        }
    }

    @Test("a server left running on the directory is reused, or restarted when its port differs")
    func reusesRunningServer() async throws {
        try await withTemporaryCluster { data in
            let earlier = try await EmbeddedPostgres(dataDirectory: data, forTests: true).start()

            // A later run (a new instance, as after a crash of the first process) finds it running.
            let later = EmbeddedPostgres(dataDirectory: data, forTests: true)
            #expect(try await later.start() == earlier)

            // Asked for another port, it restarts the server there.
            let port = try await closedPort()
            let moved = EmbeddedPostgres(dataDirectory: data, port: port, forTests: true)
            let configuration = try await moved.start()
            #expect(configuration.port == port)
            try await DatabaseCheck.verify(configuration, timeout: .seconds(3))
            await #expect(throws: DatabaseUnavailable.self) {
                try await DatabaseCheck.verify(earlier, timeout: .seconds(2))
            }
            try await moved.stop()
        }
    }

    @Test("a new instance stops a server a crashed run left on the directory (how `parcours bench` sweeps)")
    func stopsAServerLeftRunning() async throws {
        try await withTemporaryCluster { data in
            let earlier = try await EmbeddedPostgres(dataDirectory: data, forTests: true).start()
            try await EmbeddedPostgres(dataDirectory: data, forTests: true).stop()
            await #expect(throws: DatabaseUnavailable.self) {
                try await DatabaseCheck.verify(earlier, timeout: .seconds(2))
            }
            #expect(!FileManager.default.fileExists(atPath: data.appendingPathComponent("postmaster.pid").path))
        }
    }

    @Test("the folders of throwaway clusters whose owner is gone are removed, the others kept")
    func removesAbandonedClusters() throws {
        let parent = FileManager.default.temporaryDirectory.appendingPathComponent("abandoned-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: parent) }
        let ended = Process()
        ended.executableURL = URL(fileURLWithPath: "/bin/true")
        try ended.run()
        ended.waitUntilExit()
        let mine = try EmbeddedPostgres.makeOwnedFolder(prefix: "x-", in: parent)
        #expect(
            try String(contentsOf: mine.appendingPathComponent(EmbeddedPostgres.ownerFileName), encoding: .utf8)
                == "\(getpid())\n")
        let abandoned = try EmbeddedPostgres.makeOwnedFolder(prefix: "x-", in: parent)
        try "\(ended.processIdentifier)".write(
            to: abandoned.appendingPathComponent(EmbeddedPostgres.ownerFileName), atomically: true, encoding: .utf8)
        let unowned = parent.appendingPathComponent("x-unowned")
        try FileManager.default.createDirectory(at: unowned, withIntermediateDirectories: true)
        let otherPrefix = try EmbeddedPostgres.makeOwnedFolder(prefix: "y-", in: parent)
        try "\(ended.processIdentifier)".write(
            to: otherPrefix.appendingPathComponent(EmbeddedPostgres.ownerFileName), atomically: true, encoding: .utf8)

        let removed = EmbeddedPostgres.removeAbandonedClusters(prefix: "x-", dataFolder: "data", in: parent)
        #expect(removed.map(\.lastPathComponent) == [abandoned.lastPathComponent])
        for kept in [mine, unowned, otherPrefix] { #expect(FileManager.default.fileExists(atPath: kept.path)) }
        #expect(!FileManager.default.fileExists(atPath: abandoned.path))
    }

    @Test("a development cluster keeps fsync on")
    func developmentIsDurable() async throws {
        try await withTemporaryCluster { data in
            let postgres = EmbeddedPostgres(dataDirectory: data)
            let configuration = try await postgres.start()
            #expect(try await scalar("SHOW fsync", on: configuration) == "on")
            try await postgres.stop()
        }
    }

    @Test("errors say why: a folder that is not a cluster, a port in use (quoting postgres.log)")
    func errors() async throws {
        try await withTemporaryCluster { data in
            try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
            try "hello".write(to: data.appendingPathComponent("notes.txt"), atomically: true, encoding: .utf8)
            await #expect {
                try await EmbeddedPostgres(dataDirectory: data, forTests: true).start()
            } throws: { error in
                "\(error)".contains("is not empty and is not a PostgreSQL data directory")
            }

            let server = try await TestPostgres.server()
            guard server.host == "127.0.0.1" else { return }  // DATABASE_URL elsewhere: no port to collide with
            try await withTemporaryCluster { other in
                await #expect {
                    try await EmbeddedPostgres(dataDirectory: other, port: server.port, forTests: true).start()
                } throws: { error in
                    let text = "\(error)"
                    return error is EmbeddedPostgresError && text.contains("did not start")
                        && text.contains("postgres.log")
                        && text.contains("already in use")
                }
            }
        }
    }

    @Test("the server binaries are found")
    func binaries() throws {
        let folder = try #require(EmbeddedPostgres.locateBinaries())
        #expect(FileManager.default.isExecutableFile(atPath: folder.appendingPathComponent("initdb").path))
    }
}
