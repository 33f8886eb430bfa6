/// Pictures of a process: Graphviz `dot` and Mermaid `stateDiagram-v2`. States are labelled with their kind; edges
/// with their event, outcome, guard or timer.
public enum GraphFormat: String, Sendable, CaseIterable {
    case dot, mermaid
}

public enum GraphExport {
    /// One edge of the picture.
    struct Edge {
        var from: String
        var to: String
        var label: String
        var dashed: Bool
    }

    public static func render(_ definition: ProcessDefinition, format: GraphFormat) -> String {
        switch format {
        case .dot: dot(definition)
        case .mermaid: mermaid(definition)
        }
    }

    static func edges(of definition: ProcessDefinition) -> [Edge] {
        var edges: [Edge] = []
        for state in definition.states {
            for (trigger, transition) in state.transitions {
                let base: String
                var dashed = false
                switch trigger {
                case .event(let name): base = name
                case .actionDone: base = ""
                case .choice: base = ""
                case .outcome(let name): base = name
                case .timer(_, let after):
                    base = "after \(after)"
                    dashed = true
                }
                switch transition.target {
                case .none: break
                case .state(let target):
                    edges.append(Edge(from: state.name, to: target.value, label: base, dashed: dashed))
                case .branches(let branches):
                    for branch in branches {
                        let guardText = branch.condition.map { "[\($0.source)]" } ?? "[otherwise]"
                        let label = base.isEmpty ? guardText : "\(base) \(guardText)"
                        edges.append(Edge(from: state.name, to: branch.target.value, label: label, dashed: dashed))
                    }
                }
            }
        }
        return edges
    }

    static func kindLabel(_ state: StateDefinition) -> String {
        switch state.kind {
        case .input: "input"
        case .action(let action): "action \(action.action.value)"
        case .choice: "choice"
        case .approval: "approval"
        case .subprocess(let sub): "subprocess \(sub.process.value)"
        case .final(let final): "final: \(final.outcome.value)"
        }
    }

    // MARK: dot

    static func dot(_ definition: ProcessDefinition) -> String {
        var lines = [
            "digraph \(dotQuote(definition.name.value)) {",
            "  rankdir=LR;",
            "  node [fontname=\"Helvetica\", fontsize=11];",
            "  edge [fontname=\"Helvetica\", fontsize=9];",
            "  __start [shape=point, width=0.15];",
        ]
        for state in definition.states {
            let attributes: String
            switch state.kind {
            case .input: attributes = "shape=box, style=rounded"
            case .action: attributes = "shape=box, style=filled, fillcolor=\"#eef3ff\""
            case .choice: attributes = "shape=diamond"
            case .approval: attributes = "shape=hexagon, style=filled, fillcolor=\"#fff4d6\""
            case .subprocess: attributes = "shape=box, peripheries=2"
            case .final: attributes = "shape=doubleoctagon"
            }
            let label = "\(state.name)\n«\(kindLabel(state))»"
            lines.append("  \(dotQuote(state.name)) [label=\(dotQuote(label)), \(attributes)];")
        }
        if let start = definition.start?.value { lines.append("  __start -> \(dotQuote(start));") }
        for edge in edges(of: definition) {
            var attributes: [String] = []
            if !edge.label.isEmpty { attributes.append("label=\(dotQuote(edge.label))") }
            if edge.dashed { attributes.append("style=dashed") }
            let suffix = attributes.isEmpty ? "" : " [\(attributes.joined(separator: ", "))]"
            lines.append("  \(dotQuote(edge.from)) -> \(dotQuote(edge.to))\(suffix);")
        }
        lines.append("}")
        return lines.joined(separator: "\n") + "\n"
    }

    static func dotQuote(_ text: String) -> String {
        "\""
            + text.replacingOccurrences(of: "\\", with: "\\\\").replacingOccurrences(of: "\"", with: "\\\"")
            .replacingOccurrences(of: "\n", with: "\\n") + "\""
    }

    // MARK: mermaid

    static func mermaid(_ definition: ProcessDefinition) -> String {
        var lines = ["stateDiagram-v2"]
        if let title = definition.title { lines.insert("---\ntitle: \(mermaidText(title))\n---", at: 0) }
        for state in definition.states {
            if case .choice = state.kind {
                lines.append("  state \(mermaidId(state.name)) <<choice>>")
            } else {
                lines.append(
                    "  state \"\(mermaidText("\(state.name) «\(kindLabel(state))»"))\" as \(mermaidId(state.name))")
            }
        }
        if let start = definition.start?.value { lines.append("  [*] --> \(mermaidId(start))") }
        for edge in edges(of: definition) {
            let label = edge.label.isEmpty ? "" : " : \(mermaidText(edge.label))"
            lines.append("  \(mermaidId(edge.from)) --> \(mermaidId(edge.to))\(label)")
        }
        for state in definition.states where state.isFinal { lines.append("  \(mermaidId(state.name)) --> [*]") }
        return lines.joined(separator: "\n") + "\n"
    }

    static func mermaidId(_ name: String) -> String {
        String(name.map { $0.isLetter || $0.isNumber || $0 == "_" ? $0 : "_" })
    }

    /// Mermaid reads `:`, `;`, `<`, `>`, `"` and `#` in labels: write them as entity codes.
    static func mermaidText(_ text: String) -> String {
        var result = ""
        for character in text {
            switch character {
            case ":": result += "#58;"
            case ";": result += "#59;"
            case "<": result += "#lt;"
            case ">": result += "#gt;"
            case "\"": result += "#quot;"
            case "#": result += "#35;"
            case "\n": result += " "
            default: result.append(character)
            }
        }
        return result
    }
}
