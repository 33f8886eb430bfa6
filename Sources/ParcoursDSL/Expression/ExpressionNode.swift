/// A node of a parsed expression's syntax tree.
///
/// Every node knows where it starts, the part of the source it covers (to quote it in messages)
/// and its depth, which the parser bounds so that the recursive checker and evaluator stay shallow.
struct ExpressionNode: Sendable {
    /// A prefix operator.
    enum UnaryOperator: Sendable {
        /// `not` / `!`
        case not
        /// `-`
        case negate
    }

    /// An infix operator.
    enum BinaryOperator: Sendable {
        case coalesce
        case or, and
        case equal, notEqual, less, lessEqual, greater, greaterEqual
        case `in`, notIn
        case add, subtract

        /// The operator as written in messages.
        var symbol: String {
            switch self {
            case .coalesce: "??"
            case .or: "or"
            case .and: "and"
            case .equal: "=="
            case .notEqual: "!="
            case .less: "<"
            case .lessEqual: "<="
            case .greater: ">"
            case .greaterEqual: ">="
            case .in: "in"
            case .notIn: "not in"
            case .add: "+"
            case .subtract: "-"
            }
        }

        var isOrdering: Bool {
            switch self {
            case .less, .lessEqual, .greater, .greaterEqual: true
            default: false
            }
        }
    }

    indirect enum Kind: Sendable {
        case literal(Value)
        /// `[a, b]`
        case list([ExpressionNode])
        /// A bare name: a root such as `context` or `input`.
        case root(String)
        /// `base.name`
        case member(ExpressionNode, name: String, nameLocation: SourceLocation)
        /// `base[index]`
        case index(ExpressionNode, ExpressionNode)
        /// `name(arguments…)`
        case call(name: String, arguments: [ExpressionNode])
        case unary(UnaryOperator, ExpressionNode)
        case binary(BinaryOperator, ExpressionNode, ExpressionNode, operatorLocation: SourceLocation)
    }

    var kind: Kind
    /// Where the node's first scalar is.
    var location: SourceLocation
    /// The part of the source the node covers.
    var range: Range<String.Index>
    /// 1 for a leaf, 1 + the deepest child otherwise.
    var depth: Int

    init(_ kind: Kind, location: SourceLocation, range: Range<String.Index>) {
        self.kind = kind
        self.location = location
        self.range = range
        let childDepth: Int
        switch kind {
        case .literal, .root: childDepth = 0
        case .list(let items): childDepth = items.map(\.depth).max() ?? 0
        case .member(let base, _, _): childDepth = base.depth
        case .index(let base, let index): childDepth = max(base.depth, index.depth)
        case .call(_, let arguments): childDepth = arguments.map(\.depth).max() ?? 0
        case .unary(_, let operand): childDepth = operand.depth
        case .binary(_, let left, let right, _): childDepth = max(left.depth, right.depth)
        }
        self.depth = childDepth + 1
    }
}
