import Foundation
import ParcoursDSL
import ParcoursEngine
import Testing

@Suite("Field validation")
struct FieldValidatorTests {
    /// Fields read from YAML, as designers write them.
    func fields(_ yaml: String) throws -> [FieldSpec] {
        var workspace = Workspace()
        workspace.add(
            source: """
                process: f
                start: s
                settings:
                  policy: { min_length: 8, min_classes: 3 }
                context:
                  known_name: string
                states:
                  s:
                    on:
                      submit:
                        fields:
                \(yaml.split(separator: "\n").map { "          " + $0 }.joined(separator: "\n"))
                        goto: done
                  done:
                    final: success
                """, file: "f.yaml")
        #expect(workspace.diagnostics.isEmpty, "\(workspace.diagnostics)")
        let definition = try #require(workspace.definitions.first)
        guard case .input(let events) = try #require(definition.state(named: "s")).kind else { return [] }
        return try #require(events.first).fields
    }

    let validator = FieldValidator(
        environment: EvaluationEnvironment(
            roots: [
                "context": ["known_name": "ACME SA"],
                "settings": ["policy": ["min_length": 8, "min_classes": 3]],
            ], now: Date(timeIntervalSince1970: 0)))

    func errors(_ payload: [String: Value], _ yaml: String) throws -> [String] {
        switch validator.validate(payload, against: try fields(yaml)) {
        case .success: return []
        case .failure(let errors): return errors.errors.map(\.description)
        }
    }

    func accepted(_ payload: [String: Value], _ yaml: String) throws -> [String: Value] {
        switch validator.validate(payload, against: try fields(yaml)) {
        case .success(let values): return values
        case .failure(let errors):
            Issue.record("rejected: \(errors.errors)")
            return [:]
        }
    }

    @Test func requiredFieldsAndBlankText() throws {
        #expect(
            try errors(["name": "  "], "name: { type: string, required: true }") == ["name: this field is required"])
        #expect(try accepted([:], "name: { type: string }") == ["name": .null])
    }

    @Test func identifiersAreNormalisedAndChecked() throws {
        #expect(try accepted(["siret": "732 829 320 00074"], "siret: { type: siret }") == ["siret": "73282932000074"])
        let problems = try errors(["siret": "7328293200007"], "siret: { type: siret }")
        #expect(problems == ["siret: 14 digits expected, got 13"])
        #expect(try errors(["siret": "73282932000075"], "siret: { type: siret }").count == 1)
    }

    @Test func emailsAreLowerCasedAndChecked() throws {
        #expect(try accepted(["e": " A@B.FR "], "e: { type: email }") == ["e": "a@b.fr"])
        #expect(try errors(["e": "a@b"], "e: { type: email }") == ["e: not a valid e-mail address"])
        #expect(try errors(["e": "a b@c.fr"], "e: { type: email }") == ["e: not a valid e-mail address"])
        #expect(try accepted(["e": "\u{A0}É@b.fr\u{2028}"], "e: { type: email }") == ["e": "é@b.fr"])
    }

    @Test func theAddressCheckFollowsItsRules() {
        let local64 = String(repeating: "a", count: 64)
        let valid = [
            "a@b.fr", "a.b+c@d.e.fr", "a..b@c.fr", ".a@b.fr", "\(local64)@b.fr", "é@b.fr",
            "x@" + String(repeating: "d", count: 249) + ".fr",
        ]
        let invalid = [
            "", "@b.fr", "a@", "a@b", "a@@b.fr", "a@b@c.fr", "a@.b.fr", "a@b.fr.", "a@b..fr", "a\(local64)@b.fr",
            "a b@c.fr", "a\u{A0}b@c.fr", "a\u{2003}@b.fr", "a,b@c.fr", "a;b@c.fr", "<a@b.fr>", "a@b.fr\n",
            "a\tb@c.fr", "a@b.fr\u{85}", "a@b\u{200B}.fr", "a@b.", "a@.",
            // 255 octets; the second is 254 characters, but RFC 5321 counts octets.
            "x@" + String(repeating: "d", count: 250) + ".fr", "ée@" + String(repeating: "d", count: 248) + ".fr",
        ]
        for address in valid { #expect(FieldValidator.isEmail(address), "\(address)") }
        for address in invalid { #expect(!FieldValidator.isEmail(address), "\(address)") }
    }

    @Test func enumsAndBooleansAndNumbers() throws {
        let yaml = """
            kind: { type: enum, values: [SIRET, RIDET] }
            ok: { type: boolean }
            count: { type: integer, min: 1, max: 3 }
            """
        #expect(
            try errors(["kind": "TAHITI", "ok": "yes", "count": 4], yaml) == [
                "kind: 'TAHITI' is not one of: SIRET, RIDET", "ok: true or false expected, got string",
                "count: at most 3 expected",
            ])
        #expect(try errors(["count": 1.5], yaml) == ["count: a whole number expected"])
    }

    @Test func lengthsAndPatterns() throws {
        let yaml = "code: { type: string, min_length: 2, max_length: 4, pattern: '[A-Z]+' }"
        #expect(try errors(["code": "A"], yaml) == ["code: at least 2 characters expected, got 1"])
        #expect(try errors(["code": "ABCDE"], yaml) == ["code: at most 4 characters expected, got 5"])
        #expect(try errors(["code": "ab"], yaml) == ["code: 'ab' does not have the expected format"])
    }

    @Test func passwordsFollowThePolicyAndAreNeverTrimmedOrEchoed() throws {
        let yaml = "password: { type: password, required: true, policy: settings.policy }"
        #expect(try errors(["password": "Ab1!"], yaml) == ["password: at least 8 characters expected, got 4"])
        #expect(
            try errors(["password": "abcdefghij"], yaml) == [
                "password: at least 3 kinds of characters expected among upper case, lower case, digits and special characters, got 1"
            ])
        #expect(try accepted(["password": " Abcdefg1 "], yaml) == ["password": " Abcdefg1 "])
    }

    @Test func nonEditablePrefillsCannotBeChanged() throws {
        let yaml = "name: { type: string, prefill: context.known_name, editable: false }"
        #expect(try accepted([:], yaml) == ["name": "ACME SA"])
        #expect(try accepted(["name": "ACME SA"], yaml) == ["name": "ACME SA"])
        #expect(try errors(["name": "Other"], yaml) == ["name: this field cannot be changed"])
    }

    @Test func listsAndObjectsReportPaths() throws {
        let yaml = """
            emails: { type: list, items: { type: email }, max_length: 3 }
            address:
              type: object
              fields:
                city: { type: string, required: true }
                zip: { type: string, pattern: '[0-9]{5}' }
            """
        #expect(
            try errors(["emails": ["a@b.fr", "bad"], "address": ["zip": "7500"]], yaml) == [
                "emails[1]: not a valid e-mail address", "address.city: this field is required",
                "address.zip: '7500' does not have the expected format",
            ])
    }

    @Test func datesAreParsed() throws {
        let values = try accepted(["d": "2026-01-31"], "d: { type: date }")
        #expect(values["d"] == .date(Date(timeIntervalSince1970: 1_769_817_600)))
        #expect(try errors(["d": "31/01/2026"], "d: { type: date }").count == 1)
    }

    @Test func defaultsApplyWhenAbsent() throws {
        #expect(try accepted([:], "country: { type: string, default: France }") == ["country": "France"])
    }
}
