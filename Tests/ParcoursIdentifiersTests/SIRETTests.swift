import ParcoursIdentifiers
import Testing

@Suite struct SIRETTests {
    @Test(arguments: ["73282932000074", "732 829 320 00074", "732.829.320.00074", "732-829-320-00074"])
    func validNumbers(_ value: String) {
        expectValid(.siret, value)
    }

    @Test func wrongLength() {
        expectProblem(.siret, "7328293200007", "14 digits expected, got 13")
        expectProblem(.siret, "732829320000740", "14 digits expected, got 15")
        expectProblem(.siret, "732829320", "14 digits expected, got 9")
    }

    @Test func letters() {
        expectProblem(.siret, "7328293200007A", "only digits expected, found 'A'")
        expectProblem(.siret, "732829320 0007b", "only digits expected, found 'B'")
    }

    @Test func checkDigit() {
        expectProblem(.siret, "73282932000079", "check digit does not match")
    }

    @Test func sirenPartFailsItsCheckDigit() {
        // The 14 digits pass Luhn, but 732829321 does not.
        expectProblem(.siret, "73282932100072", "the SIREN part (first 9 digits) fails its check digit")
    }

    @Test func allZeros() {
        expectProblem(.siret, "00000000000000", "all-zero number is not a valid SIRET")
        expectProblem(.siret, "000 000 000 00000", "all-zero number is not a valid SIRET")
        expectProblem(.siret, "00000000000018", "the SIREN part (first 9 digits) is all zeros")
    }

    @Test func laPosteDigitSumRule() {
        // The digits add up to a multiple of 5, Luhn fails: valid for La Poste only.
        expectValid(.siret, "35600000049837")
        expectValid(.siret, "35600000000001")
        // The head office passes Luhn.
        expectValid(.siret, "35600000000048")
        // Luhn-valid, digit sum 19: INSEE accepts it (python-stdnum does not).
        expectValid(.siret, "35600000000014")
        expectProblem(
            .siret, "35600000000002",
            "check digit does not match (a La Poste SIRET has digits adding up to a multiple of 5)")
    }

    @Test func theDigitSumRuleIsOnlyForLaPoste() {
        // Digit sum 40, Luhn fails.
        expectProblem(.siret, "73282932000013", "check digit does not match")
    }
}
