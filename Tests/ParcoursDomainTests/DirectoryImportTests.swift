import Foundation
import Logging
import ParcoursDSL
import ParcoursRuntime
import ParcoursTestSupport
import PostgresNIO
import Testing

@testable import ParcoursDomain

/// The sample of `examples/sirene/`.
enum SireneSample {
    static let folder = TestPostgres.packageRoot.appendingPathComponent("examples/sirene")
    static let legalUnits = folder.appendingPathComponent("StockUniteLegale_utf8.csv")
    static let establishments = folder.appendingPathComponent("StockEtablissement_utf8.csv")
    static let logger = Logger(label: "parcours.tests.directory")

    /// A fresh migrated database; `body` gets a superuser connection to it (the tables' owner's rights).
    static func withDatabase<Result>(
        _ body: (DatabaseConfiguration, PostgresConnection) async throws -> Result
    ) async throws -> Result {
        let database = try await TestPostgres.freshDatabase(template: try await TestPostgres.migratedTemplate())
        return try await TestPostgres.withConnection(to: database) { connection in
            try await body(database, connection)
        }
    }

    static func importSample(on connection: PostgresConnection) async throws -> [DirectoryImportSummary] {
        var summaries: [DirectoryImportSummary] = []
        for file in [legalUnits, establishments] {
            summaries.append(try await DirectoryImporter().importFile(at: file, on: connection, logger: logger))
        }
        return summaries
    }

    static func count(_ table: String, on connection: PostgresConnection) async throws -> Int {
        let rows = try await connection.query(PostgresQuery(unsafeSQL: "SELECT count(*) FROM \(table)"), logger: logger)
        var count = 0
        for try await value in rows.decode(Int.self) { count = value }
        return count
    }

    static func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("parcours-directory-\(UUID())")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return url
    }
}

@Suite("Directory: import and lookup")
struct DirectoryImportTests {
    let lookup = DirectoryLookup()

    @Test func importsTheSampleThenLooksTheGuidesStructureUp() async throws {
        try await SireneSample.withDatabase { _, connection in
            let summaries = try await SireneSample.importSample(on: connection)
            #expect(summaries.map(\.kind) == [.legalUnits, .establishments])
            #expect(summaries.map(\.rowsRead) == [19, 23])
            #expect(summaries.map(\.inserted) == [19, 23])
            #expect(summaries.map(\.rejected) == [0, 0])
            let value = try await lookup.lookup(
                siret: "799 549 860 00010", on: connection, logger: SireneSample.logger)
            // Exactly the example of workflows/actions.yaml.
            let expected: Value = .object([
                "found": .bool(true), "closed": .bool(false), "non_diffusible": .bool(false),
                "siren": .string("799549860"), "name": .string("LE DRESSING DE LOUISE"),
                "address": .object([
                    "number": .string("13"), "repetition": .string("B"), "street_type": .string("AV"),
                    "street": .string("JOSEPH JAN"), "line": .string("13 B AV JOSEPH JAN"), "complement": .null,
                    "postcode": .string("35170"), "city": .string("BRUZ"), "country": .null,
                ]),
            ])
            #expect(value == expected)
        }
    }

    @Test func closedNonDiffusibleForeignIndividualAndUnknownEstablishments() async throws {
        try await SireneSample.withDatabase { _, connection in
            _ = try await SireneSample.importSample(on: connection)
            func look(_ siret: String) async throws -> Value {
                try await lookup.lookup(siret: siret, on: connection, logger: SireneSample.logger)
            }
            let closed = try await look("41007919800025")
            #expect(closed[member: "found"] == .bool(true))
            #expect(closed[member: "closed"] == .bool(true))
            #expect(closed[member: "name"] == .string("BOULANGERIE DU CANAL"))
            #expect(closed[member: "address"][member: "line"] == .string("3 QU DE JEMMAPES"))

            let masked = try await look("41015838000015")
            #expect(masked[member: "found"] == .bool(true))
            #expect(masked[member: "non_diffusible"] == .bool(true))
            #expect(masked[member: "name"] == .null)
            #expect(masked[member: "siren"] == .string("410158380"))
            #expect(masked[member: "address"].objectValue?.values.allSatisfy(\.isNull) == true)

            let older = try await look("41063352300015")
            #expect(older[member: "non_diffusible"] == .bool(true))

            let abroad = try await look("41023757200020")
            #expect(abroad[member: "address"][member: "country"] == .string("ROYAUME-UNI"))
            #expect(abroad[member: "address"][member: "city"] == .string("LONDON SW1A 1AA"))
            #expect(abroad[member: "address"][member: "postcode"] == .null)
            #expect(abroad[member: "address"][member: "street"] == .string("12 HIGH STREET"))

            let person = try await look("41031676400019")
            #expect(person[member: "name"] == .string("CAMILLE LEROY"))

            let quoted = try await look("41039595800011")
            #expect(quoted[member: "name"] == .string("SOCIETE NOUVELLE DES TRANSPORTS \"RAPIDES\""))
            #expect(quoted[member: "address"][member: "complement"] == .string("BATIMENT C, 2EME ETAGE"))
            #expect(quoted[member: "closed"] == .bool(true))

            let unknown = try await look("73282932000074")
            #expect(unknown[member: "found"] == .bool(false))
            #expect(unknown[member: "siren"] == .null)
            #expect(unknown[member: "address"][member: "city"] == .null)

            await #expect(throws: DirectoryError.self) { try await look("79954986000011") }
        }
    }

    @Test func importingAgainChangesNothing() async throws {
        try await SireneSample.withDatabase { _, connection in
            _ = try await SireneSample.importSample(on: connection)
            let again = try await SireneSample.importSample(on: connection)
            #expect(again.map(\.inserted) == [0, 0])
            #expect(again.map(\.updated) == [0, 0])
            #expect(again.map(\.unchanged) == [19, 23])
            #expect(try await SireneSample.count("directory_legal_units", on: connection) == 19)
            #expect(try await SireneSample.count("directory_establishments", on: connection) == 23)
        }
    }

    @Test func badRowsAreCountedReportedAndSkipped() async throws {
        let folder = try SireneSample.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("StockEtablissement.csv")
        try """
        siren,nic,siret,etatAdministratifEtablissement,libelleVoieEtablissement,dateDebut
        799549860,00010,79954986000010,A,JOSEPH JAN,2013-12-18
        799549860,00010,79954986000011,A,BAD CHECK DIGIT,
        799549860,00010,79954986000010,A,TOO,MANY,FIELDS
        799549860,00010,79954986000010,A,"OPEN QUOTE
        """.write(to: file, atomically: true, encoding: .utf8)
        try await SireneSample.withDatabase { _, connection in
            let summary = try await DirectoryImporter(reportedRejections: 2).importFile(
                at: file, on: connection, logger: SireneSample.logger)
            #expect(summary.rowsRead == 4)
            #expect(summary.imported == 1)
            #expect(summary.rejected == 3)
            #expect(summary.firstRejections.map(\.line) == [3, 4])
            #expect(summary.firstRejections.first?.reason.contains("invalid SIRET '79954986000011'") == true)
            #expect(try await SireneSample.count("directory_establishments", on: connection) == 1)
        }
    }

    @Test func aFileThatIsNotSireneStopsWithAClearMessage() async throws {
        let folder = try SireneSample.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let file = folder.appendingPathComponent("other.csv")
        try "name,city\nA,B\n".write(to: file, atomically: true, encoding: .utf8)
        try await SireneSample.withDatabase { _, connection in
            await #expect(throws: DirectoryError.self) {
                try await DirectoryImporter().importFile(at: file, on: connection, logger: SireneSample.logger)
            }
            await #expect(throws: DirectoryError.self) {
                try await DirectoryImporter().importFile(
                    at: folder.appendingPathComponent("missing.csv"), on: connection, logger: SireneSample.logger)
            }
            let folderError = await #expect(throws: DirectoryError.self) {
                try await DirectoryImporter().importFile(at: folder, on: connection, logger: SireneSample.logger)
            }
            #expect(folderError?.description.contains("is a folder") == true)
        }
    }

    @Test func readsAZippedFileByStreaming() async throws {
        let folder = try SireneSample.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let archive = folder.appendingPathComponent("StockEtablissement_utf8.zip")
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        zip.arguments = ["-j", "-q", archive.path, SireneSample.establishments.path]
        try zip.run()
        zip.waitUntilExit()
        try #require(zip.terminationStatus == 0)
        try await SireneSample.withDatabase { _, connection in
            var last: DirectoryImportProgress?
            let summary = try await DirectoryImporter().importFile(
                at: archive, on: connection, logger: SireneSample.logger, progress: { last = $0 })
            #expect(summary.kind == .establishments)
            #expect(summary.inserted == 23)
            #expect(summary.rejected == 0)
            let size = try FileManager.default.attributesOfItem(atPath: SireneSample.establishments.path)[.size]
            #expect(last?.totalBytes == (size as? NSNumber)?.intValue)
            #expect(last?.fraction == 1)
        }
    }

    @Test func aZipWithSeveralFilesIsRefused() async throws {
        let folder = try SireneSample.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let archive = folder.appendingPathComponent("both.zip")
        let zip = Process()
        zip.executableURL = URL(fileURLWithPath: "/usr/bin/zip")
        zip.arguments = ["-j", "-q", archive.path, SireneSample.establishments.path, SireneSample.legalUnits.path]
        try zip.run()
        zip.waitUntilExit()
        try await SireneSample.withDatabase { _, connection in
            let error = await #expect(throws: DirectoryError.self) {
                try await DirectoryImporter().importFile(at: archive, on: connection, logger: SireneSample.logger)
            }
            #expect(error?.description.contains("exactly one CSV file, not 2") == true)
        }
    }

    @Test func batchesOfAnySizeGiveTheSameDirectory() async throws {
        let folder = try SireneSample.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let files = try SireneGenerator(establishments: 1_001).write(into: folder)
        try await SireneSample.withDatabase { _, connection in
            let units = try await DirectoryImporter(batchSize: 7, chunkSize: 100).importFile(
                at: files.legalUnits, on: connection, logger: SireneSample.logger)
            let sites = try await DirectoryImporter(batchSize: 300).importFile(
                at: files.establishments, on: connection, logger: SireneSample.logger)
            #expect(units.inserted == 501)
            #expect(units.rejected == 0)
            #expect(sites.inserted == 1_001)
            #expect(sites.rejected == 0)
            let first = try await lookup.lookup(
                siret: SireneGenerator.siret(unit: 0, establishment: 1), on: connection, logger: SireneSample.logger)
            #expect(first[member: "name"] == .string("SOCIETE GENERALE DE TEST 0"))
        }
    }

    @Test func theApplicationRoleMayReadTheDirectoryButNotWriteIt() async throws {
        try await SireneSample.withDatabase { database, connection in
            _ = try await SireneSample.importSample(on: connection)
            let server = database.with(username: ServerRole.name, password: nil)
            try await TestPostgres.withConnection(to: server) { application in
                let value = try await lookup.lookup(
                    siret: "79954986000010", on: application, logger: SireneSample.logger)
                #expect(value[member: "name"] == .string("LE DRESSING DE LOUISE"))
                for statement in [
                    "INSERT INTO directory_legal_units (siren) VALUES ('732829320')",
                    "UPDATE directory_establishments SET city = 'X'",
                    "DELETE FROM directory_legal_units",
                ] {
                    let error = await #expect(throws: PSQLError.self) {
                        try await TestPostgres.execute(statement, on: application)
                    }
                    #expect(error?.serverInfo?[.sqlState] == "42501", "\(statement)")
                }
                let importError = await #expect(throws: PSQLError.self) {
                    try await DirectoryImporter().importFile(
                        at: SireneSample.legalUnits, on: application, logger: SireneSample.logger)
                }
                #expect(importError?.serverInfo?[.message]?.contains("permission denied") == true)
            }
        }
    }
}
