import Foundation
import Yams

/// A YAML node with the position it came from; the checker works on these so every message has a location.
public struct SourceNode: Sendable {
    public struct Entry: Sendable {
        public var key: SourceNode
        public var value: SourceNode
    }

    public enum Content: Sendable {
        /// A scalar's text; `plain` is false for quoted and block scalars (which are always strings).
        case scalar(String, plain: Bool)
        case mapping([Entry])
        case sequence([SourceNode])
    }

    public var content: Content
    public var location: SourceLocation

    /// The scalar's text, or nil for a mapping or a sequence.
    public var scalarText: String? {
        if case .scalar(let text, _) = content { return text }
        return nil
    }

    public var entries: [Entry]? {
        if case .mapping(let entries) = content { return entries }
        return nil
    }

    public var items: [SourceNode]? {
        if case .sequence(let items) = content { return items }
        return nil
    }

    /// "a mapping", "a list", "a string"…: how this node looks, for "expected X, found Y" messages.
    public var shapeName: String {
        switch content {
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .scalar:
            switch value {
            case .null: "nothing (null)"
            case .bool: "a boolean"
            case .number: "a number"
            default: "a string"
            }
        }
    }

    /// The location of the scalar's first character of content (after an opening quote).
    public var contentLocation: SourceLocation {
        if case .scalar(_, let plain) = content, !plain { return location.advanced(columns: 1) }
        return location
    }

    /// The node as a value, with YAML 1.2 core-schema scalars: `true`/`false`, `null`/`~`/empty, numbers;
    /// anything else (and every quoted scalar) is a string — `NO` stays the country code.
    public var value: Value {
        switch content {
        case .scalar(let text, let plain):
            guard plain else { return .string(text) }
            return SourceNode.resolvePlainScalar(text)
        case .sequence(let items): return .list(items.map(\.value))
        case .mapping(let entries):
            var object: [String: Value] = [:]
            for entry in entries { object[entry.key.scalarText ?? entry.key.value.description] = entry.value.value }
            return .object(object)
        }
    }

    static func resolvePlainScalar(_ text: String) -> Value {
        switch text {
        case "", "~", "null", "Null", "NULL": return .null
        case "true", "True", "TRUE": return .bool(true)
        case "false", "False", "FALSE": return .bool(false)
        default: break
        }
        if let first = text.unicodeScalars.first,
            CharacterSet.decimalDigits.contains(first) || first == "-" || first == "+" || first == ".",
            text.allSatisfy({ $0.isASCII && ($0.isNumber || "+-.eE_".contains($0)) }),
            let number = Double(text.replacingOccurrences(of: "_", with: ""))
        {
            return .number(number)
        }
        return .string(text)
    }
}

/// A YAML file parsed into source nodes, or the syntax error that stopped it.
public enum YAMLSource {
    /// Parses `text` (one document). Returns nil and a diagnostic on a syntax error; an empty file gives nil.
    public static func parse(_ text: String, file: String) -> (SourceNode?, [Diagnostic]) {
        let node: Node?
        do {
            node = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            return (nil, [diagnostic(for: error, file: file)])
        } catch {
            return (nil, [.error("cannot read YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        guard let node else {
            return (nil, [.error("the file is empty", at: SourceLocation(file: file, line: 1, column: 1))])
        }
        var diagnostics: [Diagnostic] = []
        let converted = convert(node, file: file, diagnostics: &diagnostics, depth: 0)
        return (converted, diagnostics)
    }

    private static func location(_ mark: Mark?, file: String) -> SourceLocation {
        SourceLocation(file: file, line: mark?.line ?? 1, column: mark?.column ?? 1)
    }

    private static func convert(_ node: Node, file: String, diagnostics: inout [Diagnostic], depth: Int) -> SourceNode {
        let here = location(node.mark, file: file)
        guard depth < 200 else {
            diagnostics.append(.error("the document is nested too deeply", at: here))
            return SourceNode(content: .scalar("", plain: true), location: here)
        }
        switch node {
        case .scalar(let scalar):
            return SourceNode(content: .scalar(scalar.string, plain: scalar.style == .plain), location: here)
        case .sequence(let sequence):
            let items = sequence.map { convert($0, file: file, diagnostics: &diagnostics, depth: depth + 1) }
            return SourceNode(content: .sequence(items), location: here)
        case .mapping(let mapping):
            var entries: [SourceNode.Entry] = []
            var firstSeen: [String: SourceLocation] = [:]
            for (key, value) in mapping {
                let keyNode = convert(key, file: file, diagnostics: &diagnostics, depth: depth + 1)
                let valueNode = convert(value, file: file, diagnostics: &diagnostics, depth: depth + 1)
                let name = keyNode.scalarText ?? keyNode.value.description
                if let first = firstSeen[name] {
                    diagnostics.append(
                        .error("duplicate key '\(name)' (first defined at line \(first.line))", at: keyNode.location))
                    continue
                }
                firstSeen[name] = keyNode.location
                entries.append(SourceNode.Entry(key: keyNode, value: valueNode))
            }
            return SourceNode(content: .mapping(entries), location: here)
        }
    }

    private static func diagnostic(for error: YamlError, file: String) -> Diagnostic {
        switch error {
        case .scanner(let context, let problem, let mark, _), .parser(let context, let problem, let mark, _),
            .composer(let context, let problem, let mark, _):
            let detail = context.map { " \($0.text)" } ?? ""
            return .error("invalid YAML: \(problem)\(detail)", at: location(mark, file: file))
        case .reader(let problem, _, _, _):
            return .error("invalid YAML: \(problem)", at: SourceLocation(file: file, line: 1, column: 1))
        default:
            return .error("invalid YAML: \(error)", at: SourceLocation(file: file, line: 1, column: 1))
        }
    }
}
