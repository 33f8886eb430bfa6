/// The rule for one member state's VAT numbers: the part after the two-letter prefix.
protocol VATCountryRule {
    /// The two-letter VAT prefix (ISO 3166 code, except Greece: `EL`).
    static var prefix: String { get }
    /// What the part after the prefix looks like, for messages ("9 digits").
    static var shape: String { get }
    /// The canonical form of the part after the prefix, e.g. with a conventionally dropped leading zero
    /// restored. The default returns `body` unchanged.
    static func canonical(_ body: String) -> String
    /// Throws the first problem with `body`: the canonical part after the prefix.
    static func validate(_ body: String) throws(IdentifierProblem)
}

extension VATCountryRule {
    static func canonical(_ body: String) -> String { body }

    /// The problem "XX: <shape> expected after the prefix".
    static var formatProblem: IdentifierProblem {
        IdentifierProblem("\(prefix): \(shape) expected after the prefix")
    }

    /// A problem specific to this country, prefixed with its code.
    static func problem(_ text: String) -> IdentifierProblem {
        IdentifierProblem("\(prefix): \(text)")
    }

    /// The digits of `body`, which must be ASCII digits only, and as many as one of `counts`.
    static func digits(_ body: String, count counts: Int...) throws(IdentifierProblem) -> [Int] {
        guard let digits = body.digitValues, counts.contains(digits.count) else { throw formatProblem }
        return digits
    }

    /// The digits of `body` (as `digits(_:count:)`), refusing a leading zero.
    static func digitsWithoutLeadingZero(_ body: String, count: Int) throws(IdentifierProblem) -> [Int] {
        guard let digits = body.digitValues else { throw formatProblem }
        guard digits.first != 0 else { throw problem("the number cannot start with 0") }
        guard digits.count == count else { throw formatProblem }
        return digits
    }
}
