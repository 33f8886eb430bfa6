import Foundation
import Testing

@testable import ParcoursDSL

/// Shared fixtures and helpers for the expression tests, and tests of the `Expression` API itself.
enum Fixture {
    static let origin = SourceLocation(file: "flow.yaml", line: 3, column: 10)

    static let structureType: ValueType = .object(["name": .string, "siret": .string.orNull])

    static let scope = TypeScope(
        roots: [
            "context": .object([
                "email": .string,
                "first_name": .string.orNull,
                "age": .number.orNull,
                "count": .number,
                "active": .bool,
                "maybe": .bool.orNull,
                "structure": structureType.orNull,
                "items": .list(.string),
                "tags": .list(.string).orNull,
                "scores": .list(.number),
                "created_at": .date,
                "deadline": .date.orNull,
                "validity": .duration,
                "data": .object(nil),
                "anything": .any,
            ]),
            "input": .object([
                "siret": .string,
                "password": .secret,
                "code": .secret.orNull,
                "tokens": .list(.secret),
                "age": .number.orNull,
            ]),
            "settings": .object([
                "confirmation_validity": .duration,
                "password": .object(["min_length": .number, "min_classes": .number]),
            ]),
        ],
        unavailableRoots: ["result": "'result' is only available in the transition of an action state"])

    static let now = Date(timeIntervalSince1970: 1_769_850_000)  // 2026-01-31T09:00:00Z

    static let environment = EvaluationEnvironment(
        roots: [
            "context": [
                "email": "ada@example.org",
                "first_name": "Ada",
                "age": 36,
                "count": 3,
                "active": true,
                "maybe": nil,
                "structure": ["name": "ACME", "siret": nil],
                "items": ["a", "b", "c"],
                "tags": nil,
                "scores": [1, 2.5, 10],
                "created_at": .date(now),
                "deadline": nil,
                "validity": .duration(ISODuration(days: 30)),
                "data": ["x": 1, "nested": ["y": "z"]],
                "anything": "text",
            ],
            "input": [
                "siret": "73282932000074",
                "password": "hunter2",
                "code": nil,
                "tokens": ["t1", "t2"],
                "age": nil,
            ],
            "settings": [
                "confirmation_validity": .string("P7D"),
                "password": ["min_length": 8, "min_classes": 3],
            ],
        ],
        now: now)

    /// Parses an expression that must be valid.
    static func parse(_ source: String, sourceLocation: Testing.SourceLocation = #_sourceLocation)
        -> ParcoursDSL.Expression?
    {
        let (expression, diagnostics) = ParcoursDSL.Expression.parse(source, at: origin)
        #expect(diagnostics.isEmpty, "\(source): \(diagnostics)", sourceLocation: sourceLocation)
        return expression
    }

    /// The single parse error of `source`, as `line:column: message`.
    static func parseError(_ source: String) -> String? {
        let (expression, diagnostics) = ParcoursDSL.Expression.parse(source, at: origin)
        guard expression == nil, diagnostics.count == 1, let diagnostic = diagnostics.first else {
            return "expected one error, got \(diagnostics) and \(String(describing: expression))"
        }
        return format(diagnostic)
    }

    static func format(_ diagnostic: Diagnostic) -> String {
        "\(diagnostic.location.line):\(diagnostic.location.column): \(diagnostic.message)"
    }

    /// The type of a valid expression, and its type errors as `line:column: message`.
    static func check(_ source: String, in scope: TypeScope = scope) -> (type: ValueType, errors: [String]) {
        let (expression, diagnostics) = ParcoursDSL.Expression.parse(source, at: origin)
        guard let expression else { return (.any, diagnostics.map(format)) }
        let (type, problems) = expression.typeCheck(in: scope)
        return (type, problems.map(format))
    }

    /// The type of an expression that must check without error.
    static func type(_ source: String, in scope: TypeScope = scope) -> ValueType {
        let (type, errors) = check(source, in: scope)
        #expect(errors.isEmpty, "\(source): \(errors)")
        return type
    }

    /// The type errors of an expression, as `line:column: message`.
    static func errors(_ source: String, in scope: TypeScope = scope) -> [String] {
        check(source, in: scope).errors
    }

    /// Parses, type-checks (without error) and evaluates an expression.
    static func evaluate(_ source: String, in environment: EvaluationEnvironment = environment) throws -> Value {
        let (expression, diagnostics) = ParcoursDSL.Expression.parse(source, at: origin)
        guard let expression else { throw ParseFailure(diagnostics: diagnostics) }
        let problems = expression.typeCheck(in: scope).diagnostics
        #expect(problems.isEmpty, "\(source): \(problems)")
        return try expression.evaluate(in: environment)
    }

    /// Evaluates an expression without type-checking it; the run-time error as `line:column: message`.
    static func evaluationError(_ source: String, in environment: EvaluationEnvironment = environment) -> String? {
        guard let expression = ParcoursDSL.Expression.parse(source, at: origin).0 else { return "parse error" }
        do {
            let value = try expression.evaluate(in: environment)
            return "no error: \(value)"
        } catch {
            return "\(error.location.line):\(error.location.column): \(error.message)"
        }
    }

    struct ParseFailure: Error {
        var diagnostics: [Diagnostic]
    }
}

/// The tree of an expression as an S-expression, to test precedence and associativity.
func shape(_ source: String) -> String {
    guard let expression = ParcoursDSL.Expression.parse(source, at: Fixture.origin).0 else { return "error" }
    return shape(of: expression.root)
}

func shape(of node: ExpressionNode) -> String {
    switch node.kind {
    case .literal(let value):
        if case .string(let text) = value { return "'\(text)'" }
        return value.description
    case .list(let items): return "[" + items.map(shape(of:)).joined(separator: " ") + "]"
    case .root(let name): return name
    case .member(let base, let name, _): return "\(shape(of: base)).\(name)"
    case .index(let base, let index): return "\(shape(of: base))[\(shape(of: index))]"
    case .call(let name, let arguments): return "(\(name) " + arguments.map(shape(of:)).joined(separator: " ") + ")"
    case .unary(.not, let operand): return "(not \(shape(of: operand)))"
    case .unary(.negate, let operand): return "(- \(shape(of: operand)))"
    case .binary(let op, let left, let right, _): return "(\(op.symbol) \(shape(of: left)) \(shape(of: right)))"
    }
}

@Suite struct ExpressionAPITests {
    @Test func equalityAndHashingUseSourceAndLocation() throws {
        let a = try #require(Fixture.parse("context.email"))
        let b = try #require(Fixture.parse("context.email"))
        let c = try #require(ParcoursDSL.Expression.parse("context.email", at: Fixture.origin.advanced(columns: 1)).0)
        #expect(a == b)
        #expect(a != c)
        #expect(Set([a, b, c]).count == 2)
        #expect(a.description == "context.email")
        #expect(a.source == "context.email")
        #expect(a.location == Fixture.origin)
    }

    @Test func referencedPaths() throws {
        let expression = try #require(
            Fixture.parse(
                "context.email != null and input.siret in context.items and len(context.structure.name) > 0"))
        #expect(
            expression.referencedPaths == [
                ["context", "email"], ["input", "siret"], ["context", "items"], ["context", "structure", "name"],
            ])
    }

    @Test func referencedPathsFollowLiteralKeysAndStopAtIndexes() throws {
        let expression = try #require(
            Fixture.parse("context['structure'].name ?? context.items[0] ?? context.data[input.siret].x"))
        #expect(
            expression.referencedPaths == [
                ["context", "structure", "name"], ["context", "items"], ["context", "data"], ["input", "siret"],
            ])
    }

    @Test func referencedPathsAreDeduplicatedAndIncludeBareRoots() throws {
        let expression = try #require(Fixture.parse("coalesce(context.email, context.email, input) == settings"))
        #expect(expression.referencedPaths == [["context", "email"], ["input"], ["settings"]])
        let literal = try #require(Fixture.parse("1 + 2"))
        #expect(literal.referencedPaths.isEmpty)
        let grouped = try #require(Fixture.parse("(context.structure ?? context.data).name"))
        #expect(grouped.referencedPaths == [["context", "structure"], ["context", "data"]])
    }

    @Test func typeIsAnyAfterAnError() {
        #expect(Fixture.check("not 'x'").type == .any)
        #expect(Fixture.check("not true").type == .bool)
    }

    @Test func evaluationErrorDescription() {
        let error = EvaluationError("boom", at: Fixture.origin)
        #expect(error.description == "flow.yaml:3:10: boom")
    }
}
