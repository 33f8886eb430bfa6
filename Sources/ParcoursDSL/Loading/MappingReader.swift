/// Collects diagnostics while a document is read.
final class DiagnosticSink {
    var diagnostics: [Diagnostic] = []

    func error(_ message: String, at location: SourceLocation) { diagnostics.append(.error(message, at: location)) }
    func warning(_ message: String, at location: SourceLocation) {
        diagnostics.append(.warning(message, at: location))
    }
}

/// Reads the keys of one YAML mapping, reporting missing, misplaced and unknown keys ("did you mean …?").
struct MappingReader {
    let node: SourceNode
    let what: String
    let sink: DiagnosticSink
    private var byKey: [String: SourceNode.Entry] = [:]
    private var order: [String] = []

    /// nil (and an error) when `node` is not a mapping.
    init?(_ node: SourceNode, what: String, sink: DiagnosticSink) {
        guard let entries = node.entries else {
            sink.error("\(what) must be a mapping, found \(node.shapeName)", at: node.location)
            return nil
        }
        self.node = node
        self.what = what
        self.sink = sink
        for entry in entries {
            let key = entry.key.scalarText ?? entry.key.value.description
            byKey[key] = entry
            order.append(key)
        }
    }

    var keys: [String] { order }

    func has(_ key: String) -> Bool { byKey[key] != nil }

    subscript(_ key: String) -> SourceNode? { byKey[key]?.value }

    func keyLocation(_ key: String) -> SourceLocation? { byKey[key]?.key.location }

    /// The entries in the order written, keys as strings.
    var entries: [(key: String, keyLocation: SourceLocation, value: SourceNode)] {
        order.compactMap { key in byKey[key].map { (key, $0.key.location, $0.value) } }
    }

    func required(_ key: String) -> SourceNode? {
        if let value = byKey[key]?.value { return value }
        sink.error("\(what) is missing '\(key)'", at: node.location)
        return nil
    }

    /// Reports every key not in `allowed`.
    func rejectUnknownKeys(allowed: [String], hint: String? = nil) {
        for key in order where !allowed.contains(key) {
            let location = byKey[key]?.key.location ?? node.location
            let suggestion = didYouMean(key, in: allowed)
            let extra = suggestion.isEmpty ? (hint.map { "; \($0)" } ?? "") : suggestion
            sink.error("unknown key '\(key)' in \(what)\(extra)", at: location)
        }
    }

    // MARK: Typed accessors (nil and an error when the type is wrong)

    func string(_ key: String, required: Bool = false) -> Located<String>? {
        guard let value = required ? self.required(key) : self[key] else { return nil }
        return Self.string(value, what: "'\(key)'", sink: sink)
    }

    static func string(_ node: SourceNode, what: String, sink: DiagnosticSink) -> Located<String>? {
        guard node.scalarText != nil, case let value = node.value, !value.isNull else {
            sink.error("\(what) must be a string, found \(node.shapeName)", at: node.location)
            return nil
        }
        if case .string(let text) = value { return Located(text, at: node.contentLocation) }
        return Located(node.scalarText ?? value.description, at: node.contentLocation)
    }

    func bool(_ key: String) -> Bool? {
        guard let node = self[key] else { return nil }
        guard case .bool(let value) = node.value else {
            sink.error("'\(key)' must be true or false, found \(node.shapeName)", at: node.location)
            return nil
        }
        return value
    }

    func number(_ key: String) -> Double? {
        guard let node = self[key] else { return nil }
        guard case .number(let value) = node.value else {
            sink.error("'\(key)' must be a number, found \(node.shapeName)", at: node.location)
            return nil
        }
        return value
    }

    func integer(_ key: String) -> Int? {
        guard let value = number(key) else { return nil }
        guard value == value.rounded(), value >= 0, value < 1e9 else {
            sink.error("'\(key)' must be a whole number ≥ 0", at: self[key]?.location ?? node.location)
            return nil
        }
        return Int(value)
    }

    func expression(_ key: String, required: Bool = false) -> Expression? {
        guard let value = required ? self.required(key) : self[key] else { return nil }
        return Self.expression(value, what: "'\(key)'", sink: sink)
    }

    /// An expression written as a YAML scalar; booleans and numbers are accepted as their literal text.
    static func expression(_ node: SourceNode, what: String, sink: DiagnosticSink) -> Expression? {
        guard let text = node.scalarText else {
            sink.error("\(what) must be an expression (a string), found \(node.shapeName)", at: node.location)
            return nil
        }
        var source = text
        if case .scalar(_, let plain) = node.content, plain, node.value.isNull { source = "null" }
        let (expression, diagnostics) = Expression.parse(source, at: node.contentLocation)
        sink.diagnostics += diagnostics
        return expression
    }

    static func template(_ node: SourceNode, what: String, sink: DiagnosticSink) -> TemplateString? {
        guard let text = node.scalarText else {
            sink.error("\(what) must be a text, found \(node.shapeName)", at: node.location)
            return nil
        }
        let (template, diagnostics) = TemplateString.parse(text, at: node.contentLocation)
        sink.diagnostics += diagnostics
        return template
    }

    /// A mapping of name → expression, in the order written.
    func bindings(_ key: String) -> [Binding] {
        guard let node = self[key] else { return [] }
        guard let reader = MappingReader(node, what: "'\(key)'", sink: sink) else { return [] }
        return reader.entries.compactMap { name, location, value in
            Self.expression(value, what: "'\(name)'", sink: sink).map {
                Binding(name: Located(name, at: location), expression: $0)
            }
        }
    }

    /// A list of strings; a single string is accepted as a one-item list.
    func stringList(_ key: String) -> [String]? {
        guard let node = self[key] else { return nil }
        if let single = node.scalarText, !node.value.isNull { return [single] }
        guard let items = node.items else {
            sink.error("'\(key)' must be a list of strings, found \(node.shapeName)", at: node.location)
            return nil
        }
        return items.compactMap { Self.string($0, what: "an item of '\(key)'", sink: sink)?.value }
    }
}
