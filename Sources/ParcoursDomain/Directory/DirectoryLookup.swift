import Logging
import ParcoursDSL
import ParcoursIdentifiers
import PostgresNIO

/// Looks a SIRET up in the structure directory: the `directory.lookup` action of `workflows/actions.yaml`.
///
/// The result is the action's output object: `found`, `closed` (`etatAdministratifEtablissement` = F),
/// `non_diffusible` (`statutDiffusionEtablissement` = P, or N in older files), `siren`, `name` and `address`
/// (`number`, `repetition`, `street_type`, `street`, `line`, `complement`, `postcode`, `city`, `country`).
///
/// The name comes from the legal unit: its `denominationUniteLegale`, else, for an individual, the first name
/// (usual, else first) and the name (usage, else birth) — but not when the legal unit is non-diffusible, whose
/// individual's names are not to be shown; when the legal unit is missing or has no name, the establishment's
/// usual name or sign. The address is the establishment's; for a non-diffusible establishment every part is null.
/// For an address abroad, `city` is the foreign city, `postcode` is null and `country` is the country's name;
/// `country` is null in France.
public struct DirectoryLookup: Sendable {
    /// A lookup.
    public init() {}

    /// The `directory.lookup` output for `siret` (spaces and dots ignored), read on `connection` — the caller's
    /// transaction, under any role that may read the directory.
    ///
    /// - Throws: ``DirectoryError`` when `siret` is not a valid SIRET; PostgresNIO's errors when the database
    ///   cannot be read.
    public func lookup(siret: String, on connection: PostgresConnection, logger: Logger) async throws -> Value {
        let check = Identifiers.check(.siret, siret)
        guard check.isValid else {
            throw DirectoryError("'\(siret)' is not a valid SIRET: \(check.problem ?? "invalid")")
        }
        let number = check.normalized
        let rows = try await connection.query(
            """
            SELECT e.siren, e.state, e.diffusion, e.street_number, e.repetition_index, e.street_type, e.street_name,
                   e.address_complement, e.postcode, e.city, e.foreign_city, e.foreign_country, e.usual_name,
                   e.sign_name, u.diffusion, u.denomination, u.first_name, u.usual_first_name, u.last_name,
                   u.usage_name
            FROM directory_establishments e
            LEFT JOIN directory_legal_units u ON u.siren = e.siren
            WHERE e.siret = \(number)
            """, logger: logger)
        var found: DirectoryEntry?
        for try await row in rows {
            let columns = try row.decode(
                (
                    String, String?, String?, String?, String?, String?, String?, String?, String?, String?, String?,
                    String?, String?, String?, String?, String?, String?, String?, String?, String?
                ).self)
            found = DirectoryEntry(
                siren: columns.0, state: columns.1, diffusion: columns.2, streetNumber: columns.3,
                repetitionIndex: columns.4, streetType: columns.5, streetName: columns.6, complement: columns.7,
                postcode: columns.8, city: columns.9, foreignCity: columns.10, foreignCountry: columns.11,
                usualName: columns.12, signName: columns.13, unitDiffusion: columns.14, denomination: columns.15,
                firstName: columns.16, usualFirstName: columns.17, lastName: columns.18, usageName: columns.19)
        }
        return found?.value ?? DirectoryEntry.notFound
    }
}

/// One establishment joined with its legal unit, as read for a lookup.
struct DirectoryEntry {
    var siren: String
    var state: String?
    var diffusion: String?
    var streetNumber: String?
    var repetitionIndex: String?
    var streetType: String?
    var streetName: String?
    var complement: String?
    var postcode: String?
    var city: String?
    var foreignCity: String?
    var foreignCountry: String?
    var usualName: String?
    var signName: String?
    var unitDiffusion: String?
    var denomination: String?
    var firstName: String?
    var usualFirstName: String?
    var lastName: String?
    var usageName: String?

    /// Whether a diffusion status says the data is only partly public: `P` (and `N`, its code before 2023).
    static func isNonDiffusible(_ status: String?) -> Bool { status == "P" || status == "N" }

    /// The raison sociale: see ``DirectoryLookup``.
    var name: String? {
        if let denomination { return denomination }
        if !Self.isNonDiffusible(unitDiffusion) {
            let person = [usualFirstName ?? firstName, usageName ?? lastName].compactMap { $0 }
            if !person.isEmpty { return person.joined(separator: " ") }
        }
        return usualName ?? signName
    }

    var value: Value {
        let nonDiffusible = Self.isNonDiffusible(diffusion)
        func part(_ text: String?) -> Value { nonDiffusible ? .null : text.map(Value.string) ?? .null }
        let line = [streetNumber, repetitionIndex, streetType, streetName].compactMap { $0 }.joined(separator: " ")
        let isAbroad = foreignCountry != nil
        return .object([
            "found": .bool(true),
            "closed": .bool(state == "F"),
            "non_diffusible": .bool(nonDiffusible),
            "siren": .string(siren),
            "name": name.map(Value.string) ?? .null,
            "address": .object([
                "number": part(streetNumber),
                "repetition": part(repetitionIndex),
                "street_type": part(streetType),
                "street": part(streetName),
                "line": part(line.isEmpty ? nil : line),
                "complement": part(complement),
                "postcode": part(postcode),
                "city": part(isAbroad ? foreignCity ?? city : city),
                "country": part(foreignCountry),
            ]),
        ])
    }

    /// The output for a SIRET that is not in the directory.
    static let notFound: Value = .object([
        "found": .bool(false),
        "closed": .bool(false),
        "non_diffusible": .bool(false),
        "siren": .null,
        "name": .null,
        "address": .object(
            Dictionary(
                uniqueKeysWithValues: [
                    "number", "repetition", "street_type", "street", "line", "complement",
                    "postcode", "city", "country",
                ].map { ($0, Value.null) })),
    ])
}
