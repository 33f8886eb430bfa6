import ParcoursIdentifiers
import Testing

@Suite struct RIDETTests {
    @Test(arguments: ["1234567", "0123456", "1234567001", "0 123 456.001", "9876543210"])
    func validNumbers(_ value: String) {
        expectValid(.ridet, value)
    }

    @Test func theLeadingZeroMayBeOmitted() {
        expectValid(.ridet, "123456")
        expectValid(.ridet, "123456 001")
        #expect(Identifiers.normalize(.ridet, "123 456") == "0123456")
        #expect(Identifiers.normalize(.ridet, "123456-001") == "0123456001")
        #expect(Identifiers.check(.ridet, "123456001").normalized == "0123456001")
        #expect(Identifiers.normalize(.ridet, "1234567") == "1234567")
    }

    @Test func wrongLength() {
        expectProblem(.ridet, "12345", "6 or 7 digits expected, or 9 or 10 with the establishment number, got 5")
        expectProblem(.ridet, "12345678", "6 or 7 digits expected, or 9 or 10 with the establishment number, got 8")
        expectProblem(.ridet, "", "6 or 7 digits expected, or 9 or 10 with the establishment number, got 0")
    }

    @Test func letters() {
        expectProblem(.ridet, "123456A", "only digits expected, found 'A'")
        expectProblem(.ridet, "1234567 00a", "only digits expected, found 'A'")
    }

    @Test func allZeros() {
        expectProblem(.ridet, "000000", "all-zero number is not a valid RIDET")
        expectProblem(.ridet, "0000000001", "all-zero number is not a valid RIDET")
    }
}
