import Foundation

/// Writes a synthetic SIRENE stock — a `StockUniteLegale` and a `StockEtablissement` file with today's INSEE
/// columns and valid SIREN and SIRET numbers — for benchmarks of the import. The data is made up but shaped like
/// the real thing: companies and individuals, closed and non-diffusible establishments, foreign addresses, quoted
/// fields with commas.
public struct SireneGenerator: Sendable {
    /// The header of today's `StockEtablissement` file (INSEE, since 2023).
    public static let establishmentColumns = [
        "siren", "nic", "siret", "statutDiffusionEtablissement", "dateCreationEtablissement",
        "trancheEffectifsEtablissement", "anneeEffectifsEtablissement",
        "activitePrincipaleRegistreMetiersEtablissement",
        "dateDernierTraitementEtablissement", "etablissementSiege", "nombrePeriodesEtablissement",
        "complementAdresseEtablissement", "numeroVoieEtablissement", "indiceRepetitionEtablissement",
        "dernierNumeroVoieEtablissement", "indiceRepetitionDernierNumeroVoieEtablissement", "typeVoieEtablissement",
        "libelleVoieEtablissement", "codePostalEtablissement", "libelleCommuneEtablissement",
        "libelleCommuneEtrangerEtablissement", "distributionSpecialeEtablissement", "codeCommuneEtablissement",
        "codeCedexEtablissement", "libelleCedexEtablissement", "codePaysEtrangerEtablissement",
        "libellePaysEtrangerEtablissement", "identifiantAdresseEtablissement", "coordonneeLambertAbscisseEtablissement",
        "coordonneeLambertOrdonneeEtablissement", "complementAdresse2Etablissement", "numeroVoie2Etablissement",
        "indiceRepetition2Etablissement", "typeVoie2Etablissement", "libelleVoie2Etablissement",
        "codePostal2Etablissement", "libelleCommune2Etablissement", "libelleCommuneEtranger2Etablissement",
        "distributionSpeciale2Etablissement", "codeCommune2Etablissement", "codeCedex2Etablissement",
        "libelleCedex2Etablissement", "codePays2Etablissement", "libellePays2Etablissement", "dateDebut",
        "etatAdministratifEtablissement", "enseigne1Etablissement", "enseigne2Etablissement", "enseigne3Etablissement",
        "denominationUsuelleEtablissement", "activitePrincipaleEtablissement",
        "nomenclatureActivitePrincipaleEtablissement", "caractereEmployeurEtablissement",
    ]

    /// The header of today's `StockUniteLegale` file (INSEE, since 2023).
    public static let legalUnitColumns = [
        "siren", "statutDiffusionUniteLegale", "unitePurgeeUniteLegale", "dateCreationUniteLegale", "sigleUniteLegale",
        "sexeUniteLegale", "prenom1UniteLegale", "prenom2UniteLegale", "prenom3UniteLegale", "prenom4UniteLegale",
        "prenomUsuelUniteLegale", "pseudonymeUniteLegale", "identifiantAssociationUniteLegale",
        "trancheEffectifsUniteLegale", "anneeEffectifsUniteLegale", "dateDernierTraitementUniteLegale",
        "nombrePeriodesUniteLegale", "categorieEntrepriseUniteLegale", "anneeCategorieEntrepriseUniteLegale",
        "dateDebut", "etatAdministratifUniteLegale", "nomUniteLegale", "nomUsageUniteLegale", "denominationUniteLegale",
        "denominationUsuelle1UniteLegale", "denominationUsuelle2UniteLegale", "denominationUsuelle3UniteLegale",
        "categorieJuridiqueUniteLegale", "activitePrincipaleUniteLegale", "nomenclatureActivitePrincipaleUniteLegale",
        "nicSiegeUniteLegale", "economieSocialeSolidaireUniteLegale", "societeMissionUniteLegale",
        "caractereEmployeurUniteLegale",
    ]

    /// The number of establishment rows; the legal units are half as many (two establishments each).
    public var establishments: Int

    /// A generator of `establishments` establishments.
    public init(establishments: Int) { self.establishments = max(0, establishments) }

    /// The legal unit rows written.
    public var legalUnits: Int { (establishments + 1) / 2 }

    /// Writes `StockUniteLegale_utf8.csv` and `StockEtablissement_utf8.csv` into `folder` (created if needed);
    /// returns their URLs.
    ///
    /// - Throws: ``DirectoryError`` when a file cannot be written.
    @discardableResult
    public func write(into folder: URL) throws -> (legalUnits: URL, establishments: URL) {
        do {
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        } catch {
            throw DirectoryError("cannot create \(folder.path): \(error.localizedDescription)")
        }
        let unitsURL = folder.appendingPathComponent("StockUniteLegale_utf8.csv")
        let establishmentsURL = folder.appendingPathComponent("StockEtablissement_utf8.csv")
        var units = try BufferedWriter(url: unitsURL)
        units.write(Self.legalUnitColumns.joined(separator: ",") + "\n")
        for index in 0..<legalUnits { units.write(legalUnitRow(index)) }
        try units.close()
        var sites = try BufferedWriter(url: establishmentsURL)
        sites.write(Self.establishmentColumns.joined(separator: ",") + "\n")
        for index in 0..<establishments { sites.write(establishmentRow(index)) }
        try sites.close()
        return (unitsURL, establishmentsURL)
    }

    /// The SIREN of the legal unit `index`: 8 digits counting from 10000000, then the Luhn check digit.
    public static func siren(_ index: Int) -> String {
        let body = String(10_000_000 + index)
        return body + String(luhnCheckDigit(body))
    }

    /// The SIRET of establishment `number` (from 1) of legal unit `index`.
    public static func siret(unit index: Int, establishment number: Int) -> String {
        let body = siren(index) + String(format: "%04d", number)
        return body + String(luhnCheckDigit(body))
    }

    /// The digit that, appended to `digits`, makes the whole pass the Luhn check.
    public static func luhnCheckDigit(_ digits: String) -> Int {
        var sum = 0
        for (offset, character) in digits.reversed().enumerated() {
            var digit = character.wholeNumberValue ?? 0
            if offset % 2 == 0 {
                digit *= 2
                if digit > 9 { digit -= 9 }
            }
            sum += digit
        }
        return (10 - sum % 10) % 10
    }

    private static let streets = [
        ("RUE", "DE LA REPUBLIQUE"), ("AV", "JEAN JAURES"), ("BD", "VICTOR HUGO"), ("PL", "DE LA MAIRIE"),
        ("CHE", "DES VIGNES"), ("ALL", "DES TILLEULS"), ("RTE", "DE NANTES"), ("IMP", "DU MOULIN"),
    ]
    private static let cities = [
        ("75011", "PARIS 11"), ("69003", "LYON 3EME"), ("35000", "RENNES"), ("13001", "MARSEILLE 1ER"),
        ("33000", "BORDEAUX"), ("59000", "LILLE"), ("44000", "NANTES"), ("31000", "TOULOUSE"),
    ]
    private static let firstNames = ["MARIE", "JEAN", "CAMILLE", "LOUIS", "LEA", "HUGO", "CHLOE", "LUCAS"]
    private static let lastNames = ["MARTIN", "BERNARD", "DUBOIS", "THOMAS", "ROBERT", "PETIT", "DURAND", "LEROY"]

    private func legalUnitRow(_ index: Int) -> String {
        var fields = [String](repeating: "", count: Self.legalUnitColumns.count)
        let individual = index % 3 == 2
        let nonDiffusible = index % 50 == 7
        fields[0] = Self.siren(index)
        fields[1] = nonDiffusible ? "P" : "O"
        fields[3] = "2015-03-\(String(format: "%02d", index % 28 + 1))"
        fields[15] = "2024-01-15T10:42:07"
        fields[16] = "2"
        fields[19] = "2019-06-01"
        fields[20] = index % 20 == 3 ? "C" : "A"
        if individual {
            fields[5] = index % 2 == 0 ? "F" : "M"
            fields[6] = nonDiffusible ? "[ND]" : Self.firstNames[index % 8]
            fields[10] = fields[6]
            fields[21] = nonDiffusible ? "[ND]" : Self.lastNames[index % 8]
            fields[27] = "1000"
        } else {
            fields[23] = index % 10 == 4 ? "\"SOCIETE \(index), ET FILS\"" : "SOCIETE GENERALE DE TEST \(index)"
            fields[4] = index % 4 == 0 ? "SGT" : ""
            fields[27] = "5710"
        }
        fields[28] = "62.01Z"
        fields[29] = "NAFRev2"
        fields[30] = "00011"
        fields[31] = "N"
        fields[33] = "N"
        return fields.joined(separator: ",") + "\n"
    }

    private func establishmentRow(_ index: Int) -> String {
        var fields = [String](repeating: "", count: Self.establishmentColumns.count)
        let unit = index / 2
        let number = index % 2 + 1
        let siret = Self.siret(unit: unit, establishment: number)
        let abroad = index % 40 == 11
        let nonDiffusible = index % 50 == 7
        fields[0] = String(siret.prefix(9))
        fields[1] = String(siret.suffix(5))
        fields[2] = siret
        fields[3] = nonDiffusible ? "P" : "O"
        fields[4] = "2015-03-\(String(format: "%02d", index % 28 + 1))"
        fields[8] = "2024-01-15T10:42:07"
        fields[9] = number == 1 ? "true" : "false"
        fields[10] = "1"
        if nonDiffusible {
            for column in [11, 12, 13, 16, 17, 18, 19] { fields[column] = "[ND]" }
        } else if abroad {
            fields[17] = "\(index % 200 + 1) HIGH STREET"
            fields[20] = "LONDON"
            fields[25] = "99132"
            fields[26] = "ROYAUME-UNI"
        } else {
            let (type, street) = Self.streets[index % 8]
            let (postcode, city) = Self.cities[(index / 8) % 8]
            fields[11] = index % 7 == 0 ? "\"BATIMENT B, ETAGE \(index % 5)\"" : ""
            fields[12] = String(index % 150 + 1)
            fields[13] = index % 9 == 0 ? "B" : ""
            fields[16] = type
            fields[17] = street
            fields[18] = postcode
            fields[19] = city
            fields[22] = postcode
            fields[27] = "\(postcode)_\(index)"
        }
        fields[44] = "2019-06-01"
        fields[45] = index % 10 == 5 ? "F" : "A"
        fields[46] = index % 6 == 0 ? "ENSEIGNE \(index)" : ""
        fields[50] = "62.01Z"
        fields[51] = "NAFRev2"
        fields[52] = "N"
        return fields.joined(separator: ",") + "\n"
    }
}

/// Appends text to a file through a 1 MiB buffer.
private struct BufferedWriter {
    private let handle: FileHandle
    private let url: URL
    private var buffer: [UInt8] = []

    init(url: URL) throws {
        self.url = url
        guard FileManager.default.createFile(atPath: url.path, contents: nil) else {
            throw DirectoryError("cannot create \(url.path)")
        }
        do { handle = try FileHandle(forWritingTo: url) } catch {
            throw DirectoryError("cannot write \(url.path): \(error.localizedDescription)")
        }
        buffer.reserveCapacity(1 << 20)
    }

    mutating func write(_ text: String) {
        buffer.append(contentsOf: text.utf8)
        if buffer.count >= 1 << 20 { flush() }
    }

    private mutating func flush() {
        handle.write(Data(buffer))
        buffer.removeAll(keepingCapacity: true)
    }

    mutating func close() throws {
        flush()
        do { try handle.close() } catch { throw DirectoryError("cannot write \(url.path): \(error)") }
    }
}
