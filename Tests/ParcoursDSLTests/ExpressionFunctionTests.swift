import Foundation
import Testing

@testable import ParcoursDSL

@Suite struct ExpressionFunctionTests {
    // MARK: - Types

    @Test(arguments: [
        ("len(context.email)", ValueType.number), ("len(context.items)", .number), ("len(context.tags)", .number),
        ("len(context.first_name)", .number), ("len(input.password)", .number),
        ("lower(context.email)", .string), ("upper(context.first_name)", .string.orNull), ("trim(null)", .null),
        ("lower(context.anything)", .string.orNull), ("trim(input.password)", .secret),
        ("upper(input.code)", .secret.orNull),
        ("starts_with(context.email, 'a')", .bool), ("ends_with(context.first_name, input.code)", .bool),
        ("contains(context.items, 'a')", .bool), ("contains(context.email, '@')", .bool),
        ("contains(context.tags, context.first_name)", .bool), ("contains(context.anything, 1)", .bool),
        ("matches(context.email, '[a-z]+@.*')", .bool), ("matches(context.email, context.email)", .bool),
        ("now()", .date), ("duration('P1D')", .duration), ("duration(context.first_name)", .duration.orNull),
        ("duration(context.validity)", .duration), ("format_date(now())", .string),
        ("format_date(context.deadline)", .string.orNull), ("coalesce(context.first_name, 'x')", .string),
        ("coalesce(context.first_name, input.code)", .secret.orNull), ("coalesce(input.age, context.age, 0)", .number),
        ("coalesce(context.email, null)", .string), ("coalesce(null, null)", .null),
        ("if(context.active, 1, 2)", .number), ("if(context.maybe, 'a', null)", .string.orNull),
        ("if(true, context.structure, context.data)", .object(nil).orNull), ("is_email(context.email)", .bool),
        ("is_email(input.code)", .bool),
    ])
    func resultTypes(source: String, expected: ValueType) {
        #expect(Fixture.type(source) == expected, "\(source)")
    }

    @Test(arguments: [
        ("lenn(context.email)", "3:10: unknown function 'lenn'; did you mean 'len'?"),
        ("lowr(context.email)", "3:10: unknown function 'lowr'; did you mean 'lower'?"),
        ("startswith('a', 'b')", "3:10: unknown function 'startswith'; did you mean 'starts_with'?"),
        ("frobnicate(1)", "3:10: unknown function 'frobnicate'"),
        ("len(1, 2)", "3:10: 'len' expects 1 argument, got 2"),
        ("len()", "3:10: 'len' expects 1 argument, got 0"),
        ("now(1)", "3:10: 'now' expects no arguments, got 1"),
        ("starts_with('a')", "3:10: 'starts_with' expects 2 arguments, got 1"),
        ("coalesce(1)", "3:10: 'coalesce' expects at least 2 arguments, got 1"),
        ("if(true, 1)", "3:10: 'if' expects 3 arguments, got 2"),
        ("len(1)", "3:14: argument 1 of 'len' must be a string or a list, not number"),
        (
            "len(context.structure)",
            "3:14: argument 1 of 'len' must be a string or a list, not {name: string, siret: string?}?"
        ),
        ("upper(3)", "3:16: argument 1 of 'upper' must be a string, not number"),
        ("starts_with('a', 1)", "3:27: argument 2 of 'starts_with' must be a string, not number"),
        ("is_email(context.items)", "3:19: argument 1 of 'is_email' must be a string, not list<string>"),
        ("contains(3, 1)", "3:19: argument 1 of 'contains' must be a string or a list, not number"),
        ("contains(context.items, 1)", "3:34: cannot look for a number in a list<string>"),
        ("contains(context.email, 1)", "3:34: argument 2 of 'contains' must be a string, not number"),
        ("matches(context.email, '(')", "3:33: invalid regular expression '('"),
        ("matches(context.email, '[a-')", "3:33: invalid regular expression '[a-'"),
        ("matches(context.email, 'a)(b')", "3:33: invalid regular expression 'a)(b'"),
        ("matches(context.email, '(?x) a # comment')", "3:33: invalid regular expression '(?x) a # comment'"),
        ("matches(1, 'a')", "3:18: argument 1 of 'matches' must be a string, not number"),
        ("duration('P1X')", "3:19: invalid ISO-8601 duration 'P1X' (write e.g. P30D, PT2H30M or P1Y2M)"),
        ("duration('30 days')", "3:19: invalid ISO-8601 duration '30 days' (write e.g. P30D, PT2H30M or P1Y2M)"),
        (
            "duration('PT99999999999999999999S')",
            "3:19: invalid ISO-8601 duration 'PT99999999999999999999S' (write e.g. P30D, PT2H30M or P1Y2M)"
        ),
        ("duration(1)", "3:19: argument 1 of 'duration' must be a string or a duration, not number"),
        ("format_date('2026-01-01')", "3:22: argument 1 of 'format_date' must be a date, not string"),
        ("if(1, 2, 3)", "3:13: argument 1 of 'if' must be a bool, not number"),
        ("if(true, 1, 'a')", "3:22: the branches of 'if' have incompatible types number and string"),
        ("coalesce(context.age, 'x')", "3:32: the arguments of 'coalesce' have incompatible types number and string"),
        ("coalesce('a', 'b', 1)", "3:29: the arguments of 'coalesce' have incompatible types string and number"),
    ])
    func misuses(source: String, expected: String) {
        #expect(Fixture.errors(source) == [expected])
    }

    // MARK: - Evaluation

    @Test(arguments: [
        ("len(context.email)", Value.number(15)), ("len('été')", 3), ("len(context.items)", 3),
        ("len(context.tags)", 0),
        ("len(input.code)", 0), ("len('')", 0),
        ("lower('ÉCOLE Été')", "école été"), ("upper(context.first_name)", "ADA"), ("trim('  a b \\n')", "a b"),
        ("lower(input.code)", nil), ("upper(context.structure.siret)", nil),
        ("starts_with(context.email, 'ada')", true), ("starts_with(context.email, '')", true),
        ("starts_with(context.email, 'bob')", false), ("ends_with(context.email, '.org')", true),
        ("ends_with(input.code, 'x')", false), ("starts_with(context.email, input.code)", false),
        ("contains(context.items, 'b')", true), ("contains(context.items, 'z')", false),
        ("contains(context.email, '@')", true), ("contains(context.tags, 'a')", false),
        ("contains(context.scores, 2.5)", true),
        ("matches(context.email, '[a-z]+@example\\\\.org')", true), ("matches(context.email, 'ada')", false),
        ("matches(context.email, 'a|ada@example.org')", true), ("matches('ab', 'a|ab')", true),
        ("matches('x\\nab', 'ab')", false), ("matches(input.code, '.*')", false), ("matches('', '.*')", true),
        ("matches('', '')", true), ("matches('a', '')", false),
        ("matches('12345', '\\\\d{5}')", true), ("matches('été', '\\\\w+')", true),
        ("format_date(now())", "31/01/2026 10:00"), ("format_date(now() + duration('P180D'))", "30/07/2026 11:00"),
        ("format_date(context.deadline)", nil),
        (
            "duration('P1Y2M3W4DT5H6M7.5S')",
            .duration(ISODuration(years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7.5))
        ),
        ("duration(context.validity)", .duration(ISODuration(days: 30))), ("duration(input.code)", nil),
        ("coalesce(input.code, context.first_name, 'x')", "Ada"), ("coalesce(null, input.age, 3)", 3),
        ("coalesce(input.code, input.code)", nil),
        ("if(context.active, 'yes', 'no')", "yes"), ("if(context.maybe, 'yes', 'no')", "no"),
        ("if(false, 1, 2)", 2),
        ("is_email(context.email)", true), ("is_email('first.last+tag@sub.example.fr')", true),
        ("is_email('a@b')", false), ("is_email('a@b.c')", false), ("is_email('@b.fr')", false),
        ("is_email('a@.fr')", false),
        ("is_email('a..b@c.fr')", false), ("is_email('.a@c.fr')", false), ("is_email('a b@c.fr')", false),
        ("is_email('a@b@c.fr')", false), ("is_email('a@-b.fr')", false), ("is_email('a@b.fr ')", false),
        ("is_email('été@b.fr')", false), ("is_email(input.code)", false), ("is_email('')", false),
    ])
    func evaluation(source: String, expected: Value) throws {
        #expect(try Fixture.evaluate(source) == expected, "\(source)")
    }

    @Test func ifAndCoalesceAreLazy() throws {
        // `lower(context.anything.x)` would fail at run time (`anything` is a string).
        #expect(try Fixture.evaluate("if(true, 'a', lower(context.anything.x))") == "a")
        #expect(try Fixture.evaluate("if(false, lower(context.anything.x), 'b')") == "b")
        #expect(try Fixture.evaluate("coalesce(context.email, lower(context.anything.x))") == "ada@example.org")
        #expect(
            Fixture.evaluationError("coalesce(null, lower(context.anything.x))") == "3:48: a string has no member 'x'")
    }

    @Test func nowIsTheEnvironmentClock() throws {
        var environment = Fixture.environment
        environment.now = Date(timeIntervalSince1970: 0)
        #expect(try Fixture.evaluate("now()", in: environment) == .date(Date(timeIntervalSince1970: 0)))
        #expect(try Fixture.evaluate("format_date(now())", in: environment) == "01/01/1970 01:00")
    }

    @Test func formatDateFollowsParisSummerTime() throws {
        var environment = Fixture.environment
        environment.roots["d"] = [
            "before": .date(try #require(Value.parseDate("2026-03-29T00:59:00Z"))),
            "after": .date(try #require(Value.parseDate("2026-03-29T01:00:00Z"))),
        ]
        let scope = TypeScope(roots: ["d": .object(["before": .date, "after": .date])])
        let expression = try #require(
            ParcoursDSL.Expression.parse("format_date(d.before) + ' / ' + format_date(d.after)", at: Fixture.origin).0)
        #expect(expression.typeCheck(in: scope).diagnostics.isEmpty)
        #expect(try expression.evaluate(in: environment) == "29/03/2026 01:59 / 29/03/2026 03:00")
    }

    @Test func parisFallbackRuleMatchesTheTimeZoneDatabase() throws {
        // Without a time-zone database the European rule is applied; it agrees with the database.
        let paris = try #require(TimeZone(identifier: "Europe/Paris"))
        var date = try #require(Value.parseDate("2020-01-01T00:30:00Z"))
        let end = try #require(Value.parseDate("2031-01-01T00:00:00Z"))
        while date < end {
            #expect(ParisTime.fallbackOffset(for: date) == paris.secondsFromGMT(for: date), "\(date)")
            date = date.addingTimeInterval(3 * 3_600 + 7)
        }
    }

    @Test func runTimeFunctionErrors() {
        #expect(
            Fixture.evaluationError("matches('a', context.anything + '(')")
                == "3:23: invalid regular expression 'text('")
        #expect(Fixture.evaluationError("duration(context.anything)") == "3:19: invalid ISO-8601 duration 'text'")
        #expect(
            Fixture.evaluationError("len(context.count)")
                == "3:14: argument 1 of 'len' must be a string or a list, not a number")
        #expect(
            Fixture.evaluationError("upper(context.count)")
                == "3:16: argument 1 of 'upper' must be a string, not a number")
        #expect(
            Fixture.evaluationError("format_date(context.anything)")
                == "3:22: argument 1 of 'format_date' must be a date, not a string")
        #expect(
            Fixture.evaluationError("if(context.anything, 1, 2)")
                == "3:13: argument 1 of 'if' must be a bool, not a string")
        #expect(
            Fixture.evaluationError("contains(context.count, 1)")
                == "3:34: cannot look for a value in a number: expected a list or a string")
    }

    @Test func catastrophicBacktrackingIsStopped() {
        let start = ContinuousClock.now
        let error = Fixture.evaluationError("matches('\(String(repeating: "a", count: 40))!', '(a+)+b')")
        #expect(error == "3:63: the regular expression '(a+)+b' took too long to match")
        #expect(ContinuousClock.now - start < .seconds(5))
    }
}
