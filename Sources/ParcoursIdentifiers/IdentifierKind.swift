/// The kinds of structure identifiers that can be checked.
public enum IdentifierKind: String, CaseIterable, Sendable {
    /// A French establishment number: the 9-digit SIREN followed by a 5-digit establishment number (NIC).
    case siret
    /// A French company number: 9 digits with a Luhn check digit.
    case siren
    /// An intra-EU VAT number: a member state's two-letter prefix followed by that state's number.
    case vat
    /// A New Caledonian company number (7 digits), optionally followed by a 3-digit establishment number.
    case ridet
    /// A French Polynesian company number (6 characters), optionally followed by a 3-digit establishment number.
    case tahiti
}
