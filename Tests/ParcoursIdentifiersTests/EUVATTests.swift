import ParcoursIdentifiers
import Testing

@Suite struct EUVATTests {
    /// Published examples (python-stdnum's documentation), one or more per member state.
    @Test(arguments: [
        "ATU13585627", "BE0403019261", "BE428759497", "BG175074752", "BG8032056031", "BG7111042925",
        "CY10259033P", "CZ25123891", "CZ7103192745", "CZ640903926", "DE136695976", "DK13585628", "EE100931558",
        "EE100594102", "EL094259216", "ESB64717838", "ES54362315K", "ESX5253868R", "ESM1234567L", "ESJ99216582",
        "FI20774740", "FR40303265045", "FRK7399859412", "FR4Z123456782", "FR23334175221", "HR33392005961",
        "HU12892312", "IE6433435F", "IE6433435OA", "IE8D79739I", "IT00743110157", "LT119511515", "LT100001919017",
        "LT100004801610", "LU15027442", "LV40003521600", "LV16117519997", "LV32867300679", "MT11679112",
        "NL004495445B01", "NL4495445B01", "NL002455799B11", "PL8567346215", "PT501964843", "RO18547290",
        "RO1630615123457", "SE123456789701", "SI50223054", "SK2022749619",
    ])
    func validNumbers(_ value: String) {
        expectValid(.vat, value)
    }

    /// The same kind of examples with a wrong check digit.
    @Test(arguments: [
        "ATU13585626", "BE431150351", "BG175074751", "CY10259033Z", "CZ25123890", "CZ7103192746", "DE136695978",
        "DK13585627", "EE100594103", "EL123456781", "ESB64717839", "ES54362315Z", "FI20774741", "FR41303265045",
        "HR33392005962", "HU12892313", "IE6433435E", "IT00743110158", "LT100001919018", "LU15027443",
        "LV40003521601", "MT11679113", "NL123456789B90", "PL8567346216", "PT501964842", "RO18547291",
        "SE123456789101", "SI50223055", "SK2022749618",
    ])
    func wrongCheckDigits(_ value: String) {
        expectProblem(.vat, value, "check digit does not match")
    }

    @Test func everyMemberStateIsKnown() {
        let prefixes = [
            "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT",
            "LU", "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
        ]
        for prefix in prefixes {
            let problem = Identifiers.check(.vat, prefix + "1").problem ?? ""
            #expect(problem.hasPrefix("\(prefix): "), "\(prefix): \(problem)")
        }
    }

    @Test func prefixes() {
        expectProblem(.vat, "US123456789", "unknown country prefix 'US'")
        expectProblem(.vat, "XI123456789", "unknown country prefix 'XI'")
        expectProblem(.vat, "GR094259216", "unknown country prefix 'GR': Greek VAT numbers use EL")
        expectProblem(.vat, "123456789", "a two-letter country prefix expected (e.g. FR, DE)")
        expectProblem(.vat, "", "a two-letter country prefix expected (e.g. FR, DE)")
        expectProblem(.vat, "D", "a two-letter country prefix expected (e.g. FR, DE)")
    }

    @Test func formats() {
        expectProblem(.vat, "DE12345678", "DE: 9 digits expected after the prefix")
        expectProblem(.vat, "DE1234567890", "DE: 9 digits expected after the prefix")
        expectProblem(.vat, "DE13669597A", "DE: 9 digits expected after the prefix")
        expectProblem(.vat, "DE", "DE: 9 digits expected after the prefix")
        expectProblem(.vat, "DE036695976", "DE: the number cannot start with 0")
        expectProblem(.vat, "AT13585627", "AT: 'U' followed by 8 digits expected after the prefix")
        expectProblem(.vat, "BE2403019261", "BE: the number must start with 0 or 1")
        expectProblem(.vat, "BE0000000000", "BE: the number cannot be all zeros")
        expectProblem(.vat, "CY12345678A", "CY: the number cannot start with 12")
        expectProblem(.vat, "CZ91234567", "CZ: an 8-digit number cannot start with 9")
        expectProblem(.vat, "CZ7113192745", "CZ: the birth number does not start with a valid date")
        expectProblem(.vat, "CZ710319274", "CZ: 9-digit birth numbers were only issued before 1954")
        expectProblem(.vat, "ESO1234567L", "ES: unknown first letter 'O'")
        expectProblem(
            .vat, "ES1234567",
            "ES: 9 characters (a letter or digit, 7 digits, a letter or digit) expected after the prefix")
        expectProblem(.vat, "IT00743111017", "IT: unknown province office code '101'")
        expectProblem(.vat, "IT00000000157", "IT: the company number (first 7 digits) cannot be all zeros")
        expectProblem(.vat, "LT119511525", "LT: the digit before the check digit must be 1")
        expectProblem(.vat, "LV16137519997", "LV: the personal code does not start with a valid birth date")
        expectProblem(.vat, "NL004495445B00", "NL: the branch number after B cannot be 00")
        expectProblem(.vat, "NL004495445C01", "NL: 9 digits, 'B' and 2 digits expected after the prefix")
        expectProblem(.vat, "RO1632215123457", "RO: the CNP does not hold a valid birth date")
        expectProblem(.vat, "RO1630615993454", "RO: the CNP does not hold a known county code")
        expectProblem(.vat, "SE123456789702", "SE: 12 digits ending in 01 expected after the prefix")
        expectProblem(.vat, "SK0022749619", "SK: the number cannot start with 0")
    }

    @Test func separatorsAndCase() {
        expectValid(.vat, "fr 40 303 265 045")
        expectValid(.vat, "DE 136.695.976")
        expectValid(.vat, "es-b-64717838")
        expectValid(.vat, "EL\u{00A0}094\u{00A0}259\u{00A0}216")
    }
}
