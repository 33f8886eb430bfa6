import Testing

@testable import ParcoursDSL

@Suite struct ExpressionTypeCheckTests {
    // MARK: - Types of valid expressions

    @Test(arguments: [
        ("12", ValueType.number), ("'x'", .string), ("'P1D'", .string), ("true", .bool), ("null", .null),
        ("[]", .list(.any)), ("[1, 2]", .list(.number)), ("[1, null]", .list(.number.orNull)),
        ("[1, 'a']", .list(.any)), ("[[1], []]", .list(.list(.any))), ("['a', input.password]", .list(.secret)),
    ])
    func literalTypes(source: String, expected: ValueType) {
        #expect(Fixture.type(source) == expected)
    }

    @Test(arguments: [
        ("context.email", ValueType.string),
        ("context.first_name", .string.orNull),
        ("context.structure", Fixture.structureType.orNull),
        ("context.structure.name", .string.orNull),
        ("context.structure.siret", .string.orNull),
        ("context['structure']['name']", .string.orNull),
        ("context.items[0]", .string.orNull),
        ("context.tags[0]", .string.orNull),
        ("context.items[context.count]", .string.orNull),
        ("context.data.x", .any),
        ("context.data.x.y.z", .any),
        ("context.data['x']", .any),
        ("context.anything.x[0]", .any),
        ("input.tokens[1]", .secret.orNull),
        ("settings.password.min_length", .number),
        ("settings['password'][input.siret]", .number.orNull),
        ("null.x", .null),
        ("null[0]", .null),
    ])
    func pathTypes(source: String, expected: ValueType) {
        #expect(Fixture.type(source) == expected, "\(source)")
    }

    @Test(arguments: [
        ("context.age + 1", ValueType.number.orNull),
        ("context.count + 1", .number),
        ("context.count - context.age", .number.orNull),
        ("1 + null", .number.orNull),
        ("-context.age", .number.orNull),
        ("-context.count", .number),
        ("context.email + '!'", .string),
        ("context.first_name + '!'", .string),
        ("'!' + context.first_name", .string),
        ("context.first_name + context.first_name", .string.orNull),
        ("null + 'x'", .string),
        ("context.created_at + context.validity", .date),
        ("context.validity + context.created_at", .date),
        ("context.deadline + context.validity", .date.orNull),
        ("context.created_at - settings.confirmation_validity", .date),
        ("context.created_at - context.deadline", .duration.orNull),
        ("context.validity + context.validity", .duration),
        ("context.anything + 1", .any),
        ("now() + duration('P1D')", .date),
    ])
    func arithmeticTypes(source: String, expected: ValueType) {
        #expect(Fixture.type(source) == expected, "\(source)")
    }

    @Test(arguments: [
        ("context.first_name ?? 'friend'", ValueType.string),
        ("context.first_name ?? context.first_name", .string.orNull),
        ("context.first_name ?? null", .string.orNull),
        ("context.email ?? null", .string),
        ("null ?? 1", .number),
        ("context.structure.name ?? ''", .string),
        ("context.tags ?? []", .list(.any)),
        ("context.tags ?? ['x']", .list(.string)),
        ("context.anything ?? 1", .any),
        ("context.data ?? context.structure", .object(nil)),
        ("context.structure ?? context.data", .object(nil)),
        ("context.age ?? context.count ?? 0", .number),
    ])
    func coalesceTypes(source: String, expected: ValueType) {
        #expect(Fixture.type(source) == expected, "\(source)")
    }

    @Test(arguments: [
        "context.email == 'x'", "context.email != null", "null == null", "context.age == 3", "input.age == context.age",
        "context.items == ['a']", "context.items == []", "context.structure == context.data", "context.anything == 1",
        "input.password == context.email", "context.created_at == now()", "context.validity == duration('P1D')",
        "context.age < 3", "context.age >= input.age", "'a' < 'b'", "context.created_at < now()",
        "context.validity > settings.confirmation_validity", "context.anything < 3", "input.password < 'x'",
        "'a' in context.items", "context.first_name in context.tags", "null in context.items", "'x' in context.email",
        "context.first_name in context.email", "'a' not in context.items", "1 in context.anything",
        "context.data in [context.structure]", "input.password in context.email",
        "context.active and context.maybe", "not context.maybe", "context.maybe or null", "context.anything and true",
        "!context.active || context.maybe && true",
    ])
    func booleanTypes(source: String) {
        #expect(Fixture.type(source) == .bool, "\(source)")
    }

    // MARK: - Errors

    @Test func unknownAndUnavailableNames() {
        #expect(Fixture.errors("contxt.email") == ["3:10: unknown name 'contxt'; did you mean 'context'?"])
        #expect(Fixture.errors("foo") == ["3:10: unknown name 'foo'"])
        #expect(Fixture.errors("True") == ["3:10: unknown name 'True'; did you mean 'true'?"])
        #expect(
            Fixture.errors("result.found") == ["3:10: 'result' is only available in the transition of an action state"])
        #expect(Fixture.errors("now") == ["3:10: 'now' is a function; call it as now()"])
        #expect(Fixture.errors("len") == ["3:10: 'len' is a function; call it as len(…)"])
        #expect(Fixture.errors("1 + inpt.age") == ["3:14: unknown name 'inpt'; did you mean 'input'?"])
    }

    @Test func unknownMembers() {
        #expect(Fixture.errors("context.emial") == ["3:18: 'context' has no member 'emial'; did you mean 'email'?"])
        #expect(Fixture.errors("context.emal") == ["3:18: 'context' has no member 'emal'; did you mean 'email'?"])
        #expect(
            Fixture.errors("context.structure.nmae")
                == ["3:28: 'context.structure' has no member 'nmae'; did you mean 'name'?"])
        #expect(
            Fixture.errors("context['structure']['nmae']")
                == ["3:31: 'context['structure']' has no member 'nmae'; did you mean 'name'?"])
        #expect(Fixture.errors("context.zzz") == ["3:18: 'context' has no member 'zzz'"])
        #expect(
            Fixture.errors("context.email.domain") == [
                "3:24: 'context.email' has no member 'domain': it is of type string"
            ])
        #expect(
            Fixture.errors("context.items.first") == [
                "3:24: 'context.items' has no member 'first': it is of type list<string>"
            ])
        #expect(
            Fixture.errors("(context.first_name ?? 'x').y") == [
                "3:38: 'context.first_name ?? 'x'' has no member 'y': it is of type string"
            ])
    }

    @Test func indexErrors() {
        #expect(Fixture.errors("context.items['a']") == ["3:24: a list index must be a number, not string"])
        #expect(Fixture.errors("context.data[1]") == ["3:23: an object key must be a string, not number"])
        #expect(Fixture.errors("context.email[0]") == ["3:24: 'context.email' cannot be indexed: it is of type string"])
        #expect(Fixture.errors("context.anything[true]") == ["3:27: an index must be a number or a string, not bool"])
    }

    @Test func comparisonErrors() {
        #expect(Fixture.errors("context.count == 'x'") == ["3:24: cannot compare number with string"])
        #expect(Fixture.errors("input.age < '16'") == ["3:20: cannot compare number? with string"])
        #expect(Fixture.errors("context.items == [1]") == ["3:24: cannot compare list<string> with list<number>"])
        #expect(Fixture.errors("context.created_at > 3") == ["3:29: cannot compare date with number"])
        #expect(
            Fixture.errors("context.age < null")
                == ["3:22: comparing with null using '<' is always false; use '==' or '!='"])
        #expect(Fixture.errors("context.active < true") == ["3:25: operator '<' cannot compare values of type bool"])
        #expect(
            Fixture.errors("context.items >= context.items")
                == ["3:24: operator '>=' cannot compare values of type list<string>"])
        #expect(
            Fixture.errors("context.validity < context.created_at")
                == ["3:27: cannot compare duration with date"])
    }

    @Test func membershipErrors() {
        #expect(Fixture.errors("1 in 'abc'") == ["3:12: cannot look for a number in a string"])
        #expect(Fixture.errors("1 in context.items") == ["3:12: cannot look for a number in a list<string>"])
        #expect(Fixture.errors("1 not in context.tags") == ["3:12: cannot look for a number in a list<string>?"])
        #expect(Fixture.errors("'a' in 3") == ["3:14: the right side of 'in' must be a list or a string, not number"])
        #expect(
            Fixture.errors("'a' not in null") == [
                "3:14: the right side of 'not in' must be a list or a string, not null"
            ])
    }

    @Test func logicErrors() {
        #expect(Fixture.errors("not 'x'") == ["3:14: the operand of 'not' must be a bool, not string"])
        #expect(Fixture.errors("!context.count") == ["3:11: the operand of 'not' must be a bool, not number"])
        #expect(Fixture.errors("'a' and true") == ["3:10: the operand of 'and' must be a bool, not string"])
        #expect(
            Fixture.errors("context.items or context.count")
                == [
                    "3:10: the operand of 'or' must be a bool, not list<string>",
                    "3:27: the operand of 'or' must be a bool, not number",
                ])
    }

    @Test func arithmeticErrors() {
        #expect(Fixture.errors("context.email + 1") == ["3:24: operator '+' cannot be applied to string and number"])
        #expect(Fixture.errors("null + null") == ["3:15: operator '+' cannot be applied to null and null"])
        #expect(Fixture.errors("'a' - 'b'") == ["3:14: operator '-' cannot be applied to string and string"])
        #expect(Fixture.errors("context.deadline + 1") == ["3:27: operator '+' cannot be applied to date? and number"])
        #expect(
            Fixture.errors("context.validity - context.created_at")
                == ["3:27: operator '-' cannot be applied to duration and date"])
        #expect(Fixture.errors("context.active + 1") == ["3:25: operator '+' cannot be applied to bool and number"])
        #expect(Fixture.errors("-'x'") == ["3:10: operator '-' cannot be applied to string"])
        #expect(Fixture.errors("-null") == ["3:10: operator '-' cannot be applied to null"])
    }

    @Test func coalesceErrors() {
        #expect(Fixture.errors("context.age ?? 'x'") == ["3:22: '??' cannot combine number and string"])
        #expect(Fixture.errors("context.count ?? 'x'") == ["3:24: '??' cannot combine number and string"])
    }

    @Test func everyProblemIsReported() {
        #expect(
            Fixture.errors("contxt.a == 1 and context.emial == 2 and lenn(x) > 0")
                == [
                    "3:10: unknown name 'contxt'; did you mean 'context'?",
                    "3:36: 'context' has no member 'emial'; did you mean 'email'?",
                    "3:51: unknown function 'lenn'; did you mean 'len'?",
                    "3:56: unknown name 'x'",
                ])
    }

    @Test func errorsDoNotCascade() {
        // An ill-typed part has type `any`: the comparison and the `and` around it raise nothing more.
        #expect(
            Fixture.errors("context.emial + 1 > 2 and true") == [
                "3:18: 'context' has no member 'emial'; did you mean 'email'?"
            ])
        #expect(Fixture.errors("len(foo) + 1") == ["3:14: unknown name 'foo'"])
    }

    @Test func scopesWithPlainRoots() {
        // A notification template sees its params by name.
        let scope = TypeScope(roots: ["first_name": .string, "link": .secret, "valid_until": .date])
        #expect(Fixture.type("first_name", in: scope) == .string)
        #expect(Fixture.type("format_date(valid_until)", in: scope) == .string)
        #expect(
            Fixture.errors("fist_name", in: scope) == ["3:10: unknown name 'fist_name'; did you mean 'first_name'?"])
        #expect(Fixture.errors("context.email", in: scope) == ["3:10: unknown name 'context'"])
    }
}
