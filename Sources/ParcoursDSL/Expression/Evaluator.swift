import Foundation

/// Evaluates a parsed expression against the values of its roots (the semantics are documented on
/// `TypeChecker`).
///
/// Values are dispatched on their run-time kind, so an unchecked (`any`) value of the wrong kind is a
/// run-time error rather than a crash. Dates and durations stored as ISO-8601 strings (as settings and JSON
/// payloads may hold them) are accepted where a date or a duration is expected.
struct Evaluator {
    let environment: EvaluationEnvironment

    func evaluate(_ node: ExpressionNode) throws(EvaluationError) -> Value {
        switch node.kind {
        case .literal(let value):
            return value
        case .list(let items):
            var values: [Value] = []
            values.reserveCapacity(items.count)
            for item in items { values.append(try evaluate(item)) }
            return .list(values)
        case .root(let name):
            guard let value = environment.roots[name] else {
                throw EvaluationError("'\(name)' is not available", at: node.location)
            }
            return value
        case .member(let base, let name, let nameLocation):
            return try member(name, of: try evaluate(base), at: nameLocation)
        case .index(let base, let index):
            return try self.index(try evaluate(base), by: try evaluate(index), at: index.location)
        case .call(let name, let arguments):
            guard let function = BuiltinFunction(rawValue: name) else {
                throw EvaluationError("unknown function '\(name)'", at: node.location)
            }
            let (minimum, maximum) = function.arity
            guard arguments.count >= minimum, arguments.count <= maximum ?? Int.max else {
                throw EvaluationError(
                    "'\(name)' expects \(function.arityDescription), got \(arguments.count)", at: node.location)
            }
            return try function.evaluate(arguments, at: node.location, with: self)
        case .unary(.not, let operand):
            return .bool(!(try condition(operand, of: "not")))
        case .unary(.negate, let operand):
            switch try evaluate(operand) {
            case .null: return .null
            case .number(let number): return .number(-number)
            case let other:
                throw EvaluationError("operator '-' cannot be applied to a \(other.kindName)", at: node.location)
            }
        case .binary(let op, let left, let right, let location):
            return try binary(op, left, right, at: location)
        }
    }

    /// A condition's truth: null is false; anything but a bool is an error.
    func condition(_ node: ExpressionNode, of operatorName: String) throws(EvaluationError) -> Bool {
        switch try evaluate(node) {
        case .bool(let value): return value
        case .null: return false
        case let other:
            throw EvaluationError(
                "the operand of '\(operatorName)' must be a bool, not a \(other.kindName)", at: node.location)
        }
    }

    private func member(_ name: String, of value: Value, at location: SourceLocation) throws(EvaluationError)
        -> Value
    {
        switch value {
        case .null: return .null
        case .object(let fields): return fields[name] ?? .null
        default: throw EvaluationError("a \(value.kindName) has no member '\(name)'", at: location)
        }
    }

    private func index(_ base: Value, by index: Value, at location: SourceLocation) throws(EvaluationError)
        -> Value
    {
        switch (base, index) {
        case (.null, _), (_, .null):
            return .null
        case (.list(let items), .number(let position)):
            guard position >= 0, position < Double(items.count), position == position.rounded(.towardZero)
            else { return .null }
            return items[Int(position)]
        case (.list, _):
            throw EvaluationError("a list index must be a number, not a \(index.kindName)", at: location)
        case (.object(let fields), .string(let key)):
            return fields[key] ?? .null
        case (.object, _):
            throw EvaluationError("an object key must be a string, not a \(index.kindName)", at: location)
        default:
            throw EvaluationError("a \(base.kindName) cannot be indexed", at: location)
        }
    }

    private func binary(
        _ op: ExpressionNode.BinaryOperator, _ left: ExpressionNode, _ right: ExpressionNode,
        at location: SourceLocation
    ) throws(EvaluationError) -> Value {
        switch op {
        case .coalesce:
            let value = try evaluate(left)
            return value.isNull ? try evaluate(right) : value
        case .or:
            if try condition(left, of: "or") { return .bool(true) }
            return .bool(try condition(right, of: "or"))
        case .and:
            if !(try condition(left, of: "and")) { return .bool(false) }
            return .bool(try condition(right, of: "and"))
        case .equal:
            return .bool(ValueComparison.equal(try evaluate(left), try evaluate(right)))
        case .notEqual:
            return .bool(!ValueComparison.equal(try evaluate(left), try evaluate(right)))
        case .less, .lessEqual, .greater, .greaterEqual:
            let (a, b) = (try evaluate(left), try evaluate(right))
            guard let order = try ValueComparison.order(a, b, at: location) else { return .bool(false) }
            switch op {
            case .less: return .bool(order < 0)
            case .lessEqual: return .bool(order <= 0)
            case .greater: return .bool(order > 0)
            default: return .bool(order >= 0)
            }
        case .in, .notIn:
            let found = try ValueComparison.contains(try evaluate(right), try evaluate(left), at: location)
            return .bool(op == .in ? found : !found)
        case .add, .subtract:
            return try ValueArithmetic.apply(op, try evaluate(left), try evaluate(right), at: location)
        }
    }
}
