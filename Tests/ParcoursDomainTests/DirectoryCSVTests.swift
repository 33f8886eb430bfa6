import Testing

@testable import ParcoursDomain

/// All the records of `text`, read `chunkSize` bytes at a time.
private func records(_ text: String, chunkSize: Int = 1 << 16, maximumRecordBytes: Int = 1 << 20) throws
    -> [CSVRecord]
{
    var reader = CSVReader(
        source: MemoryByteSource(text), chunkSize: chunkSize, maximumRecordBytes: maximumRecordBytes)
    var result: [CSVRecord] = []
    while let record = try reader.next() { result.append(record) }
    return result
}

@Suite("Directory: the streaming CSV reader")
struct DirectoryCSVReaderTests {
    @Test func readsPlainRecordsWithTheirLines() throws {
        let read = try records("a,b,c\n1,2,3\n,,\n")
        #expect(read.map(\.fields) == [["a", "b", "c"], ["1", "2", "3"], ["", "", ""]])
        #expect(read.map(\.line) == [1, 2, 3])
        #expect(read.allSatisfy { $0.problem == nil })
    }

    @Test func unquotesQuotedFieldsWithSeparatorsDoubledQuotesAndLineBreaks() throws {
        let text = "name,complement\n\"A, B\",\"say \"\"hi\"\"\"\n\"two\nlines\",x\n\"\",\"\"\"\"\nlast,one\n"
        let read = try records(text)
        #expect(
            read.map(\.fields) == [
                ["name", "complement"], ["A, B", "say \"hi\""], ["two\nlines", "x"], ["", "\""], ["last", "one"],
            ])
        // The record after the embedded line break starts on line 5.
        #expect(read.map(\.line) == [1, 2, 3, 5, 6])
    }

    @Test func acceptsCRLFLoneCRAndNoFinalLineBreak() throws {
        #expect(try records("a,b\r\n1,2\r\n3,4").map(\.fields) == [["a", "b"], ["1", "2"], ["3", "4"]])
        #expect(try records("a\rb\r").map(\.fields) == [["a"], ["b"]])
        #expect(try records("a,b\r\n\"x\r\ny\",z\r\n").map(\.fields) == [["a", "b"], ["x\r\ny", "z"]])
        #expect(try records("").isEmpty)
    }

    @Test func skipsAByteOrderMark() throws {
        #expect(try records("\u{FEFF}siren,nic\n1,2\n").first?.fields == ["siren", "nic"])
        #expect(try records("\u{FEFF}siren,nic\n1,2\n", chunkSize: 2).first?.fields == ["siren", "nic"])
    }

    @Test func chunkBoundariesAnywhereGiveTheSameRecords() throws {
        let text =
            "siret,\"libelle, voie\",x\r\n\"12\"\"3\",\"a\r\nb\",\"\"\r\n\"\",\"q\"\"\"\"\",é€😀\n\n\"end\",2,3\r\n"
        let whole = try records(text)
        #expect(whole.count == 5)
        #expect(whole[1].fields == ["12\"3", "a\r\nb", ""])
        #expect(whole[2].fields == ["", "q\"\"", "é€😀"])
        for chunkSize in 1...9 {
            #expect(try records(text, chunkSize: chunkSize) == whole, "chunk size \(chunkSize)")
        }
    }

    @Test func anUnclosedQuoteIsReportedNotFatal() throws {
        let read = try records("a,b\n1,\"open\n2,3\n")
        #expect(read.count == 2)
        #expect(read[1].problem?.contains("not closed") == true)
        #expect(read[1].line == 2)
    }

    @Test func aRecordTooLongIsDroppedAndReadingGoesOnAtTheNextLine() throws {
        let long = String(repeating: "x", count: 100)
        let read = try records("a,b\n\(long),\(long)\n1,2\n", chunkSize: 7, maximumRecordBytes: 50)
        #expect(read.count == 3)
        #expect(read[1].problem?.contains("longer than 50 bytes") == true)
        #expect(read[1].line == 2)
        #expect(read[2].fields == ["1", "2"])
        #expect(read[2].line == 3)
        #expect(read[2].problem == nil)
    }

    @Test func countsTheBytesRead() throws {
        var reader = CSVReader(source: MemoryByteSource("a,b\n1,2\n"), chunkSize: 3)
        while try reader.next() != nil {}
        #expect(reader.bytesRead == 8)
    }
}

@Suite("Directory: SIRENE rows by column name")
struct DirectorySireneMappingTests {
    static let header = [
        "siren", "nic", "siret", "statutDiffusionEtablissement", "etablissementSiege", "numeroVoieEtablissement",
        "indiceRepetitionEtablissement", "typeVoieEtablissement", "libelleVoieEtablissement",
        "codePostalEtablissement", "libelleCommuneEtablissement", "dateDebut", "etatAdministratifEtablissement",
    ]
    static let row = [
        "799549860", "00010", "79954986000010", "O", "true", "13", "B", "AV", "JOSEPH JAN", "35170", "BRUZ",
        "2013-12-18", "A",
    ]

    @Test func detectsTheKindOfFileFromItsHeader() throws {
        #expect(SireneFileKind.detect(header: Self.header) == .establishments)
        #expect(SireneFileKind.detect(header: ["siren", "denominationUniteLegale"]) == .legalUnits)
        #expect(SireneFileKind.detect(header: ["name", "city"]) == nil)
        #expect(throws: DirectoryError.self) { try SireneRowMapper(header: CSVHeader(["name", "city"])) }
    }

    @Test func reorderedAndExtraColumnsReadTheSame() throws {
        let expected = try SireneRowMapper(header: CSVHeader(Self.header)).establishment(Self.row)
        #expect(expected.siren == "799549860")
        #expect(expected.streetNumber == "13")
        #expect(expected.repetitionIndex == "B")
        #expect(expected.city == "BRUZ")
        #expect(expected.isHeadOffice == true)
        #expect(expected.periodStartedOn == "2013-12-18")
        #expect(expected.foreignCountry == nil)  // no such column: nil
        let order = Array(Self.header.indices.reversed())
        var header = order.map { Self.header[$0] }
        var row = order.map { Self.row[$0] }
        header.insert("coordonneeLambertAbscisseEtablissement", at: 3)
        row.insert("351234.5", at: 3)
        header.append("aColumnOf2040")
        row.append("whatever")
        #expect(try SireneRowMapper(header: CSVHeader(header)).establishment(row) == expected)
    }

    @Test func maskedAndEmptyFieldsAreNil() throws {
        var row = Self.row
        row[5] = "[ND]"
        row[6] = ""
        row[8] = "  [ND] "
        let establishment = try SireneRowMapper(header: CSVHeader(Self.header)).establishment(row)
        #expect(establishment.streetNumber == nil)
        #expect(establishment.repetitionIndex == nil)
        #expect(establishment.streetName == nil)
    }

    @Test func badRowsSayWhy() throws {
        let mapper = try SireneRowMapper(header: CSVHeader(Self.header))
        func problem(_ change: (inout [String]) -> Void) -> String? {
            var row = Self.row
            change(&row)
            do {
                _ = try mapper.establishment(row)
                return nil
            } catch {
                return error.reason
            }
        }
        #expect(problem { $0.removeLast() }?.contains("12 fields where the header has 13") == true)
        #expect(problem { $0[2] = "79954986000011" }?.contains("invalid SIRET") == true)
        #expect(problem { $0[2] = "" }?.contains("invalid SIRET") == true)
        #expect(problem { $0[0] = "123456782" }?.contains("siren column") == true)
        #expect(problem { $0[11] = "18/12/2013" }?.contains("dateDebut") == true)
        #expect(problem { $0[11] = "2013-13-01" }?.contains("not a date") == true)
        #expect(problem { $0[4] = "maybe" }?.contains("etablissementSiege") == true)
        #expect(problem { _ in } == nil)
    }

    @Test func readsLegalUnits() throws {
        let mapper = try SireneRowMapper(
            header: CSVHeader([
                "siren", "statutDiffusionUniteLegale", "prenom1UniteLegale", "nomUniteLegale", "nomUsageUniteLegale",
                "denominationUniteLegale", "dateDernierTraitementUniteLegale",
            ]))
        #expect(mapper.kind == .legalUnits)
        let unit = try mapper.legalUnit(["799549860", "O", "", "", "", "LE DRESSING DE LOUISE", "2024-03-22T09:12:45"])
        #expect(unit.denomination == "LE DRESSING DE LOUISE")
        #expect(unit.lastProcessedAt == "2024-03-22T09:12:45")
        #expect(throws: SireneRowProblem.self) { try mapper.legalUnit(["799549861", "O", "", "", "", "X", ""]) }
        #expect(throws: SireneRowProblem.self) {
            try mapper.legalUnit(["799549860", "O", "", "", "", "X", "yesterday"])
        }
    }

    @Test func theGeneratorMakesValidNumbers() {
        for index in [0, 1, 17, 999_999] {
            let siren = SireneGenerator.siren(index)
            #expect(siren.count == 9)
            for number in 1...3 {
                let siret = SireneGenerator.siret(unit: index, establishment: number)
                #expect(siret.hasPrefix(siren))
                #expect(throws: Never.self) {
                    _ = try SireneRowMapper(header: CSVHeader(["siret"])).establishment([siret])
                }
            }
        }
    }
}
