import Foundation
import Testing

@testable import ParcoursDSL

@Suite struct ExpressionEvaluationTests {
    @Test(arguments: [
        ("12", Value.number(12)), ("3.5", 3.5), ("'a' + \"b\"", "ab"), ("true", true), ("null", nil),
        ("[1, 'a', null]", [1, "a", nil] as Value), ("[]", [] as Value), ("-3", -3), ("- -3", 3), ("1 + 2 - 4", -1),
        ("0.1 + 0.2 > 0.3", true), ("(1 + 2) == 3", true),
    ])
    func literalsAndArithmetic(source: String, expected: Value) throws {
        #expect(try Fixture.evaluate(source) == expected)
    }

    @Test(arguments: [
        ("context.email", Value.string("ada@example.org")),
        ("context.structure.name", "ACME"),
        ("context.structure.siret", nil),
        ("context.structure['name']", "ACME"),
        ("context['structure'].name", "ACME"),
        ("context.items[0]", "a"),
        ("context.items[2]", "c"),
        ("context.items[3]", nil),
        ("context.items[-1]", nil),
        ("context.items[0.5]", nil),
        ("context.items[context.age]", nil),
        ("context.items[input.age]", nil),
        ("context.tags[0]", nil),
        ("context.data.nested.y", "z"),
        ("context.data.missing.y", nil),
        ("context.data[input.siret]", nil),
        ("settings.password.min_length", 8),
        ("input.tokens[1]", "t2"),
    ])
    func paths(source: String, expected: Value) throws {
        #expect(try Fixture.evaluate(source) == expected, "\(source)")
    }

    @Test func optionalChainingThroughNull() throws {
        var environment = Fixture.environment
        environment.roots["context"] = ["structure": nil, "email": "x@y.fr"]
        #expect(try Fixture.evaluate("context.structure.name", in: environment) == nil)
        #expect(try Fixture.evaluate("context.structure['name']", in: environment) == nil)
        #expect(try Fixture.evaluate("context.structure.name ?? 'none'", in: environment) == "none")
        #expect(try Fixture.evaluate("context.items[0]", in: environment) == nil)
    }

    @Test(arguments: [
        ("context.email == 'ada@example.org'", true), ("context.email != 'ada@example.org'", false),
        ("context.first_name == null", false), ("context.deadline == null", true), ("null == null", true),
        ("context.age == 36", true), ("context.items == ['a', 'b', 'c']", true), ("context.items == ['a']", false),
        ("context.structure == context.data", false), ("context.data == context.data", true),
        ("input.password == 'hunter2'", true), ("context.created_at == now()", true),
        ("context.validity == duration('P30D')", true), ("context.validity == duration('PT720H')", false),
        ("settings.confirmation_validity == duration('P7D')", true),
        ("context.anything == 1", false), ("[1, [2]] == [1, [2]]", true), ("[null] == [null]", true),
    ])
    func equality(source: String, expected: Bool) throws {
        #expect(try Fixture.evaluate(source) == .bool(expected), "\(source)")
    }

    @Test(arguments: [
        ("context.age < 40", true), ("context.age >= 36", true), ("context.age > 36", false),
        ("context.age <= 35", false),
        ("input.age < 16", false), ("input.age >= 16", false), ("input.age < context.age", false),
        ("'apple' < 'banana'", true), ("'b' > 'a'", true), ("'Z' < 'a'", true), ("'abc' <= 'abc'", true),
        ("context.created_at < now() + duration('PT1S')", true), ("context.created_at > now()", false),
        ("context.validity > settings.confirmation_validity", true),
        ("duration('P1M') > duration('P29D')", true), ("duration('PT24H') >= duration('P1D')", true),
        ("context.deadline < now()", false), ("context.deadline >= now()", false),
    ])
    func ordering(source: String, expected: Bool) throws {
        #expect(try Fixture.evaluate(source) == .bool(expected), "\(source)")
    }

    @Test(arguments: [
        ("true and false", false), ("true and true", true), ("false or true", true), ("false or false", false),
        ("not true", false), ("!false", true), ("context.maybe", nil), ("not context.maybe", true),
        ("context.maybe or true", true), ("context.maybe and true", false), ("true && !false || false", true),
        ("false and context.anything", false), ("true or context.anything", true),
    ])
    func logic(source: String, expected: Bool?) throws {
        #expect(try Fixture.evaluate(source) == (expected.map(Value.bool) ?? .null), "\(source)")
    }

    @Test func logicShortCircuits() throws {
        // The right side would be a run-time error (`context.anything` is a string).
        #expect(try Fixture.evaluate("false and context.anything") == false)
        #expect(try Fixture.evaluate("true or context.anything") == true)
        #expect(
            Fixture.evaluationError("true and context.anything")
                == "3:19: the operand of 'and' must be a bool, not a string")
    }

    @Test(arguments: [
        ("'a' in context.items", true), ("'z' in context.items", false), ("'z' not in context.items", true),
        ("'a' in context.tags", false), ("'a' not in context.tags", true), ("null in [1, null]", true),
        ("'example' in context.email", true), ("'EXAMPLE' in context.email", false), ("'' in context.email", true),
        ("context.first_name in 'Ada Lovelace'", true), ("input.code in 'abc'", false), ("2.5 in context.scores", true),
        ("[1] in [[1], [2]]", true),
    ])
    func membership(source: String, expected: Bool) throws {
        #expect(try Fixture.evaluate(source) == .bool(expected), "\(source)")
    }

    @Test func stringConcatenation() throws {
        #expect(try Fixture.evaluate("'Hello ' + context.first_name + '!'") == "Hello Ada!")
        #expect(try Fixture.evaluate("'code: ' + input.code") == "code: ")
        #expect(try Fixture.evaluate("input.code + input.code") == nil)
        #expect(try Fixture.evaluate("context.structure.siret + '-'") == "-")
    }

    @Test func nullPropagatesThroughNumbers() throws {
        #expect(try Fixture.evaluate("input.age + 1") == nil)
        #expect(try Fixture.evaluate("1 - input.age") == nil)
        #expect(try Fixture.evaluate("-input.age") == nil)
        #expect(try Fixture.evaluate("(input.age + 1) ?? 0") == 0)
    }

    @Test func dateArithmetic() throws {
        let now = Fixture.now
        #expect(try Fixture.evaluate("now()") == .date(now))
        #expect(try Fixture.evaluate("now() + duration('P1D')") == .date(now.addingTimeInterval(86_400)))
        #expect(try Fixture.evaluate("duration('PT1H') + now()") == .date(now.addingTimeInterval(3_600)))
        #expect(try Fixture.evaluate("now() - duration('PT30M')") == .date(now.addingTimeInterval(-1_800)))
        #expect(
            try Fixture.evaluate("now() + settings.confirmation_validity") == .date(now.addingTimeInterval(7 * 86_400)))
        #expect(
            try Fixture.evaluate("now() + duration('P1M')")
                == .date(try #require(Value.parseDate("2026-02-28T09:00:00Z"))))
        #expect(try Fixture.evaluate("(now() + duration('P2D')) - now()") == .duration(ISODuration(seconds: 172_800)))
        #expect(try Fixture.evaluate("context.deadline + duration('P1D')") == nil)
        #expect(
            try Fixture.evaluate("context.validity + duration('PT2H')") == .duration(ISODuration(days: 30, hours: 2)))
    }

    @Test func datesAndDurationsStoredAsStrings() throws {
        var environment = Fixture.environment
        environment.roots["context"] = [
            "created_at": "2026-01-01T00:00:00Z", "validity": "P1D", "deadline": "2026-01-02",
        ]
        let day: Value = .date(try #require(Value.parseDate("2026-01-02T00:00:00Z")))
        // One side typed at run time is enough; two strings are joined (there is no type information at run time).
        #expect(try Fixture.evaluate("context.created_at + duration('P1D')", in: environment) == day)
        #expect(
            try Fixture.evaluate("now() - duration('P30D') + context.validity", in: environment)
                == .date(try #require(Value.parseDate("2026-01-02T09:00:00Z"))))
        #expect(
            try Fixture.evaluate("context.created_at + context.validity", in: environment) == "2026-01-01T00:00:00ZP1D")
        #expect(try Fixture.evaluate("context.created_at < now()", in: environment) == true)
        #expect(try Fixture.evaluate("now() > context.created_at", in: environment) == true)
        #expect(try Fixture.evaluate("context.validity == duration('P1D')", in: environment) == true)
        #expect(try Fixture.evaluate("format_date(context.created_at)", in: environment) == "01/01/2026 01:00")
        #expect(
            try Fixture.evaluate("now() - context.created_at", in: environment)
                == .duration(ISODuration(seconds: 2_624_400)))
    }

    @Test func coalesce() throws {
        #expect(try Fixture.evaluate("context.first_name ?? 'friend'") == "Ada")
        #expect(try Fixture.evaluate("input.code ?? 'none'") == "none")
        #expect(try Fixture.evaluate("null ?? null ?? 3") == 3)
        // Lazy: the right side is not evaluated when the left is not null.
        #expect(try Fixture.evaluate("context.first_name ?? lower(context.anything.x)") == "Ada")
    }

    @Test func runTimeErrors() {
        #expect(Fixture.evaluationError("nothere.x") == "3:10: 'nothere' is not available")
        #expect(Fixture.evaluationError("context.anything.x") == "3:27: a string has no member 'x'")
        #expect(Fixture.evaluationError("context.anything[0]") == "3:27: a string cannot be indexed")
        #expect(Fixture.evaluationError("context.items['a']") == "3:24: a list index must be a number, not a string")
        #expect(Fixture.evaluationError("context.data[0]") == "3:23: an object key must be a string, not a number")
        #expect(
            Fixture.evaluationError("context.anything + 1")
                == "3:27: operator '+' cannot be applied to a string and a number")
        #expect(Fixture.evaluationError("context.anything < 1") == "3:27: cannot compare a string with a number")
        #expect(Fixture.evaluationError("-context.anything") == "3:10: operator '-' cannot be applied to a string")
        #expect(
            Fixture.evaluationError("not context.anything") == "3:14: the operand of 'not' must be a bool, not a string"
        )
        #expect(
            Fixture.evaluationError("1 in context.count")
                == "3:12: cannot look for a value in a number: expected a list or a string")
        #expect(Fixture.evaluationError("1 in context.anything") == "3:12: cannot look for a number in a string")
        #expect(Fixture.evaluationError("lenn(1)") == "3:10: unknown function 'lenn'")
        #expect(Fixture.evaluationError("len(1, 2)") == "3:10: 'len' expects 1 argument, got 2")
        #expect(Fixture.evaluationError("1 + 'a'") == "3:12: operator '+' cannot be applied to a number and a string")
    }

    @Test func overflowIsAnErrorNotInfinity() throws {
        let big = String(repeating: "9", count: 308)
        #expect(Fixture.evaluationError("\(big) + \(big)") == "3:319: the result of '+' is out of range")
        #expect(Fixture.evaluationError("-\(big) - \(big)") == "3:320: the result of '-' is out of range")
    }

    @Test func outOfRangeDatesAndDurationsAreErrors() {
        var environment = Fixture.environment
        environment.roots["x"] = [
            "huge": .duration(ISODuration(seconds: 1e300)), "far": .date(Date(timeIntervalSinceReferenceDate: 1e300)),
            "nan": .date(Date(timeIntervalSinceReferenceDate: .nan)), "big": .duration(ISODuration(years: Int.max)),
        ]
        #expect(
            Fixture.evaluationError("now() + x.huge", in: environment) == "3:16: a date or duration is out of range")
        #expect(
            Fixture.evaluationError("x.far + duration('P1D')", in: environment)
                == "3:16: a date or duration is out of range")
        #expect(Fixture.evaluationError("x.far - now()", in: environment) == "3:16: a date is out of range")
        #expect(
            Fixture.evaluationError("x.big > duration('P1D')", in: environment) == "3:16: a duration is out of range")
        #expect(Fixture.evaluationError("x.big + x.big", in: environment) == "3:16: the result of '+' is out of range")
        #expect(Fixture.evaluationError("format_date(x.nan)", in: environment) == "3:22: the date is out of range")
        #expect(
            Fixture.evaluationError("now() + duration('P999999Y') + duration('P999999Y')", in: environment)
                == "3:16: the resulting date is out of range")
    }
}
