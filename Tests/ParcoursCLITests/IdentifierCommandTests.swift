import Foundation
import Testing

/// `parcours identifier validate`, run as a user would.
@Suite struct IdentifierCommandTests {
    @Test func validValuesExitWithZero() throws {
        let result = try CLI.run(["identifier", "validate", "siret", "732 829 320 00074", "73282932000074"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout == "732 829 320 00074: valid\n73282932000074: valid\n")
    }

    @Test func anInvalidValueExitsWithOne() throws {
        let result = try CLI.run(["identifier", "validate", "siren", "732829320", "732829321", "7328293A0", "123"])
        #expect(result.status == 1)
        #expect(
            result.stdout == """
                732829320: valid
                732829321: invalid: check digit does not match
                7328293A0: invalid: only digits expected, found 'A'
                123: invalid: 9 digits expected, got 3

                """)
    }

    @Test func everyType() throws {
        let values = [
            ("siret", "35600000049837"), ("siren", "552 008 443"), ("vat", "fr 40 303 265 045"), ("ridet", "123456"),
            ("tahiti", "A12345 001"),
        ]
        for (type, value) in values {
            let result = try CLI.run(["identifier", "validate", type, value])
            #expect(result.status == 0, "\(type) \(value): \(result.stdout)\(result.stderr)")
            #expect(result.stdout == "\(value): valid\n")
        }
    }

    @Test func jsonOutput() throws {
        let result = try CLI.run(["identifier", "validate", "vat", "--json", "FR44732829320", "GR094259216"])
        #expect(result.status == 1)
        let verdicts = try #require(
            JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(verdicts.count == 2)
        #expect(verdicts[0]["value"] as? String == "FR44732829320")
        #expect(verdicts[0]["valid"] as? Bool == true)
        #expect(verdicts[0]["reason"] is NSNull)
        #expect(verdicts[1]["value"] as? String == "GR094259216")
        #expect(verdicts[1]["valid"] as? Bool == false)
        #expect(verdicts[1]["reason"] as? String == "unknown country prefix 'GR': Greek VAT numbers use EL")
        // Keys are sorted, and the reason is written even when null.
        let reason = try #require(result.stdout.range(of: "\"reason\""))
        let valid = try #require(result.stdout.range(of: "\"valid\""))
        let value = try #require(result.stdout.range(of: "\"value\""))
        #expect(reason.lowerBound < valid.lowerBound && valid.lowerBound < value.lowerBound)
        #expect(result.stdout.contains("\"reason\" : null"))
    }

    @Test func jsonOutputOfValidValuesExitsWithZero() throws {
        let result = try CLI.run(["identifier", "validate", "--json", "ridet", "1234567001"])
        #expect(result.status == 0)
        let verdicts = try #require(
            JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [[String: Any]])
        #expect(verdicts.count == 1)
        #expect(verdicts.first?["valid"] as? Bool == true)
    }

    @Test func aMissingValueIsAUsageError() throws {
        let result = try CLI.run(["identifier", "validate", "siret"])
        #expect(result.status == 64)
        #expect(result.stdout.isEmpty)
        #expect(result.stderr.contains("Missing expected argument '<values> ...'"))
    }

    @Test func anUnknownTypeIsAUsageError() throws {
        let result = try CLI.run(["identifier", "validate", "iban", "FR7630006000011234567890189"])
        #expect(result.status == 64)
        #expect(result.stderr.contains("'siret', 'siren', 'vat', 'ridet' or 'tahiti'"))
    }
}
