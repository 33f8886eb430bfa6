import ParcoursIdentifiers
import Testing

@Suite struct NormalizationTests {
    @Test func spacesDotsDashesAndNonBreakingSpacesAreRemoved() {
        #expect(Identifiers.normalize(.siret, " 732 829.320-00074\u{00A0}") == "73282932000074")
        #expect(Identifiers.normalize(.siren, "732\u{202F}829\t320") == "732829320")
        #expect(Identifiers.normalize(.siren, "732\u{2013}829\u{2011}320") == "732829320")
    }

    @Test func lettersAreUpperCased() {
        #expect(Identifiers.normalize(.vat, "fr 40 303 265 045") == "FR40303265045")
        #expect(Identifiers.normalize(.vat, "esb-58378431") == "ESB58378431")
        #expect(Identifiers.normalize(.vat, "nl.004495445.b01") == "NL004495445B01")
    }

    @Test func omittedLeadingZerosAreRestored() {
        #expect(Identifiers.normalize(.vat, "BE 403.019.261") == "BE0403019261")
        #expect(Identifiers.normalize(.vat, "BE(0)403019261") == "BE0403019261")
        #expect(Identifiers.normalize(.vat, "EL 94259216") == "EL094259216")
        #expect(Identifiers.normalize(.vat, "NL4495445B01") == "NL004495445B01")
        #expect(Identifiers.normalize(.vat, "DE 136 695 976") == "DE136695976")
    }

    @Test func otherCharactersAreKept() {
        #expect(Identifiers.normalize(.siren, "732/829/320") == "732/829/320")
        expectProblem(.siren, "732/829/320", "only digits expected, found '/'")
    }

    @Test func theCheckReportsInputAndNormalizedForm() {
        let check = Identifiers.check(.siren, "732 829 320")
        #expect(check == IdentifierCheck(input: "732 829 320", normalized: "732829320", problem: nil))
        #expect(check.isValid)
    }

    @Test func everyKindHasARawValue() {
        #expect(IdentifierKind.allCases.map(\.rawValue) == ["siret", "siren", "vat", "ridet", "tahiti"])
    }
}
