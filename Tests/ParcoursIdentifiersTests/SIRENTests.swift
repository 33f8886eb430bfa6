import ParcoursIdentifiers
import Testing

@Suite struct SIRENTests {
    @Test(arguments: ["732829320", "552008443", "404833048", "356000000"])
    func validNumbers(_ value: String) {
        expectValid(.siren, value)
    }

    @Test func separatorsAreIgnored() {
        for value in ["732 829 320", "732.829.320", "732-829-320", " 732829320 ", "732\u{00A0}829\u{00A0}320"] {
            expectValid(.siren, value)
        }
    }

    @Test func wrongLength() {
        expectProblem(.siren, "73282932", "9 digits expected, got 8")
        expectProblem(.siren, "7328293201", "9 digits expected, got 10")
        expectProblem(.siren, "", "9 digits expected, got 0")
    }

    @Test func letters() {
        expectProblem(.siren, "73282932A", "only digits expected, found 'A'")
        expectProblem(.siren, "73282932a", "only digits expected, found 'A'")
    }

    @Test func checkDigit() {
        expectProblem(.siren, "732829321", "check digit does not match")
        expectProblem(.siren, "404833047", "check digit does not match")
    }

    @Test func allZeros() {
        expectProblem(.siren, "000000000", "all-zero number is not a valid SIREN")
        expectProblem(.siren, "000 000 000", "all-zero number is not a valid SIREN")
    }
}
