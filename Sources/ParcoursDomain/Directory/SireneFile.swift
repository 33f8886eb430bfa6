import ParcoursIdentifiers

/// The two files of INSEE's SIRENE stock that the directory imports.
public enum SireneFileKind: String, Sendable, CaseIterable {
    /// `StockEtablissement`: one row per establishment (SIRET), with its address.
    case establishments
    /// `StockUniteLegale`: one row per legal unit (SIREN), with its name.
    case legalUnits

    /// The name INSEE gives the file.
    public var inseeName: String {
        switch self {
        case .establishments: "StockEtablissement"
        case .legalUnits: "StockUniteLegale"
        }
    }

    /// The kind of file whose header is `columns`, or nil when it is neither: a `siret` column makes it the
    /// establishments, a `siren` column with `…UniteLegale` columns the legal units.
    public static func detect(header columns: [String]) -> SireneFileKind? {
        let names = Set(columns)
        if names.contains("siret") { return .establishments }
        if names.contains("siren"), columns.contains(where: { $0.hasSuffix("UniteLegale") }) { return .legalUnits }
        return nil
    }
}

/// A CSV header: the index of each column by its name, so that files whose columns were added to, removed or
/// reordered over the years read the same.
public struct CSVHeader: Sendable {
    /// The column names, in file order.
    public let names: [String]
    private let indexByName: [String: Int]

    /// The header whose columns are `names` (surrounding spaces ignored; the first of two equal names wins).
    public init(_ names: [String]) {
        self.names = names.map { $0.trimmingSpaces }
        var index: [String: Int] = [:]
        for (position, name) in self.names.enumerated() where index[name] == nil { index[name] = position }
        indexByName = index
    }

    /// The position of the column `name`, or nil when the file has no such column.
    public func index(of name: String) -> Int? { indexByName[name] }
}

/// An establishment of `StockEtablissement`, as the directory keeps it. Empty fields, and fields INSEE masks as
/// `[ND]` (non diffusible), are nil.
public struct SireneEstablishment: Sendable, Equatable {
    /// The establishment's number: its SIREN and its NIC.
    public var siret: String
    /// The first 9 digits of the SIRET.
    public var siren: String
    /// The last 5 digits of the SIRET.
    public var nic: String
    /// `etatAdministratifEtablissement`: `A` active, `F` closed.
    public var administrativeState: String?
    /// `statutDiffusionEtablissement`: `O` diffusible, `P` partially diffusible (older files: `N`).
    public var diffusionStatus: String?
    /// `etablissementSiege`: whether it is the legal unit's head office.
    public var isHeadOffice: Bool?
    /// `numeroVoieEtablissement`.
    public var streetNumber: String?
    /// `indiceRepetitionEtablissement` (B for bis, T for ter…).
    public var repetitionIndex: String?
    /// `typeVoieEtablissement`, INSEE's abbreviation (AV, RUE, BD…).
    public var streetType: String?
    /// `libelleVoieEtablissement`.
    public var streetName: String?
    /// `complementAdresseEtablissement`.
    public var addressComplement: String?
    /// `codePostalEtablissement`.
    public var postcode: String?
    /// `libelleCommuneEtablissement`.
    public var city: String?
    /// `libelleCommuneEtrangerEtablissement`: the city of an establishment abroad.
    public var foreignCity: String?
    /// `codePaysEtrangerEtablissement`: INSEE's code of the country abroad (99132…).
    public var foreignCountryCode: String?
    /// `libellePaysEtrangerEtablissement`: the name of the country abroad; nil in France.
    public var foreignCountry: String?
    /// `enseigne1Etablissement`: the sign.
    public var signName: String?
    /// `denominationUsuelleEtablissement`.
    public var usualName: String?
    /// `dateCreationEtablissement` (YYYY-MM-DD).
    public var createdOn: String?
    /// `dateDebut`: the start of the current period (YYYY-MM-DD).
    public var periodStartedOn: String?
    /// `dateDernierTraitementEtablissement` (YYYY-MM-DDTHH:MM:SS).
    public var lastProcessedAt: String?
}

/// A legal unit of `StockUniteLegale`, as the directory keeps it. Empty and `[ND]` fields are nil.
public struct SireneLegalUnit: Sendable, Equatable {
    /// The legal unit's number.
    public var siren: String
    /// `etatAdministratifUniteLegale`: `A` active, `C` ceased.
    public var administrativeState: String?
    /// `statutDiffusionUniteLegale`: `O` diffusible, `P` partially diffusible (older files: `N`).
    public var diffusionStatus: String?
    /// `denominationUniteLegale`: the company name of a legal person.
    public var denomination: String?
    /// `sigleUniteLegale`.
    public var acronym: String?
    /// `nomUniteLegale`: an individual's birth name.
    public var lastName: String?
    /// `nomUsageUniteLegale`: an individual's usage name.
    public var usageName: String?
    /// `prenom1UniteLegale`: an individual's first first name.
    public var firstName: String?
    /// `prenomUsuelUniteLegale`: an individual's usual first name.
    public var usualFirstName: String?
    /// `categorieJuridiqueUniteLegale` (1000 individual entrepreneur, 5710 SAS…).
    public var legalCategory: String?
    /// `dateCreationUniteLegale` (YYYY-MM-DD).
    public var createdOn: String?
    /// `dateDebut`: the start of the current period (YYYY-MM-DD).
    public var periodStartedOn: String?
    /// `dateDernierTraitementUniteLegale` (YYYY-MM-DDTHH:MM:SS).
    public var lastProcessedAt: String?
}

/// A row the import skipped, and why.
public struct SireneRowProblem: Error, Sendable, Equatable {
    /// Why the row was skipped.
    public var reason: String

    init(_ reason: String) { self.reason = reason }
}

/// Maps the rows of a SIRENE file to records, by column name.
public struct SireneRowMapper: Sendable {
    /// The kind of file.
    public let kind: SireneFileKind
    /// The number of columns of the header (every row must have as many).
    public let columnCount: Int
    private let columns: [Field: Int]

    /// The fields the directory keeps, by their INSEE column.
    enum Field: String, CaseIterable {
        case siren, nic, siret
        case establishmentState = "etatAdministratifEtablissement"
        case establishmentDiffusion = "statutDiffusionEtablissement"
        case headOffice = "etablissementSiege"
        case streetNumber = "numeroVoieEtablissement"
        case repetitionIndex = "indiceRepetitionEtablissement"
        case streetType = "typeVoieEtablissement"
        case streetName = "libelleVoieEtablissement"
        case addressComplement = "complementAdresseEtablissement"
        case postcode = "codePostalEtablissement"
        case city = "libelleCommuneEtablissement"
        case foreignCity = "libelleCommuneEtrangerEtablissement"
        case foreignCountryCode = "codePaysEtrangerEtablissement"
        case foreignCountry = "libellePaysEtrangerEtablissement"
        case signName = "enseigne1Etablissement"
        case usualName = "denominationUsuelleEtablissement"
        case establishmentCreated = "dateCreationEtablissement"
        case establishmentProcessed = "dateDernierTraitementEtablissement"
        case periodStart = "dateDebut"
        case unitState = "etatAdministratifUniteLegale"
        case unitDiffusion = "statutDiffusionUniteLegale"
        case denomination = "denominationUniteLegale"
        case acronym = "sigleUniteLegale"
        case lastName = "nomUniteLegale"
        case usageName = "nomUsageUniteLegale"
        case firstName = "prenom1UniteLegale"
        case usualFirstName = "prenomUsuelUniteLegale"
        case legalCategory = "categorieJuridiqueUniteLegale"
        case unitCreated = "dateCreationUniteLegale"
        case unitProcessed = "dateDernierTraitementUniteLegale"
    }

    /// A mapper for the file whose header is `header`.
    ///
    /// - Throws: ``DirectoryError`` when the header is not one of a SIRENE file, or lacks the key columns.
    public init(header: CSVHeader) throws {
        guard let kind = SireneFileKind.detect(header: header.names) else {
            let shown = header.names.prefix(6).joined(separator: ",")
            throw DirectoryError(
                "the header (\(shown)\(header.names.count > 6 ? ",…" : "")) is neither StockEtablissement's (a siret "
                    + "column) nor StockUniteLegale's (siren and …UniteLegale columns): is it a SIRENE stock file?")
        }
        self.kind = kind
        columnCount = header.names.count
        var columns: [Field: Int] = [:]
        for field in Field.allCases { columns[field] = header.index(of: field.rawValue) }
        self.columns = columns
    }

    /// The establishment of `fields` (a row of a `StockEtablissement` file).
    ///
    /// - Throws: ``SireneRowProblem`` when the row has the wrong number of fields, an invalid SIRET or SIREN, or
    ///   a date that is not one.
    public func establishment(_ fields: [String]) throws(SireneRowProblem) -> SireneEstablishment {
        try checkCount(fields)
        let siret = value(.siret, fields) ?? ""
        guard Identifiers.check(.siret, siret).isValid, siret.utf8.count == 14 else {
            throw SireneRowProblem("invalid SIRET '\(siret)'")
        }
        let siren = String(siret.prefix(9))
        let nic = String(siret.suffix(5))
        if let given = value(.siren, fields), given != siren {
            throw SireneRowProblem("the siren column (\(given)) is not the start of the SIRET \(siret)")
        }
        if let given = value(.nic, fields), given != nic {
            throw SireneRowProblem("the nic column (\(given)) is not the end of the SIRET \(siret)")
        }
        let headOffice: Bool?
        switch value(.headOffice, fields)?.lowercased() {
        case nil: headOffice = nil
        case "true", "1", "o", "oui": headOffice = true
        case "false", "0", "n", "non": headOffice = false
        case let other?: throw SireneRowProblem("etablissementSiege is '\(other)', not true or false")
        }
        return SireneEstablishment(
            siret: siret, siren: siren, nic: nic,
            administrativeState: value(.establishmentState, fields),
            diffusionStatus: value(.establishmentDiffusion, fields),
            isHeadOffice: headOffice,
            streetNumber: value(.streetNumber, fields),
            repetitionIndex: value(.repetitionIndex, fields),
            streetType: value(.streetType, fields),
            streetName: value(.streetName, fields),
            addressComplement: value(.addressComplement, fields),
            postcode: value(.postcode, fields),
            city: value(.city, fields),
            foreignCity: value(.foreignCity, fields),
            foreignCountryCode: value(.foreignCountryCode, fields),
            foreignCountry: value(.foreignCountry, fields),
            signName: value(.signName, fields),
            usualName: value(.usualName, fields),
            createdOn: try date(.establishmentCreated, fields),
            periodStartedOn: try date(.periodStart, fields),
            lastProcessedAt: try timestamp(.establishmentProcessed, fields))
    }

    /// The legal unit of `fields` (a row of a `StockUniteLegale` file).
    ///
    /// - Throws: ``SireneRowProblem`` when the row has the wrong number of fields, an invalid SIREN, or a date
    ///   that is not one.
    public func legalUnit(_ fields: [String]) throws(SireneRowProblem) -> SireneLegalUnit {
        try checkCount(fields)
        let siren = value(.siren, fields) ?? ""
        guard Identifiers.check(.siren, siren).isValid, siren.utf8.count == 9 else {
            throw SireneRowProblem("invalid SIREN '\(siren)'")
        }
        return SireneLegalUnit(
            siren: siren,
            administrativeState: value(.unitState, fields),
            diffusionStatus: value(.unitDiffusion, fields),
            denomination: value(.denomination, fields),
            acronym: value(.acronym, fields),
            lastName: value(.lastName, fields),
            usageName: value(.usageName, fields),
            firstName: value(.firstName, fields),
            usualFirstName: value(.usualFirstName, fields),
            legalCategory: value(.legalCategory, fields),
            createdOn: try date(.unitCreated, fields),
            periodStartedOn: try date(.periodStart, fields),
            lastProcessedAt: try timestamp(.unitProcessed, fields))
    }

    private func checkCount(_ fields: [String]) throws(SireneRowProblem) {
        guard fields.count == columnCount else {
            throw SireneRowProblem("\(fields.count) fields where the header has \(columnCount)")
        }
    }

    /// The trimmed field of `field`'s column; nil when the file has no such column, the field is empty, or INSEE
    /// masked it (`[ND]`).
    private func value(_ field: Field, _ fields: [String]) -> String? {
        guard let index = columns[field] else { return nil }
        let text = fields[index].trimmingSpaces
        return text.isEmpty || text == "[ND]" ? nil : text
    }

    /// A YYYY-MM-DD date (a time after it, as some files have, is dropped).
    private func date(_ field: Field, _ fields: [String]) throws(SireneRowProblem) -> String? {
        guard let text = value(field, fields) else { return nil }
        let day = String(text.prefix(10))
        guard Self.isDate(day), text.count == 10 || text.dropFirst(10).first == "T" || text.dropFirst(10).first == " "
        else { throw SireneRowProblem("\(field.rawValue) is '\(text)', not a date (YYYY-MM-DD)") }
        return day
    }

    /// A YYYY-MM-DD date, optionally with a time (YYYY-MM-DDTHH:MM:SS[.fff]).
    private func timestamp(_ field: Field, _ fields: [String]) throws(SireneRowProblem) -> String? {
        guard let text = value(field, fields) else { return nil }
        let bytes = Array(text.utf8)
        var isValid = bytes.count >= 10 && Self.isDate(String(text.prefix(10)))
        if isValid && bytes.count > 10 {
            let time = bytes.dropFirst(11)
            isValid =
                (bytes[10] == UInt8(ascii: "T") || bytes[10] == UInt8(ascii: " ")) && time.count >= 8
                && time.allSatisfy { ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: ":") || $0 == UInt8(ascii: ".") }
        }
        guard isValid else {
            throw SireneRowProblem("\(field.rawValue) is '\(text)', not a date and time (YYYY-MM-DDTHH:MM:SS)")
        }
        return text
    }

    /// Whether `text` is a plausible YYYY-MM-DD date (month 1–12, day 1–31).
    static func isDate(_ text: String) -> Bool {
        let bytes = Array(text.utf8)
        guard bytes.count == 10, bytes[4] == UInt8(ascii: "-"), bytes[7] == UInt8(ascii: "-") else { return false }
        var numbers: [Int] = []
        for range in [0..<4, 5..<7, 8..<10] {
            var number = 0
            for byte in bytes[range] {
                guard byte >= 48, byte <= 57 else { return false }
                number = number * 10 + Int(byte - 48)
            }
            numbers.append(number)
        }
        return numbers[0] >= 1000 && (1...12).contains(numbers[1]) && (1...31).contains(numbers[2])
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String {
        let bytes = utf8
        guard let first = bytes.firstIndex(where: { $0 != 32 && $0 != 9 }) else { return "" }
        guard let last = bytes.lastIndex(where: { $0 != 32 && $0 != 9 }) else { return "" }
        if first == bytes.startIndex && last == bytes.index(before: bytes.endIndex) { return self }
        return String(self[first...last])
    }
}
