import ParcoursIdentifiers
import Testing

@Suite struct FrenchVATTests {
    @Test func numericKey() {
        // SIREN 732829320: (12 + 3 × (732829320 mod 97)) mod 97 = 44.
        expectValid(.vat, "FR44732829320")
        expectValid(.vat, "FR 44 732 829 320")
        expectProblem(.vat, "FR45732829320", "check digit does not match")
    }

    @Test func alphanumericKeys() {
        expectValid(.vat, "FRK7399859412")
        expectValid(.vat, "FR4Z123456782")
        expectProblem(.vat, "FRK8399859412", "check digit does not match")
        expectProblem(.vat, "FRL7399859412", "check digit does not match")
        expectProblem(.vat, "FRK7399859413", "FR: the SIREN (last 9 digits) fails its check digit")
    }

    @Test func keyCharactersExcludeIAndO() {
        let message = "FR: a 2-character key and the 9-digit SIREN expected after the prefix"
        expectProblem(.vat, "FRIO334175221", message)
        expectProblem(.vat, "FR4030326504", message)
        expectProblem(.vat, "FR40303265045A", message)
    }

    @Test func theSIRENMustPassLuhn() {
        expectProblem(.vat, "FR00732829321", "FR: the SIREN (last 9 digits) fails its check digit")
        expectProblem(.vat, "FR84323140391", "FR: the SIREN (last 9 digits) fails its check digit")
    }

    @Test func allZeroSIRENIsRefused() {
        // (12 + 0) mod 97 = 12 is the right key, but 000000000 is no SIREN.
        expectProblem(.vat, "FR12000000000", "FR: all-zero number is not a valid SIREN")
    }

    @Test func monacoNumbersAreNotSIRENs() {
        // Monaco companies have French VAT numbers with 000 where a SIREN starts; the key still applies.
        expectValid(.vat, "FR34000123456")
        expectProblem(.vat, "FR35000123456", "check digit does not match")
    }
}
