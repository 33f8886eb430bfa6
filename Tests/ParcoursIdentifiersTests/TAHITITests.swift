import ParcoursIdentifiers
import Testing

@Suite struct TAHITITests {
    @Test(arguments: ["123456", "A12345", "Z98765", "123456001", "A12345 001", "000001"])
    func validNumbers(_ value: String) {
        expectValid(.tahiti, value)
    }

    @Test func lettersAreUpperCased() {
        let check = Identifiers.check(.tahiti, "a12345-001")
        #expect(check.isValid)
        #expect(check.normalized == "A12345001")
    }

    @Test func wrongLength() {
        let message = "6 characters expected (6 digits, or a letter and 5 digits), or 9 with the establishment number"
        expectProblem(.tahiti, "12345", "\(message), got 5")
        expectProblem(.tahiti, "1234567", "\(message), got 7")
        expectProblem(.tahiti, "", "\(message), got 0")
    }

    @Test func onlyTheFirstCharacterMayBeALetter() {
        expectProblem(.tahiti, "AB1234", "only digits expected, found 'B'")
        expectProblem(.tahiti, "A12345 00C", "only digits expected, found 'C'")
        expectProblem(.tahiti, "#12345", "a digit or a letter expected first, found '#'")
        expectProblem(.tahiti, "É12345", "a digit or a letter expected first, found 'É'")
    }

    @Test func allZeros() {
        expectProblem(.tahiti, "000000", "all-zero number is not a valid TAHITI")
        expectProblem(.tahiti, "000000001", "all-zero number is not a valid TAHITI")
    }
}
