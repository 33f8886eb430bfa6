/// Checks structure identifiers (SIRET, SIREN, intra-EU VAT, RIDET, TAHITI).
///
/// The checks are purely syntactic: format and check digits. They do not say whether the number was ever
/// attributed, only whether it could be.
public enum Identifiers {
    /// Checks `value` as an identifier of the given kind.
    ///
    /// Spaces, dots, dashes and non-breaking spaces are ignored and letters may be in either case.
    public static func check(_ kind: IdentifierKind, _ value: String) -> IdentifierCheck {
        let normalized = normalize(kind, value)
        let problem: IdentifierProblem?
        do {
            try validate(kind, normalized)
            problem = nil
        } catch let error {
            problem = error
        }
        return IdentifierCheck(input: value, normalized: normalized, problem: problem?.message)
    }

    /// The normalised form of `value`: spaces, dots, dashes and non-breaking spaces removed, letters
    /// upper-cased, and a conventionally omitted leading zero restored where the format has one
    /// (a 6-digit RIDET, a 9-digit Belgian or 8-digit Greek VAT number…).
    public static func normalize(_ kind: IdentifierKind, _ value: String) -> String {
        let cleaned = Normalization.clean(value)
        switch kind {
        case .siret, .siren, .tahiti: return cleaned
        case .ridet: return RIDET.canonical(cleaned)
        case .vat: return EUVAT.canonical(cleaned)
        }
    }

    private static func validate(_ kind: IdentifierKind, _ normalized: String) throws(IdentifierProblem) {
        switch kind {
        case .siren: try SIREN.validate(normalized)
        case .siret: try SIRET.validate(normalized)
        case .vat: try EUVAT.validate(normalized)
        case .ridet: try RIDET.validate(normalized)
        case .tahiti: try TAHITI.validate(normalized)
        }
    }
}
