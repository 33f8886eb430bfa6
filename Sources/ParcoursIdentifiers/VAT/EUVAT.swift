/// Intra-EU VAT numbers: a member state's two-letter prefix, then that state's format and check digits.
enum EUVAT {
    /// The prefixes of the 27 member states (Greece is `EL`).
    static let memberStatePrefixes = [
        "AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "EL", "ES", "FI", "FR", "HR", "HU", "IE", "IT", "LT", "LU",
        "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK",
    ]

    /// The rule for a member state's prefix, `nil` for anything else.
    static func rule(for prefix: some StringProtocol) -> (any VATCountryRule.Type)? {
        switch prefix {
        case "AT": AustriaVAT.self
        case "BE": BelgiumVAT.self
        case "BG": BulgariaVAT.self
        case "CY": CyprusVAT.self
        case "CZ": CzechiaVAT.self
        case "DE": GermanyVAT.self
        case "DK": DenmarkVAT.self
        case "EE": EstoniaVAT.self
        case "EL": GreeceVAT.self
        case "ES": SpainVAT.self
        case "FI": FinlandVAT.self
        case "FR": FranceVAT.self
        case "HR": CroatiaVAT.self
        case "HU": HungaryVAT.self
        case "IE": IrelandVAT.self
        case "IT": ItalyVAT.self
        case "LT": LithuaniaVAT.self
        case "LU": LuxembourgVAT.self
        case "LV": LatviaVAT.self
        case "MT": MaltaVAT.self
        case "NL": NetherlandsVAT.self
        case "PL": PolandVAT.self
        case "PT": PortugalVAT.self
        case "RO": RomaniaVAT.self
        case "SE": SwedenVAT.self
        case "SI": SloveniaVAT.self
        case "SK": SlovakiaVAT.self
        default: nil
        }
    }

    /// `number` (cleaned) with the part after a known prefix in its canonical form.
    static func canonical(_ number: String) -> String {
        let prefix = number.prefix(2)
        guard let rule = rule(for: prefix) else { return number }
        return prefix + rule.canonical(String(number.dropFirst(2)))
    }

    /// Throws the first problem with `number` (normalised).
    static func validate(_ number: String) throws(IdentifierProblem) {
        let prefix = number.prefix(2)
        guard prefix.count == 2, prefix.allSatisfy(\.isUppercaseASCIILetter) else {
            throw IdentifierProblem("a two-letter country prefix expected (e.g. FR, DE)")
        }
        guard let rule = rule(for: prefix) else {
            if prefix == "GR" { throw IdentifierProblem("unknown country prefix 'GR': Greek VAT numbers use EL") }
            throw IdentifierProblem("unknown country prefix '\(prefix)'")
        }
        try rule.validate(String(number.dropFirst(2)))
    }
}
