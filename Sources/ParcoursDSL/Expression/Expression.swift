/// An expression of the process language, such as `input.age != null and input.age < 16`.
///
/// Parse it with `parse(_:at:)`, check it against the names available where it is written with
/// `typeCheck(in:)`, and evaluate it with `evaluate(in:)`. The language is described on `TypeChecker` and in
/// docs/dsl.md ("Expressions"). Two expressions are equal when their source and location are.
public struct Expression: Hashable, Sendable, CustomStringConvertible {
    /// The text of the expression, as written.
    public let source: String
    /// The location of the first character of `source`.
    public let location: SourceLocation
    let root: ExpressionNode

    /// Parses `source`, written at `location`.
    ///
    /// On failure returns nil and a diagnostic located precisely: its line and column inside the source are
    /// computed from `location` (later lines of a multi-line source restart at column 1).
    public static func parse(_ source: String, at location: SourceLocation) -> (Expression?, [Diagnostic]) {
        let (node, diagnostics) = ExpressionParser.parse(source, at: location)
        guard let node else { return (nil, diagnostics) }
        return (Expression(source: source, location: location, root: node), diagnostics)
    }

    /// The static type of the expression (`any` after an error) and every problem found, each with its
    /// location.
    public func typeCheck(in scope: TypeScope) -> (type: ValueType, diagnostics: [Diagnostic]) {
        var checker = TypeChecker(scope: scope, source: source)
        let type = checker.check(root)
        return (checker.diagnostics.isEmpty ? type : .any, checker.diagnostics)
    }

    /// The value of the expression.
    ///
    /// A type-checked expression throws only for genuinely run-time problems: a root missing from the
    /// environment, a value that does not have its declared type, an invalid or too slow run-time regular
    /// expression or duration, a number or date out of range.
    public func evaluate(in environment: EvaluationEnvironment) throws(EvaluationError) -> Value {
        try Evaluator(environment: environment).evaluate(root)
    }

    /// The root-anchored paths the expression reads, in order of first appearance, without duplicates, e.g.
    /// `[["context", "email"], ["input", "siret"]]`.
    ///
    /// A path follows members and literal string keys (`x['key']`) and stops before any other index: the
    /// path of `context.items[0].name` is `["context", "items"]`.
    public var referencedPaths: [[String]] {
        var paths: [[String]] = []
        var seen = Set<[String]>()
        func path(of node: ExpressionNode) -> [String]? {
            switch node.kind {
            case .root(let name): return [name]
            case .member(let base, let name, _): return path(of: base).map { $0 + [name] }
            case .index(let base, let index):
                guard case .literal(.string(let key)) = index.kind else { return nil }
                return path(of: base).map { $0 + [key] }
            default: return nil
            }
        }
        func collect(_ node: ExpressionNode) {
            if let path = path(of: node) {
                if seen.insert(path).inserted { paths.append(path) }
                return
            }
            switch node.kind {
            case .literal, .root: break
            case .list(let items): items.forEach(collect)
            case .member(let base, _, _): collect(base)
            case .index(let base, let index):
                collect(base)
                collect(index)
            case .call(_, let arguments): arguments.forEach(collect)
            case .unary(_, let operand): collect(operand)
            case .binary(_, let left, let right, _):
                collect(left)
                collect(right)
            }
        }
        collect(root)
        return paths
    }

    /// The source text.
    public var description: String { source }

    /// Equal when written the same at the same place (the parsed form follows from the source).
    public static func == (lhs: Expression, rhs: Expression) -> Bool {
        lhs.source == rhs.source && lhs.location == rhs.location
    }

    /// Hashes the source and the location, like `==` compares them.
    public func hash(into hasher: inout Hasher) {
        hasher.combine(source)
        hasher.combine(location)
    }
}
