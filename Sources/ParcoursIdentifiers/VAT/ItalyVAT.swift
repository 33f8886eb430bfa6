/// Italy (partita IVA): 11 digits — a 7-digit company number (not all zeros), a 3-digit province office
/// code and a Luhn check digit.
enum ItalyVAT: VATCountryRule {
    static let prefix = "IT"
    static let shape = "11 digits"

    /// Office codes outside 001–100 that are in use.
    private static let otherOffices: Set<Int> = [120, 121, 888, 999]

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 11)
        guard digits.prefix(7).contains(where: { $0 != 0 }) else {
            throw problem("the company number (first 7 digits) cannot be all zeros")
        }
        let office = CheckArithmetic.number(digits[7..<10])
        guard (1...100).contains(office) || otherOffices.contains(office) else {
            throw problem("unknown province office code '\(body.slice(7, 10))'")
        }
        guard Luhn.isValid(digits) else { throw .checkDigit }
    }
}
