import Foundation
import ParcoursRuntime
import ParcoursTestSupport
import Testing

@Suite("Directory commands")
struct DirectoryCommandTests {
    static let sample = CLI.packageRoot.appendingPathComponent("examples/sirene")

    @Test func importsTheSampleThenLooksUp() async throws {
        let database = try await TestPostgres.freshDatabase(template: try await TestPostgres.migratedTemplate())
        let url = database.unredactedURL
        let units = Self.sample.appendingPathComponent("StockUniteLegale_utf8.csv").path
        let sites = Self.sample.appendingPathComponent("StockEtablissement_utf8.csv").path
        let first = try CLI.run(["directory", "import", "--database-url", url, units, sites])
        #expect(first.status == 0, "\(first.stderr)")
        #expect(
            first.stdout.contains("StockUniteLegale \(units): 19 rows read, 19 imported (19 new"), "\(first.stdout)")
        #expect(first.stdout.contains("StockEtablissement \(sites): 23 rows read, 23 imported (23 new"))
        #expect(first.stdout.contains("rows/s"))

        let again = try CLI.run(["directory", "import", sites], environment: ["DATABASE_URL": url])
        #expect(again.status == 0, "\(again.stderr)")
        #expect(again.stdout.contains("(0 new, 0 updated, 23 unchanged), 0 rejected"), "\(again.stdout)")

        let human = try CLI.run(["directory", "lookup", "--database-url", url, "79954986000010"])
        #expect(human.status == 0, "\(human.stderr)")
        #expect(human.stdout.contains("LE DRESSING DE LOUISE"))
        #expect(human.stdout.contains("13 B AV JOSEPH JAN"))
        #expect(human.stdout.contains("35170 BRUZ"))

        let json = try CLI.run(["directory", "lookup", "--database-url", url, "--json", "79954986000010"])
        #expect(json.status == 0)
        let object = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(object?["name"] as? String == "LE DRESSING DE LOUISE")
        #expect((object?["address"] as? [String: Any])?["line"] as? String == "13 B AV JOSEPH JAN")

        let unknown = try CLI.run(["directory", "lookup", "--database-url", url, "73282932000074"])
        #expect(unknown.status == 1)
        #expect(unknown.stderr.contains("not in the directory"))

        let invalid = try CLI.run(["directory", "lookup", "--database-url", url, "79954986000011"])
        #expect(invalid.status == 1)
        #expect(invalid.stderr.contains("not a valid SIRET"), "\(invalid.stderr)")

        let asServer = database.with(username: ServerRole.name, password: nil).unredactedURL
        let refused = try CLI.run(["directory", "import", "--database-url", asServer, units])
        #expect(refused.status == 1)
        #expect(refused.stderr.contains("permission denied"), "\(refused.stderr)")
        #expect(refused.stderr.contains("the role that runs the migrations"))

        let missing = try CLI.run(["directory", "import", "--database-url", url, "/nonexistent/Stock.csv"])
        #expect(missing.status == 1)
        #expect(missing.stderr.contains("cannot open /nonexistent/Stock.csv"), "\(missing.stderr)")
    }

    @Test func generatesASyntheticStock() throws {
        let folder = try CLI.temporaryFolder()
        defer { try? FileManager.default.removeItem(at: folder) }
        let result = try CLI.run(["directory", "generate", "--rows", "10", folder.path])
        #expect(result.status == 0, "\(result.stderr)")
        let sites = try String(
            contentsOf: folder.appendingPathComponent("StockEtablissement_utf8.csv"), encoding: .utf8)
        #expect(sites.split(separator: "\n").count == 11)
        let units = try String(contentsOf: folder.appendingPathComponent("StockUniteLegale_utf8.csv"), encoding: .utf8)
        #expect(units.split(separator: "\n").count == 6)
    }
}
