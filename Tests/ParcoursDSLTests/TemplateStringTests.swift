import Foundation
import Testing

@testable import ParcoursDSL

@Suite struct TemplateStringTests {
    static let scope = TypeScope(roots: [
        "first_name": .string, "link": .secret, "valid_until": .date, "count": .number, "ratio": .number,
        "tags": .list(.string), "extra": .object(nil), "missing": .string.orNull, "active": .bool,
        "validity": .duration, "tokens": .list(.secret),
    ])

    static let environment = EvaluationEnvironment(
        roots: [
            "first_name": "Ada", "link": "https://x.fr/a?t=secret", "valid_until": .date(Fixture.now), "count": 3,
            "ratio": 2.5, "tags": ["a", "b"], "extra": ["k": 1, "j": [true, nil]], "missing": nil, "active": false,
            "validity": .duration(ISODuration(days: 7)), "tokens": ["t"],
        ],
        now: Fixture.now)

    static func parse(_ source: String) -> (TemplateString?, [String]) {
        let (template, diagnostics) = TemplateString.parse(source, at: Fixture.origin)
        return (template, diagnostics.map(Fixture.format))
    }

    static func render(_ source: String) throws -> String {
        let (template, errors) = parse(source)
        #expect(errors.isEmpty, "\(errors)")
        guard let template else { return "<no template>" }
        #expect(template.typeCheck(in: scope).diagnostics.isEmpty)
        return try template.render(in: environment)
    }

    @Test func plainTextAndPlaceholders() throws {
        #expect(try Self.render("") == "")
        #expect(try Self.render("Hello") == "Hello")
        #expect(try Self.render("Bonjour {{ first_name }}, bienvenue.") == "Bonjour Ada, bienvenue.")
        #expect(try Self.render("{{first_name}}{{first_name}}") == "AdaAda")
        #expect(try Self.render("{{ upper(first_name) + '!' }}") == "ADA!")
        #expect(try Self.render("a { b } c }} d {") == "a { b } c }} d {")
        #expect(try Self.render("{{ '{{' }} literal {{ '}}' }}") == "{{ literal }}")
        #expect(try Self.render("{{ \"x}}y\" }}") == "x}}y")
        #expect(try Self.render("{{ first_name }}}") == "Ada}")
        #expect(try Self.render("multi\nline {{\n  first_name\n}} end") == "multi\nline Ada end")
    }

    @Test func valuesAreShownForPeople() throws {
        #expect(try Self.render("{{ count }} / {{ ratio }} / {{ count + 0.5 }}") == "3 / 2.5 / 3.5")
        #expect(try Self.render("[{{ missing }}]") == "[]")
        #expect(try Self.render("{{ valid_until }}") == "2026-01-31T09:00:00Z")
        #expect(try Self.render("{{ format_date(valid_until) }}") == "31/01/2026 10:00")
        #expect(try Self.render("{{ tags }}") == "[\"a\",\"b\"]")
        #expect(try Self.render("{{ extra }}") == "{\"j\":[true,null],\"k\":1}")
        #expect(try Self.render("{{ active }}") == "false")
        #expect(try Self.render("{{ validity }}") == "P7D")
        #expect(try Self.render("{{ link }}") == "https://x.fr/a?t=secret")
    }

    @Test func expressionsAndTheirLocations() throws {
        let (template, _) = Self.parse("Hi {{ first_name }},\n  see {{  link}}")
        let expressions = try #require(template).expressions
        #expect(expressions.map(\.source) == ["first_name", "link"])
        #expect(
            expressions.map(\.location) == [
                Fixture.origin.advanced(columns: 6), Fixture.origin.advanced(lines: 1, columns: 10),
            ])
        #expect(try #require(template).source == "Hi {{ first_name }},\n  see {{  link}}")
    }

    @Test func secretPlaceholdersAreReported() throws {
        let plain = try #require(Self.parse("Hello {{ first_name }} {{ count }}").0)
        #expect(plain.typeCheck(in: Self.scope).containsSecret == false)
        for source in ["{{ link }}", "Go: {{ 'x' + link }}", "{{ first_name }} {{ lower(link) }}", "{{ tokens }}"] {
            let template = try #require(Self.parse(source).0)
            #expect(template.typeCheck(in: Self.scope).containsSecret, "\(source)")
        }
        let derived = try #require(Self.parse("{{ len(link) }} {{ link == 'x' }}").0)
        #expect(derived.typeCheck(in: Self.scope).containsSecret == false)
    }

    @Test func syntaxErrorsArePositioned() {
        #expect(Self.parse("Hello {{ first_name") == (nil, ["3:16: unterminated placeholder: '{{' without '}}'"]))
        #expect(Self.parse("a\nb {{ x }} {{") == (nil, ["4:11: unterminated placeholder: '{{' without '}}'"]))
        #expect(
            Self.parse("{{ }} and {{}}") == (
                nil,
                [
                    "3:10: empty placeholder: write an expression between '{{' and '}}'",
                    "3:20: empty placeholder: write an expression between '{{' and '}}'",
                ]
            ))
        #expect(
            Self.parse("Hi {{ first_name + }} {{ a b }}") == (
                nil,
                [
                    "3:28: expected an expression, found end of expression",
                    "3:37: unexpected 'b' after the expression",
                ]
            ))
        #expect(Self.parse("x\n  {{ 'abc }} y") == (nil, ["4:6: unterminated string"]))
        #expect(Self.parse("é {{ # }}") == (nil, ["3:15: unexpected character '#'"]))
        #expect(Self.parse("{{\n  a +\n  }}") == (nil, ["4:6: expected an expression, found end of expression"]))
    }

    @Test func typeErrorsArePositioned() throws {
        let template = try #require(Self.parse("Hi {{ frist_name }},\nyou have {{ count + 'x' }} and {{ nope(1) }}").0)
        #expect(
            template.typeCheck(in: Self.scope).diagnostics.map(Fixture.format) == [
                "3:16: unknown name 'frist_name'; did you mean 'first_name'?",
                "4:19: operator '+' cannot be applied to number and string",
                "4:35: unknown function 'nope'",
            ])
    }

    @Test func renderingErrors() throws {
        let template = try #require(Self.parse("Hi {{ extra.k.z }}").0)
        #expect(throws: EvaluationError("a number has no member 'z'", at: Fixture.origin.advanced(columns: 14))) {
            try template.render(in: Self.environment)
        }
    }

    @Test func equalityUsesSourceAndLocation() throws {
        let a = try #require(Self.parse("Hi {{ first_name }}").0)
        let b = try #require(Self.parse("Hi {{ first_name }}").0)
        let c = try #require(TemplateString.parse("Hi {{ first_name }}", at: .synthetic("x")).0)
        #expect(a == b)
        #expect(a != c)
        #expect(a.description == "Hi {{ first_name }}")
    }
}
