/// A mailbox parsed from `address@example.org` or `Display Name <address@example.org>`.
///
/// The address itself is limited to ASCII dot-atoms (no quoted local parts, no internationalised domains): what
/// an SMTP relay without SMTPUTF8 accepts. The display name may be any text without line breaks.
struct MailAddress: Sendable, Hashable {
    var displayName: String?
    var address: String

    /// Parses `text`; throws `DeliveryError.Code.invalidAddress` when it is not a usable mailbox.
    init(parsing text: String) throws {
        if text.unicodeScalars.contains(where: { $0 == "\r" || $0 == "\n" || $0 == "\0" }) {
            throw DeliveryError(
                .invalidAddress, .permanent, "address \(String(reflecting: text)) contains a line break")
        }
        let trimmed = trimmingWhitespace(text)
        if trimmed.hasSuffix(">"), let open = trimmed.lastIndex(of: "<") {
            var name = trimmingWhitespace(trimmed[..<open])
            if name.count >= 2, name.hasPrefix("\""), name.hasSuffix("\"") {
                name = Self.unquote(String(name.dropFirst().dropLast()))
            }
            displayName = name.isEmpty ? nil : name
            address = String(trimmed[trimmed.index(after: open)..<trimmed.index(before: trimmed.endIndex)])
        } else {
            displayName = nil
            address = trimmed
        }
        try Self.validate(address: address, in: text)
    }

    /// The mailbox as a header renders it: the address alone, or the display name (quoted or RFC 2047-encoded
    /// when needed) followed by `<address>`.
    var headerForm: String {
        guard let displayName else { return address }
        return "\(Self.phrase(displayName)) <\(address)>"
    }

    /// The domain of the address (after the last `@`).
    var domain: Substring {
        guard let at = address.lastIndex(of: "@") else { return "" }
        return address[address.index(after: at)...]
    }

    private static let atomSpecials: Set<Unicode.Scalar> = Set("!#$%&'*+-/=?^_`{|}~".unicodeScalars)

    static func isAtomCharacter(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar {
        case "a"..."z", "A"..."Z", "0"..."9": true
        default: atomSpecials.contains(scalar)
        }
    }

    private static func validate(address: String, in text: String) throws {
        func refuse(_ reason: String) -> DeliveryError {
            DeliveryError(.invalidAddress, .permanent, "address \(String(reflecting: text)) is not usable: \(reason)")
        }
        guard let at = address.lastIndex(of: "@") else { throw refuse("no @") }
        let local = address[..<at]
        let domain = address[address.index(after: at)...]
        guard !local.isEmpty, !domain.isEmpty else { throw refuse("empty local part or domain") }
        guard address.utf8.count <= 254 else { throw refuse("longer than 254 characters") }
        guard !local.hasPrefix("."), !local.hasSuffix("."), !local.contains("..") else {
            throw refuse("misplaced dot in the local part")
        }
        guard local.unicodeScalars.allSatisfy({ $0 == "." || isAtomCharacter($0) }) else {
            throw refuse("the local part must be ASCII letters, digits, dots and !#$%&'*+-/=?^_`{|}~")
        }
        let labels = domain.split(separator: ".", omittingEmptySubsequences: false)
        let validLabels = labels.allSatisfy { label in
            !label.isEmpty && label.count <= 63 && !label.hasPrefix("-") && !label.hasSuffix("-")
                && label.unicodeScalars.allSatisfy { scalar in
                    switch scalar {
                    case "a"..."z", "A"..."Z", "0"..."9", "-": true
                    default: false
                    }
                }
        }
        guard validLabels else { throw refuse("the domain must be ASCII labels separated by dots") }
    }

    private static func unquote(_ quoted: String) -> String {
        var result = ""
        var escaped = false
        for character in quoted {
            if !escaped && character == "\\" {
                escaped = true
                continue
            }
            escaped = false
            result.append(character)
        }
        return result
    }

    /// A display name as a header phrase: atoms as they are, other ASCII quoted, anything else encoded-words.
    private static func phrase(_ name: String) -> String {
        let scalars = name.unicodeScalars
        if scalars.contains(where: { !$0.isASCII || ($0.value < 0x20 && $0 != "\t") || $0.value == 0x7F })
            || name.contains("=?")
        {
            return EncodedWord.encode(name).joined(separator: " ")
        }
        if scalars.allSatisfy({ $0 == " " || isAtomCharacter($0) }) && !name.hasPrefix(" ") && !name.hasSuffix(" ")
            && !name.contains("  ")
        {
            return name
        }
        var quoted = "\""
        for scalar in scalars {
            if scalar == "\"" || scalar == "\\" { quoted.unicodeScalars.append("\\") }
            quoted.unicodeScalars.append(scalar)
        }
        return quoted + "\""
    }
}

/// `text` without leading and trailing spaces and tabs.
private func trimmingWhitespace(_ text: some StringProtocol) -> String {
    let isBlank: (Character) -> Bool = { $0 == " " || $0 == "\t" }
    guard let first = text.firstIndex(where: { !isBlank($0) }), let last = text.lastIndex(where: { !isBlank($0) })
    else { return "" }
    return String(text[first...last])
}
