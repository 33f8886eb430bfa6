/// The check behind `is_email`: a plain `local@domain` address in ASCII.
///
/// The local part is 1 to 64 characters among letters, digits and ``!#$%&'*+/=?^_`{|}~.-``, without a dot at
/// either end or two dots in a row; the domain has at least two labels of letters, digits and `-` (1 to 63
/// characters, not starting or ending with `-`), the last one letters only, at least two of them; the whole
/// address is at most 254 characters. Quoted local parts, comments and IP-address domains are refused.
enum EmailAddress {
    static func isValid(_ text: String) -> Bool {
        let scalars = Array(text.unicodeScalars)
        guard scalars.count <= 254, let at = scalars.firstIndex(of: "@") else { return false }
        let local = scalars[..<at]
        let domain = scalars[(at + 1)...]
        return isValidLocalPart(local) && isValidDomain(domain)
    }

    private static let localSymbols = Set("!#$%&'*+/=?^_`{|}~-".unicodeScalars)

    private static func isAlphanumeric(_ scalar: Unicode.Scalar) -> Bool {
        scalar.isASCIIDigit || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
    }

    private static func isValidLocalPart(_ local: ArraySlice<Unicode.Scalar>) -> Bool {
        guard (1...64).contains(local.count), local.first != ".", local.last != "." else { return false }
        var previous: Unicode.Scalar?
        for scalar in local {
            if scalar == ".", previous == "." { return false }
            guard isAlphanumeric(scalar) || scalar == "." || localSymbols.contains(scalar) else { return false }
            previous = scalar
        }
        return true
    }

    private static func isValidDomain(_ domain: ArraySlice<Unicode.Scalar>) -> Bool {
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        guard labels.count >= 2 else { return false }
        for label in labels {
            guard (1...63).contains(label.count), label.first != "-", label.last != "-",
                label.allSatisfy({ isAlphanumeric($0) || $0 == "-" })
            else { return false }
        }
        guard let last = labels.last else { return false }
        return last.count >= 2 && last.allSatisfy { ("a"..."z").contains($0) || ("A"..."Z").contains($0) }
    }
}
