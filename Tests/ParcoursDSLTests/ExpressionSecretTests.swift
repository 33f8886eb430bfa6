import Testing

@testable import ParcoursDSL

/// A `secret` is a string that must never be stored: strings computed from one stay secret; comparisons,
/// lengths and other booleans or numbers computed from one do not.
@Suite struct ExpressionSecretTests {
    @Test(arguments: [
        "input.password",
        "input.password + '!'",
        "'prefix-' + input.password",
        "input.code + context.email",
        "lower(input.password)",
        "upper(input.password)",
        "trim(input.password)",
        "trim(input.code)",
        "input.code ?? 'none'",
        "context.first_name ?? input.password",
        "coalesce(context.first_name, input.code, 'x')",
        "coalesce(input.code, context.email)",
        "if(context.active, input.password, 'x')",
        "if(context.active, 'x', input.password)",
        "input.tokens[0]",
        "input.tokens[context.count] ?? ''",
        "['a', input.password]",
        "input.tokens",
        "[input.tokens]",
        "input",
        "if(context.active, input.tokens, [])",
        "lower(input.code) + upper(context.email)",
        "if(context.active, input.password, context.anything)",
        "context.anything ?? input.password",
        "coalesce(context.anything, input.code)",
        "context.anything + input.password",
        "input.code + context.anything",
        "[input.password, context.anything]",
        "context.data[input.password] ?? input.password",
    ])
    func derivedStringsAreSecret(source: String) {
        let type = Fixture.type(source)
        #expect(type.containsSecret, "\(source): \(type)")
    }

    @Test(arguments: [
        "input.password == 'x'",
        "input.password != context.email",
        "input.password < 'm'",
        "len(input.password)",
        "len(input.tokens)",
        "len(input.password) >= settings.password.min_length",
        "'a' in input.password",
        "input.password in context.items",
        "starts_with(input.password, 'a')",
        "ends_with(input.code, 'a')",
        "contains(input.password, 'a')",
        "contains(input.tokens, 'a')",
        "matches(input.password, '.*[0-9].*')",
        "is_email(input.password)",
        "input.password == null or input.code != null",
        "not (input.password == 'x')",
        "duration(input.password)",
        "if(input.password == 'x', 'ok', 'ko')",
        "context.email ?? input.password",
        "if(len(input.password) > 3, context.email, 'short')",
    ])
    func computedNonStringsAreNotSecret(source: String) {
        let type = Fixture.type(source)
        #expect(!type.containsSecret, "\(source): \(type)")
    }

    @Test func exactSecretTypes() {
        #expect(Fixture.type("input.password + '!'") == .secret)
        #expect(Fixture.type("input.code + input.code") == .secret.orNull)
        #expect(Fixture.type("input.code ?? 'none'") == .secret)
        #expect(Fixture.type("input.tokens[0]") == .secret.orNull)
        #expect(Fixture.type("['a', input.password]") == .list(.secret))
        #expect(Fixture.type("if(context.active, input.tokens, [])") == .list(.secret))
        #expect(Fixture.type("context.anything + input.password") == .secret)
        #expect(Fixture.type("context.anything + input.code") == .secret.orNull)
        #expect(Fixture.type("context.anything - 1") == .any)
    }

    @Test func mixturesThatWouldLoseASecretAreRefused() {
        #expect(
            Fixture.errors("[input.password, 1]") == [
                "3:27: a list cannot mix secret and number items when one is a secret"
            ])
        #expect(
            Fixture.errors("[1, input.code]") == [
                "3:14: a list cannot mix number and secret? items when one is a secret"
            ])
        #expect(Fixture.type("[1, 'a', context.email]") == .list(.any))
        #expect(
            Fixture.errors("input[context.email]")
                == ["3:16: a key computed at run time could read the secret 'code' of 'input'; write the key literally"]
        )
        #expect(Fixture.type("input['siret']") == .string)
        #expect(Fixture.type("settings.password[context.email]") == .number.orNull)
        #expect(
            Fixture.errors("if(context.active, input.password, 1)") == [
                "3:45: the branches of 'if' have incompatible types secret and number"
            ])
        #expect(Fixture.errors("input.code ?? 1") == ["3:21: '??' cannot combine secret and number"])
    }

    @Test func secretsEvaluateAsStrings() throws {
        #expect(try Fixture.evaluate("input.password + '!'") == "hunter2!")
        #expect(try Fixture.evaluate("len(input.password)") == 7)
        #expect(try Fixture.evaluate("input.password == 'hunter2'") == true)
        #expect(try Fixture.evaluate("upper(input.tokens[0])") == "T1")
    }
}
