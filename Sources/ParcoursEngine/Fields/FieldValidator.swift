import Foundation
import ParcoursDSL
import ParcoursIdentifiers

extension FieldSpec {
    /// Whether validating this field (or one inside it) evaluates an expression: a password policy, or the prefill
    /// of a field that cannot be changed. Keep in step with `FieldValidator`'s uses of its environment.
    var evaluatesWhenValidated: Bool {
        policy != nil || (!editable && prefill != nil) || itemSpecs.contains(where: \.evaluatesWhenValidated)
            || fields.contains(where: \.evaluatesWhenValidated)
    }
}

/// Checks and normalises a payload against declared fields: the gate every event passes before anything changes.
public struct FieldValidator: Sendable {
    /// Evaluates `prefill` and `policy` expressions (the instance's context and settings).
    public var environment: EvaluationEnvironment

    public init(environment: EvaluationEnvironment) {
        self.environment = environment
    }

    /// The normalised payload (defaults and non-editable prefills applied), or every field error found.
    public func validate(_ payload: [String: Value], against fields: [FieldSpec], path: String = "")
        -> Result<[String: Value], FieldErrors>
    {
        var errors: [FieldError] = []
        var accepted: [String: Value] = [:]
        accepted.reserveCapacity(fields.count)
        // Most payloads have no unknown field: look for one before sorting anything.
        if payload.keys.contains(where: { key in !fields.contains { $0.name == key } }) {
            let names = fields.map(\.name)
            for key in payload.keys.sorted() where !names.contains(key) {
                errors.append(FieldError(field: path + key, message: "unknown field\(didYouMean(key, in: names))"))
            }
        }
        for field in fields {
            let name = path + field.name
            var value = payload[field.name] ?? .null
            if case .string(let text) = value, text.isBlank,
                !field.type.isSecret
            {
                value = .null
            }
            if !field.editable, let prefill = field.prefill {
                let expected = (try? prefill.evaluate(in: environment)) ?? .null
                if value.isNull {
                    value = expected
                } else if case .success(let normalized) = check(field, value, name: name), normalized != expected {
                    errors.append(FieldError(field: name, message: "this field cannot be changed"))
                    continue
                }
            }
            if value.isNull, let defaultValue = field.defaultValue { value = defaultValue }
            if value.isNull {
                if field.required { errors.append(FieldError(field: name, message: "this field is required")) }
                accepted[field.name] = .null
                continue
            }
            switch check(field, value, name: name) {
            case .success(let normalized): accepted[field.name] = normalized
            case .failure(let fieldErrors): errors += fieldErrors.errors
            }
        }
        for field in fields {
            // Compared only when both values were accepted: a broken original is reported once, on itself.
            guard let other = field.sameAs?.value, let value = accepted[field.name], !value.isNull,
                accepted[other] != nil
            else { continue }
            if accepted[other] != value, !errors.contains(where: { $0.field == path + field.name }) {
                errors.append(FieldError(field: path + field.name, message: "does not match '\(other)'"))
            }
        }
        return errors.isEmpty ? .success(accepted) : .failure(FieldErrors(errors))
    }

    /// One present value against its field.
    func check(_ field: FieldSpec, _ value: Value, name: String) -> Result<Value, FieldErrors> {
        func fail(_ message: String) -> Result<Value, FieldErrors> {
            .failure(FieldErrors([FieldError(field: name, message: message)]))
        }
        switch field.type {
        case .boolean:
            guard case .bool = value else { return fail("true or false expected, got \(value.kindName)") }
            return .success(value)
        case .integer, .number:
            guard case .number(let number) = value, number.isFinite else {
                return fail("a number expected, got \(value.kindName)")
            }
            if field.type == .integer, number != number.rounded() { return fail("a whole number expected") }
            if let minimum = field.minimum, number < minimum {
                return fail("at least \(Value.number(minimum)) expected")
            }
            if let maximum = field.maximum, number > maximum {
                return fail("at most \(Value.number(maximum)) expected")
            }
            return .success(value)
        case .date, .datetime:
            if case .date = value { return .success(value) }
            guard case .string(let text) = value, let date = Value.parseDate(text) else {
                return fail("an ISO-8601 date expected, such as 2026-01-31 or 2026-01-31T09:00:00Z")
            }
            return .success(.date(date))
        case .list:
            guard case .list(let items) = value else { return fail("a list expected, got \(value.kindName)") }
            if let minimum = field.minLength, items.count < minimum {
                return fail("at least \(minimum) items expected")
            }
            if let maximum = field.maxLength, items.count > maximum { return fail("at most \(maximum) items expected") }
            guard let item = field.item else { return .success(value) }
            var result: [Value] = []
            var errors: [FieldError] = []
            for (index, element) in items.enumerated() {
                switch check(item, element, name: "\(name)[\(index)]") {
                case .success(let normalized): result.append(normalized)
                case .failure(let itemErrors): errors += itemErrors.errors
                }
            }
            return errors.isEmpty ? .success(.list(result)) : .failure(FieldErrors(errors))
        case .object:
            guard case .object(let members) = value else { return fail("an object expected, got \(value.kindName)") }
            if field.fields.isEmpty { return .success(value) }
            return validate(members, against: field.fields, path: name + ".").map(Value.object)
        default:
            guard case .string(let raw) = value else { return fail("a text expected, got \(value.kindName)") }
            return checkText(field, raw, name: name)
        }
    }

    func checkText(_ field: FieldSpec, _ raw: String, name: String) -> Result<Value, FieldErrors> {
        func fail(_ message: String) -> Result<Value, FieldErrors> {
            .failure(FieldErrors([FieldError(field: name, message: message)]))
        }
        var text = field.type.isSecret ? raw : raw.trimmingWhitespace
        switch field.type {
        case .email:
            // Most addresses come in lower case already: no new string then.
            if text.utf8.contains(where: { $0 >= 0x80 || (UInt8(ascii: "A")...UInt8(ascii: "Z")).contains($0) }) {
                text = text.lowercased()
            }
            if !FieldValidator.isEmail(text) { return fail("not a valid e-mail address") }
        case .phone:
            let digits = text.filter(\.isNumber)
            let allowed = CharacterSet(charactersIn: "0123456789 +.-()")
            if text.unicodeScalars.contains(where: { !allowed.contains($0) }) || !(6...20).contains(digits.count) {
                return fail("not a valid phone number")
            }
        case .siret, .siren, .vat, .ridet, .tahiti:
            guard let kind = IdentifierKind(rawValue: field.type.rawValue) else { break }
            let verdict = Identifiers.check(kind, text)
            if let problem = verdict.problem { return fail(problem) }
            text = verdict.normalized
        case .enum:
            if !field.values.contains(where: { $0.value == text }) {
                let accepted = field.values.map(\.value).joined(separator: ", ")
                return fail("'\(text)' is not one of: \(accepted)")
            }
        case .password:
            if let problem = passwordProblem(text, field: field) { return fail(problem) }
        default: break
        }
        if field.minLength != nil || field.maxLength != nil {
            // Counted in characters (grapheme clusters), only when a bound asks: it walks the whole text.
            let length = text.count
            if let minimum = field.minLength, length < minimum {
                return fail("at least \(minimum) characters expected, got \(length)")
            }
            if let maximum = field.maxLength, length > maximum {
                return fail("at most \(maximum) characters expected, got \(length)")
            }
        }
        if let pattern = field.pattern, text.range(of: "^(?:\(pattern))$", options: .regularExpression) == nil {
            return fail(
                field.type.isSecret
                    ? "does not have the expected format" : "'\(text)' does not have the expected format")
        }
        return .success(.string(text))
    }

    /// The password policy: `{ min_length, min_classes }` among upper case, lower case, digits, others.
    func passwordProblem(_ password: String, field: FieldSpec) -> String? {
        guard let policyExpression = field.policy else { return nil }
        let policy = (try? policyExpression.evaluate(in: environment)) ?? .null
        let minimumLength = Int(policy[member: "min_length"].numberValue ?? 0)
        let minimumClasses = Int(policy[member: "min_classes"].numberValue ?? 0)
        if password.count < minimumLength {
            return "at least \(minimumLength) characters expected, got \(password.count)"
        }
        var classes = 0
        if password.contains(where: \.isUppercase) { classes += 1 }
        if password.contains(where: \.isLowercase) { classes += 1 }
        if password.contains(where: \.isNumber) { classes += 1 }
        if password.contains(where: { !$0.isLetter && !$0.isNumber }) { classes += 1 }
        if classes < minimumClasses {
            return
                "at least \(minimumClasses) kinds of characters expected among upper case, lower case, digits and special characters, got \(classes)"
        }
        return nil
    }

    /// A pragmatic address check: one `@`, a dot in the domain, no spaces; lengths in octets as RFC 5321 counts
    /// them (64 for the local part, 254 in all).
    public static func isEmail(_ text: String) -> Bool {
        var text = text
        // One pass over the bytes: every event with an address field checks it.
        return text.withUTF8 { bytes in
            guard bytes.count <= 254 else { return false }
            var at: Int?
            var hasNonASCII = false
            var previous: UInt8 = 0
            var domainHasDot = false
            for (index, byte) in bytes.enumerated() {
                switch byte {
                case UInt8(ascii: "@"):
                    if at != nil { return false }
                    at = index
                case UInt8(ascii: " "), 0x09...0x0D, UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "<"),
                    UInt8(ascii: ">"):
                    return false
                case UInt8(ascii: "."):
                    if at != nil {
                        // Two dots in a row, or a dot right after the `@`, in the domain.
                        if previous == UInt8(ascii: ".") || previous == UInt8(ascii: "@") { return false }
                        domainHasDot = true
                    }
                default:
                    if byte >= 0x80 { hasNonASCII = true }
                }
                previous = byte
            }
            guard let at, at > 0, at <= 64, domainHasDot, previous != UInt8(ascii: ".") else { return false }
            // White space beyond ASCII (U+0085, U+00A0, U+2000…) only when the text has other than ASCII.
            return !hasNonASCII
                || !String(decoding: bytes, as: UTF8.self).unicodeScalars.contains(where: \.isWhitespaceOrNewline)
        }
    }
}
