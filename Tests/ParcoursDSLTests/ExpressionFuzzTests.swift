import Foundation
import Testing

@testable import ParcoursDSL

/// A small, seeded generator so that every run explores the same inputs.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}

extension Array {
    func pick(_ generator: inout SplitMix64) -> Element? { randomElement(using: &generator) }
}

/// A scope without `any`, and an environment whose values have exactly the scope's types: a well-typed
/// expression must then evaluate to a value of its static type, or fail only for a genuinely run-time reason.
enum StrictFixture {
    static let scope = TypeScope(
        roots: [
            "context": .object([
                "email": .string, "first_name": .string.orNull, "age": .number.orNull, "count": .number,
                "active": .bool, "maybe": .bool.orNull, "structure": Fixture.structureType.orNull,
                "items": .list(.string), "tags": .list(.string).orNull, "scores": .list(.number),
                "created_at": .date, "deadline": .date.orNull, "validity": .duration,
            ]),
            "input": .object([
                "password": .secret, "code": .secret.orNull, "tokens": .list(.secret), "age": .number.orNull,
            ]),
            "settings": .object(["password": .object(["min_length": .number, "min_classes": .number])]),
        ],
        unavailableRoots: ["result": "'result' is only available in the transition of an action state"])

    static let environments: [EvaluationEnvironment] = [
        Fixture.environment,
        EvaluationEnvironment(
            roots: [
                "context": [
                    "email": "", "first_name": nil, "age": nil, "count": -2.5, "active": false, "maybe": true,
                    "structure": nil, "items": [], "tags": ["x", "a"], "scores": [],
                    "created_at": .date(Date(timeIntervalSince1970: 0)),
                    "deadline": .date(Fixture.now), "validity": .duration(ISODuration(months: 1, seconds: 0.5)),
                ],
                "input": ["password": "P@ss w0rd", "code": "(", "tokens": [], "age": 12],
                "settings": ["password": ["min_length": 0, "min_classes": 4]],
            ],
            now: Date(timeIntervalSince1970: 1_000_000_000)),
    ]

    /// Run-time errors a well-typed expression may still raise.
    static let runTimeProblems = [
        "invalid regular expression", "the regular expression", "invalid ISO-8601 duration", "the result of",
        "the resulting date is out of range", "a date", "the date is out of range",
    ]

    /// Whether `value` is a value of `type`.
    static func conforms(_ value: Value, to type: ValueType) -> Bool {
        switch (type, value) {
        case (.any, _): true
        case (.null, .null): true
        case (.optional, .null): true
        case (.optional(let wrapped), _): conforms(value, to: wrapped)
        case (.bool, .bool), (.number, .number), (.string, .string), (.secret, .string), (.date, .date),
            (.duration, .duration):
            true
        case (.list(let item), .list(let items)): items.allSatisfy { conforms($0, to: item) }
        case (.object(nil), .object): true
        case (.object(let fields?), .object(let values)):
            fields.allSatisfy { name, type in conforms(values[name] ?? .null, to: type) }
        default: false
        }
    }
}

/// Generates expressions that are mostly well-typed, from a small typed grammar.
struct ExpressionGenerator {
    var random: SplitMix64

    enum Kind: CaseIterable { case number, string, secret, bool, date, duration, list }

    mutating func choose(_ options: [String]) -> String { options.pick(&random) ?? "null" }

    mutating func expression(_ kind: Kind, depth: Int) -> String {
        if depth <= 0 || Int.random(in: 0..<3, using: &random) == 0 { return leaf(kind) }
        let d = depth - 1
        switch kind {
        case .number:
            switch Int.random(in: 0..<9, using: &random) {
            case 0: return "\(expression(.number, depth: d)) + \(expression(.number, depth: d))"
            case 1: return "\(expression(.number, depth: d)) - \(expression(.number, depth: d))"
            case 2: return "-(\(expression(.number, depth: d)))"
            case 3: return "len(\(expression([.string, .list, .secret].pick(&random) ?? .string, depth: d)))"
            case 4: return "(\(expression(.number, depth: d)) ?? \(expression(.number, depth: d)))"
            case 5:
                return
                    "if(\(expression(.bool, depth: d)), \(expression(.number, depth: d)), \(expression(.number, depth: d)))"
            case 6: return "context.scores[\(expression(.number, depth: d))]"
            case 7: return "coalesce(\(expression(.number, depth: d)), \(expression(.number, depth: d)), 0)"
            default: return "(\(expression(.number, depth: d)))"
            }
        case .string:
            switch Int.random(in: 0..<9, using: &random) {
            case 0: return "\(expression(.string, depth: d)) + \(expression(.string, depth: d))"
            case 1: return "\(choose(["lower", "upper", "trim"]))(\(expression(.string, depth: d)))"
            case 2: return "(\(expression(.string, depth: d)) ?? \(expression(.string, depth: d)))"
            case 3:
                return
                    "if(\(expression(.bool, depth: d)), \(expression(.string, depth: d)), \(expression(.string, depth: d)))"
            case 4: return "context.items[\(expression(.number, depth: d))]"
            case 5: return "format_date(\(expression(.date, depth: d)))"
            case 6: return "coalesce(\(expression(.string, depth: d)), \(expression(.string, depth: d)))"
            case 7:
                return
                    "[\(expression(.string, depth: d)), \(expression(.string, depth: d))][\(expression(.number, depth: d))]"
            default: return "(\(expression(.string, depth: d)))"
            }
        case .secret:
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return "\(expression(.string, depth: d)) + \(expression(.secret, depth: d))"
            case 1: return "lower(\(expression(.secret, depth: d)))"
            case 2: return "input.tokens[\(expression(.number, depth: d))]"
            default: return "(\(expression(.secret, depth: d)) ?? \(expression(.string, depth: d)))"
            }
        case .bool:
            switch Int.random(in: 0..<16, using: &random) {
            case 0: return "\(expression(.bool, depth: d)) and \(expression(.bool, depth: d))"
            case 1: return "\(expression(.bool, depth: d)) or \(expression(.bool, depth: d))"
            case 2: return "not \(expression(.bool, depth: d))"
            case 3:
                return
                    "\(expression(.number, depth: d)) \(choose(["<", "<=", ">", ">=", "==", "!="])) \(expression(.number, depth: d))"
            case 4:
                return "\(expression(.string, depth: d)) \(choose(["<", "==", "!="])) \(expression(.secret, depth: d))"
            case 5: return "\(expression(.string, depth: d)) \(choose(["in", "not in"])) \(expression(.list, depth: d))"
            case 6: return "\(expression(.string, depth: d)) in \(expression(.string, depth: d))"
            case 7:
                return
                    "\(choose(["starts_with", "ends_with", "contains"]))(\(expression(.string, depth: d)), \(expression(.secret, depth: d)))"
            case 8:
                return
                    "matches(\(expression(.string, depth: d)), \(choose(["'[a-z]+'", "'.*@.*'", "context.email", "input.code", "'(a|b)*c?'"])))"
            case 9: return "is_email(\(expression(.string, depth: d)))"
            case 10:
                return
                    "\(expression(.date, depth: d)) \(choose(["<", ">=", "==", "!="])) \(expression(.date, depth: d))"
            case 11:
                return
                    "\(expression(.duration, depth: d)) \(choose(["<", ">", "=="])) \(expression(.duration, depth: d))"
            case 12: return "contains(\(expression(.list, depth: d)), \(expression(.string, depth: d)))"
            case 13: return "(\(expression(.bool, depth: d)) ?? \(expression(.bool, depth: d)))"
            case 14: return "\(expression(.list, depth: d)) == \(expression(.list, depth: d))"
            default: return "!(\(expression(.bool, depth: d)))"
            }
        case .date:
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return "\(expression(.date, depth: d)) + \(expression(.duration, depth: d))"
            case 1: return "\(expression(.date, depth: d)) - \(expression(.duration, depth: d))"
            case 2: return "\(expression(.duration, depth: d)) + \(expression(.date, depth: d))"
            default: return "(\(expression(.date, depth: d)) ?? now())"
            }
        case .duration:
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return "\(expression(.duration, depth: d)) + \(expression(.duration, depth: d))"
            case 1: return "\(expression(.date, depth: d)) - \(expression(.date, depth: d))"
            case 2: return "duration(\(expression(.string, depth: d)))"
            default: return "(\(expression(.duration, depth: d)))"
            }
        case .list:
            switch Int.random(in: 0..<4, using: &random) {
            case 0: return "[\(expression(.string, depth: d)), \(expression(.string, depth: d))]"
            case 1: return "(\(expression(.list, depth: d)) ?? \(expression(.list, depth: d)))"
            case 2:
                return
                    "if(\(expression(.bool, depth: d)), \(expression(.list, depth: d)), \(expression(.list, depth: d)))"
            default: return "[]"
            }
        }
    }

    mutating func leaf(_ kind: Kind) -> String {
        switch kind {
        case .number:
            choose([
                "0", "12", "3.5", "-1", "context.count", "context.age", "input.age", "settings.password.min_length",
                "null",
            ])
        case .string:
            choose([
                "'abc'", "\"A b\"", "''", "'P1D'", "'it\\'s'", "'\\u{E9}'", "context.email", "context.first_name",
                "context.structure.name", "context['structure']['siret']", "null",
            ])
        case .secret:
            choose(["input.password", "input.code"])
        case .bool:
            choose(["true", "false", "context.active", "context.maybe", "null"])
        case .date:
            choose(["now()", "context.created_at", "context.deadline"])
        case .duration:
            choose(["duration('P1D')", "duration('PT1H30M')", "context.validity", "duration('P1Y2M')"])
        case .list:
            choose(["context.items", "context.tags", "['a', 'b']", "[]"])
        }
    }
}

@Suite struct ExpressionFuzzTests {
    static let alphabet: [String] =
        Array("abcxyz_019 .,()[]+-=!<>&|?'\"\\{}\n\té😀#@$%*/:;~^`".map(String.init))
        + [
            "context", "input", "settings", "result", ".email", ".structure", ".name", " and ", " or ", "not ", " in ",
            "null", "true", "false", "len(", "matches(", "now()", "duration('P1D')", "if(", "coalesce(", "??", "==",
            "'abc'", "[", "]", "\\u{", "{{", "}}", "1.5", "-", "format_date(", "is_email(",
        ]

    static let corpus = [
        "context.email != null and context.age < 16",
        "input.age != null and input.age < 16",
        "context.structure.name ?? 'unknown'",
        "len(context.items) > 0 and 'a' in context.items",
        "format_date(now() + duration('P7D'))",
        "if(context.active, upper(context.email), lower(context.email))",
        "matches(context.email, '[a-z]+@[a-z]+\\\\.org')",
        "coalesce(context.first_name, context.structure.name, 'friend')",
        "not (context.created_at < now() - duration('P30D'))",
        "input.password + '!' == 'hunter2!'",
        "context['structure']['name'] in ['ACME', \"Initech\"]",
        "-context.count + 3.5 >= 0 || !context.maybe",
        "context.validity > settings.password.min_length",
        "is_email(trim(context.email)) && starts_with(context.email, 'ada')",
    ]

    /// Parses, checks and evaluates `source`, which must not crash; the diagnostics must lie inside it.
    static func exercise(_ source: String) {
        let (expression, diagnostics) = ParcoursDSL.Expression.parse(source, at: Fixture.origin)
        #expect((expression == nil) == diagnostics.hasErrors, "\(source.debugDescription)")
        for diagnostic in diagnostics { expectInside(diagnostic.location, source) }
        guard let expression else { return }
        for scope in [Fixture.scope, StrictFixture.scope, TypeScope(roots: [:])] {
            let (_, problems) = expression.typeCheck(in: scope)
            for problem in problems { expectInside(problem.location, source) }
        }
        _ = expression.referencedPaths
        for environment in StrictFixture.environments {
            do {
                _ = try expression.evaluate(in: environment)
            } catch {
                expectInside(error.location, source)
            }
        }
    }

    /// A location must be at a character of the source, or just after its end.
    static func expectInside(_ location: ParcoursDSL.SourceLocation, _ source: String) {
        let lines = source.split(separator: "\n", omittingEmptySubsequences: false)
        let lineIndex = location.line - Fixture.origin.line
        guard lines.indices.contains(lineIndex) else {
            Issue.record("line \(location.line) outside \(source.debugDescription)")
            return
        }
        let first = lineIndex == 0 ? Fixture.origin.column : 1
        let last = first + lines[lineIndex].unicodeScalars.count
        #expect(
            (first...last).contains(location.column), "column \(location.column) outside \(source.debugDescription)")
    }

    @Test func randomStrings() {
        var random = SplitMix64(seed: 0x5EED_0001)
        for _ in 0..<4_000 {
            let length = Int.random(in: 0..<24, using: &random)
            let source = (0..<length).map { _ in Self.alphabet.pick(&random) ?? "" }.joined()
            Self.exercise(source)
        }
    }

    @Test func randomUnicodeScalars() {
        var random = SplitMix64(seed: 0x5EED_0002)
        for _ in 0..<2_000 {
            var scalars = String.UnicodeScalarView()
            for _ in 0..<Int.random(in: 0..<16, using: &random) {
                let value = UInt32.random(in: 0..<(Bool.random(using: &random) ? 0x80 : 0x11_0000), using: &random)
                scalars.append(Unicode.Scalar(value) ?? "?")
            }
            Self.exercise(String(scalars))
        }
    }

    @Test func mutationsOfValidExpressions() {
        var random = SplitMix64(seed: 0x5EED_0003)
        var generator = ExpressionGenerator(random: SplitMix64(seed: 0x5EED_0004))
        var sources = Self.corpus
        for _ in 0..<40 {
            sources.append(generator.expression(ExpressionGenerator.Kind.allCases.pick(&random) ?? .bool, depth: 3))
        }
        for source in sources { #expect(Fixture.parse(source) != nil) }
        for _ in 0..<6_000 {
            var scalars = Array((sources.pick(&random) ?? "").unicodeScalars)
            for _ in 0..<Int.random(in: 1...3, using: &random) {
                let position = Int.random(in: 0...scalars.count, using: &random)
                switch Int.random(in: 0..<5, using: &random) {
                case 0:  // insertion
                    let piece = Array((Self.alphabet.pick(&random) ?? "").unicodeScalars)
                    scalars.insert(contentsOf: piece, at: position)
                case 1:  // deletion
                    if position < scalars.count {
                        let end = min(scalars.count, position + Int.random(in: 1...4, using: &random))
                        scalars.removeSubrange(position..<end)
                    }
                case 2:  // swap
                    if position + 1 < scalars.count { scalars.swapAt(position, position + 1) }
                case 3:  // duplication
                    if position < scalars.count {
                        let end = min(scalars.count, position + Int.random(in: 1...8, using: &random))
                        scalars.insert(contentsOf: scalars[position..<end], at: end)
                    }
                default:  // truncation
                    scalars.removeSubrange(position..<scalars.count)
                }
            }
            var text = String.UnicodeScalarView()
            text.append(contentsOf: scalars)
            Self.exercise(String(text))
        }
    }

    @Test func wellTypedExpressionsEvaluateToTheirType() {
        var generator = ExpressionGenerator(random: SplitMix64(seed: 0x5EED_0005))
        var wellTyped = 0
        for _ in 0..<4_000 {
            let kind = ExpressionGenerator.Kind.allCases.pick(&generator.random) ?? .bool
            let source = generator.expression(kind, depth: 4)
            guard let expression = Fixture.parse(source) else { continue }
            let (type, problems) = expression.typeCheck(in: StrictFixture.scope)
            guard problems.isEmpty else {
                // Still must not crash.
                for environment in StrictFixture.environments { _ = try? expression.evaluate(in: environment) }
                continue
            }
            wellTyped += 1
            for environment in StrictFixture.environments {
                do {
                    let value = try expression.evaluate(in: environment)
                    #expect(StrictFixture.conforms(value, to: type), "\(source): \(value) is not a \(type)")
                } catch {
                    #expect(
                        StrictFixture.runTimeProblems.contains { error.message.hasPrefix($0) },
                        "\(source): unexpected run-time error \(error)")
                }
            }
        }
        #expect(wellTyped > 1_000)
    }

    @Test func randomTemplates() {
        var random = SplitMix64(seed: 0x5EED_0006)
        let pieces = [
            "Hello ", "{{", "}}", " context.email ", "{{ context.first_name }}", "'", "\"", "\n", "{", "}", "x", " + ",
            "é", "{{ len(context.items) }}", "\\",
        ]
        for _ in 0..<3_000 {
            let source = (0..<Int.random(in: 0..<10, using: &random)).map { _ in pieces.pick(&random) ?? "" }.joined()
            let (template, diagnostics) = TemplateString.parse(source, at: Fixture.origin)
            #expect((template == nil) == diagnostics.hasErrors)
            for diagnostic in diagnostics { Self.expectInside(diagnostic.location, source) }
            guard let template else { continue }
            _ = template.typeCheck(in: Fixture.scope)
            for environment in StrictFixture.environments { _ = try? template.render(in: environment) }
        }
    }

    @Test func hugeInputsStayFast() {
        let start = ContinuousClock.now
        Self.exercise(String(repeating: "context.email + ", count: 20_000) + "'x'")
        Self.exercise(String(repeating: "(", count: 100_000))
        Self.exercise(String(repeating: "[1, ", count: 50_000))
        Self.exercise("'" + String(repeating: "a", count: 200_000) + "' + 'b'")
        Self.exercise("[" + String(repeating: "'a' + 'b', ", count: 20_000) + "]")
        Self.exercise(String(repeating: "not ", count: 100_000))
        _ = TemplateString.parse(String(repeating: "{{ x }}", count: 20_000), at: Fixture.origin)
        _ = TemplateString.parse(String(repeating: "{{ '", count: 20_000), at: Fixture.origin)
        #expect(ContinuousClock.now - start < .seconds(20))
    }
}
