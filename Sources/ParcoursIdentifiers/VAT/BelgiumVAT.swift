/// Belgium (enterprise number): 10 digits starting with 0 or 1; the first 8 plus the last 2 are a
/// multiple of 97. The old 9-digit form (without the leading 0) is accepted and completed.
enum BelgiumVAT: VATCountryRule {
    static let prefix = "BE"
    static let shape = "10 digits"

    static func canonical(_ body: String) -> String {
        var body = body
        if body.hasPrefix("(0)") { body = "0" + body.dropFirst(3) }
        return body.count == 9 && body.isAllDigits ? "0" + body : body
    }

    static func validate(_ body: String) throws(IdentifierProblem) {
        let digits = try digits(body, count: 10)
        guard digits.contains(where: { $0 != 0 }) else { throw problem("the number cannot be all zeros") }
        guard digits[0] <= 1 else { throw problem("the number must start with 0 or 1") }
        let sum = CheckArithmetic.number(digits.prefix(8)) + CheckArithmetic.number(digits.suffix(2))
        guard sum % 97 == 0 else { throw .checkDigit }
    }
}
