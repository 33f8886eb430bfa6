/// Text with `{{ expression }}` placeholders, such as a notification's body or an approval's title.
///
/// A placeholder ends at the first `}}` that is not inside a quoted string of its expression. There is no
/// escape for a literal `{{`: write `{{ '{{' }}`. Lone `{`, `}` and `}}` outside placeholders are plain text.
///
/// Rendering shows strings as they are, numbers without a useless `.0`, dates in ISO-8601, durations in
/// ISO-8601, null as nothing, and lists and objects as JSON.
public struct TemplateString: Hashable, Sendable, CustomStringConvertible {
    /// A piece of a template: literal text or a placeholder.
    enum Segment: Sendable {
        case text(String)
        case placeholder(Expression)
    }

    /// The template as written.
    public let source: String
    /// The location of the first character of `source`.
    public let location: SourceLocation
    let segments: [Segment]

    /// The placeholders' expressions, in order.
    public var expressions: [Expression] {
        segments.compactMap { segment in
            if case .placeholder(let expression) = segment { return expression }
            return nil
        }
    }

    /// Parses `source`, written at `location`: the template, or nil and every problem found (an unterminated
    /// `{{` at its position, an empty placeholder, each placeholder's syntax error).
    public static func parse(_ source: String, at location: SourceLocation) -> (TemplateString?, [Diagnostic]) {
        let scalars = Array(source.unicodeScalars)
        let closings = closingBraces(in: scalars)
        var segments: [Segment] = []
        var diagnostics: [Diagnostic] = []
        var text = String.UnicodeScalarView()
        var index = 0
        var line = 0
        var lineStart = 0
        /// Moves `index` to `target`, keeping track of lines.
        func move(to target: Int) {
            while index < target {
                if scalars[index] == "\n" {
                    line += 1
                    lineStart = index + 1
                }
                index += 1
            }
        }
        while index < scalars.count {
            guard scalars[index] == "{", index + 1 < scalars.count, scalars[index + 1] == "{" else {
                text.append(scalars[index])
                move(to: index + 1)
                continue
            }
            let openLocation = location.offset(line: line, column: index - lineStart)
            guard let close = closings[index + 2] else {
                diagnostics.append(.error("unterminated placeholder: '{{' without '}}'", at: openLocation))
                break
            }
            move(to: index + 2)
            while index < close, [" ", "\t", "\n", "\r"].contains(scalars[index]) { move(to: index + 1) }
            let expressionLocation = location.offset(line: line, column: index - lineStart)
            var end = close
            while end > index, [" ", "\t", "\n", "\r"].contains(scalars[end - 1]) { end -= 1 }
            var expressionText = String.UnicodeScalarView()
            expressionText.append(contentsOf: scalars[index..<end])
            if index == end {
                diagnostics.append(
                    .error("empty placeholder: write an expression between '{{' and '}}'", at: openLocation))
            } else {
                let (expression, problems) = Expression.parse(String(expressionText), at: expressionLocation)
                diagnostics += problems
                if let expression {
                    if !text.isEmpty { segments.append(.text(String(text))) }
                    text = String.UnicodeScalarView()
                    segments.append(.placeholder(expression))
                }
            }
            move(to: close + 2)
        }
        guard !diagnostics.hasErrors else { return (nil, diagnostics) }
        if !text.isEmpty { segments.append(.text(String(text))) }
        return (TemplateString(source: source, location: location, segments: segments), diagnostics)
    }

    /// For every offset, where the `}}` closing a placeholder whose expression starts there is: the first one
    /// outside quotes or, if quotes never close (a syntax error the expression parser will report), the
    /// first one. Computed backwards in one pass, so that parsing stays linear whatever the input.
    private static func closingBraces(in scalars: [Unicode.Scalar]) -> [Int?] {
        // States of a left-to-right scan: outside quotes, in '…', after \ in '…', in "…", after \ in "…".
        let (outside, single, singleEscape, double, doubleEscape) = (0, 1, 2, 3, 4)
        func after(_ state: Int, _ scalar: Unicode.Scalar) -> Int {
            switch state {
            case outside: scalar == "'" ? single : scalar == "\"" ? double : outside
            case single: scalar == "\\" ? singleEscape : scalar == "'" ? outside : single
            case singleEscape: single
            case double: scalar == "\\" ? doubleEscape : scalar == "\"" ? outside : double
            default: double
            }
        }
        let count = scalars.count
        let states = 5
        // For each offset and state: the `}}` found outside quotes (-1: none), else the state at the end.
        var found = [Int](repeating: -1, count: (count + 1) * states)
        var finalState = [Int](repeating: outside, count: (count + 1) * states)
        var plain = [Int](repeating: -1, count: count + 1)
        for state in 0..<states { finalState[count * states + state] = state }
        var index = count - 1
        while index >= 0 {
            let closes = scalars[index] == "}" && index + 1 < count && scalars[index + 1] == "}"
            plain[index] = closes ? index : plain[index + 1]
            for state in 0..<states {
                let slot = index * states + state
                if state == outside && closes {
                    found[slot] = index
                } else {
                    let nextSlot = (index + 1) * states + after(state, scalars[index])
                    found[slot] = found[nextSlot]
                    finalState[slot] = finalState[nextSlot]
                }
            }
            index -= 1
        }
        return (0...count).map { offset in
            let slot = offset * states + outside
            if found[slot] >= 0 { return found[slot] }
            return finalState[slot] != outside && plain[offset] >= 0 ? plain[offset] : nil
        }
    }

    /// Checks every placeholder in `scope`: whether any of them is (or contains) a secret, and every problem.
    public func typeCheck(in scope: TypeScope) -> (containsSecret: Bool, diagnostics: [Diagnostic]) {
        var containsSecret = false
        var diagnostics: [Diagnostic] = []
        for expression in expressions {
            let (type, problems) = expression.typeCheck(in: scope)
            containsSecret = containsSecret || type.containsSecret
            diagnostics += problems
        }
        return (containsSecret, diagnostics)
    }

    /// The text with every placeholder replaced by its value.
    public func render(in environment: EvaluationEnvironment) throws(EvaluationError) -> String {
        var result = ""
        for segment in segments {
            switch segment {
            case .text(let text):
                result += text
            case .placeholder(let expression):
                result += try Self.text(of: try expression.evaluate(in: environment), at: expression.location)
            }
        }
        return result
    }

    /// A value as a placeholder shows it.
    private static func text(of value: Value, at location: SourceLocation) throws(EvaluationError) -> String {
        switch value {
        case .null:
            return ""
        case .duration(let duration) where !duration.isWithinExpressionRange:
            throw EvaluationError("the duration is out of range", at: location)
        case .date(let date) where !date.isWithinExpressionRange:
            throw EvaluationError("the date is out of range", at: location)
        default:
            return value.description
        }
    }

    /// The source text.
    public var description: String { source }

    /// Equal when written the same at the same place (the parsed form follows from the source).
    public static func == (lhs: TemplateString, rhs: TemplateString) -> Bool {
        lhs.source == rhs.source && lhs.location == rhs.location
    }

    /// Hashes the source and the location, like `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(location)
    }
}
