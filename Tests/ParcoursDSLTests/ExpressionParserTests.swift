import Testing

@testable import ParcoursDSL

@Suite struct ExpressionParserTests {
    // MARK: - Literals

    @Test(arguments: [
        ("12", "12"), ("3.5", "3.5"), ("007", "7"), ("0.25", "0.25"), ("true", "true"), ("false", "false"),
        ("null", "null"), ("'text'", "'text'"), ("\"text\"", "'text'"), ("[]", "[]"),
        ("[1, 'a', null]", "[1 'a' null]"),
        ("[1, 2,]", "[1 2]"), ("[[1], []]", "[[1] []]"),
    ])
    func literals(source: String, expected: String) {
        #expect(shape(source) == expected)
    }

    @Test func stringEscapes() throws {
        let cases: [(String, String)] = [
            (#"'it\'s'"#, "it's"), (#""say \"hi\"""#, "say \"hi\""), (#"'a\\b'"#, "a\\b"), (#"'a\nb'"#, "a\nb"),
            (#"'a\tb\r'"#, "a\tb\r"), (#"'\0'"#, "\0"), (#"'\u{E9}t\u{E9}'"#, "été"), (#"'\u{1F600}'"#, "😀"),
            (#""it's""#, "it's"), (#"'say "hi"'"#, "say \"hi\""), ("'multi\nline'", "multi\nline"), ("''", ""),
        ]
        for (source, expected) in cases {
            let expression = try #require(Fixture.parse(source))
            guard case .literal(.string(let value)) = expression.root.kind else {
                Issue.record("\(source) is not a string literal")
                continue
            }
            #expect(value == expected, "\(source)")
        }
    }

    @Test func pathsIndexesAndCalls() {
        #expect(shape("context.structure.name") == "context.structure.name")
        #expect(shape("context.items[0]") == "context.items[0]")
        #expect(shape("context['structure']['name']") == "context['structure']['name']")
        #expect(shape("a[b[0]].c") == "a[b[0]].c")
        #expect(shape("now()") == "(now )")
        #expect(shape("coalesce(a, b, c,)") == "(coalesce a b c)")
        #expect(shape("len(lower(x))") == "(len (lower x))")
        #expect(shape("result.in or result.not or result.null") == "(or (or result.in result.not) result.null)")
        #expect(shape("  context . email  ") == "context.email")
    }

    // MARK: - Precedence

    @Test(arguments: [
        ("a ?? b or c", "(?? a (or b c))"),
        ("a or b and c", "(or a (and b c))"),
        ("a || b && c", "(or a (and b c))"),
        ("not a and b", "(and (not a) b)"),
        ("not a == b", "(not (== a b))"),
        ("! a == b", "(not (== a b))"),
        ("not not a", "(not (not a))"),
        ("a == b + c", "(== a (+ b c))"),
        ("a + b == c - d", "(== (+ a b) (- c d))"),
        ("a - b - c", "(- (- a b) c)"),
        ("a + b - c + d", "(+ (- (+ a b) c) d)"),
        ("-a + b", "(+ (- a) b)"),
        ("- -a", "(- (- a))"),
        ("-a.b[0]", "(- a.b[0])"),
        ("a ?? b ?? c", "(?? (?? a b) c)"),
        ("a in b and c not in d", "(and (in a b) (not in c d))"),
        ("not a in b", "(not (in a b))"),
        ("(a or b) and c", "(and (or a b) c)"),
        ("a.b ?? (c + 1) * 1 == 2", "error"),
        ("x <= 1 or x >= 2 and x != 3", "(or (<= x 1) (and (>= x 2) (!= x 3)))"),
        ("a < b or c > d", "(or (< a b) (> c d))"),
        ("[a + 1, not b][0]", "[(+ a 1) (not b)][0]"),
        ("if(a, b, c) ?? d", "(?? (if a b c) d)"),
    ])
    func precedence(source: String, expected: String) {
        #expect(shape(source) == expected)
    }

    // MARK: - Errors, with positions

    @Test(arguments: [
        ("", "3:10: expected an expression, found end of expression"),
        ("   ", "3:13: expected an expression, found end of expression"),
        ("1 +", "3:13: expected an expression, found end of expression"),
        ("(1 + 2", "3:16: expected ')', found end of expression"),
        ("[1, 2", "3:15: expected ',' or ']', found end of expression"),
        ("[1 2]", "3:13: expected ',' or ']', found '2'"),
        ("len(1 2)", "3:16: expected ',' or ')', found '2'"),
        ("a.", "3:12: expected a member name after '.', found end of expression"),
        ("a.1", "3:12: expected a member name after '.', found '1'"),
        ("a['x'", "3:15: expected ']', found end of expression"),
        ("a b", "3:12: unexpected 'b' after the expression"),
        ("a )", "3:12: unexpected ')' after the expression"),
        (
            "a 'a long string literal that goes on and on'",
            "3:12: unexpected ''a long string literal that go…' after the expression"
        ),
        ("a = b", "3:12: unexpected '='; did you mean '=='?"),
        ("a & b", "3:12: unexpected '&'; did you mean '&&'?"),
        ("a | b", "3:12: unexpected '|'; did you mean '||'?"),
        ("a ? b", "3:12: unexpected '?'; did you mean '??'?"),
        ("a # b", "3:12: unexpected character '#'"),
        ("{{ a }}", "3:10: unexpected character '{'"),
        ("a\u{00A0}b", "3:11: unexpected character U+00A0"),
        ("a\u{200B}", "3:11: unexpected character U+200B"),
        ("café", "3:13: unexpected character 'é'"),
        ("'abc", "3:10: unterminated string"),
        ("x == \"abc", "3:15: unterminated string"),
        ("'abc\\", "3:10: unterminated string"),
        ("'a\\qb'", "3:12: unknown escape sequence '\\q' in string"),
        ("'a\\\u{00A0}'", "3:12: unknown escape sequence '\\' followed by U+00A0 in string"),
        ("'\\u{110000}'", "3:11: invalid Unicode escape: U+110000 is not a Unicode scalar"),
        ("'\\u{D800}'", "3:11: invalid Unicode escape: U+D800 is not a Unicode scalar"),
        ("'\\u{zz}'", "3:11: invalid Unicode escape: write \\u{…} with 1 to 6 hexadecimal digits"),
        ("'\\u41'", "3:11: invalid Unicode escape: write \\u{…} with 1 to 6 hexadecimal digits"),
        ("'\\u{}'", "3:11: invalid Unicode escape: write \\u{…} with 1 to 6 hexadecimal digits"),
        ("'\\u{1234567}'", "3:11: invalid Unicode escape: write \\u{…} with 1 to 6 hexadecimal digits"),
        ("12abc", "3:10: invalid number '12abc'"),
        ("1e5", "3:10: invalid number '1e5'"),
        ("x + 1.5x", "3:14: invalid number '1.5x'"),
        ("a < b < c", "3:16: comparisons cannot be chained; combine them with 'and'"),
        ("a == b != c", "3:17: comparisons cannot be chained; combine them with 'and'"),
        ("a in b in c", "3:17: comparisons cannot be chained; combine them with 'and'"),
        ("a not b", "3:16: expected 'in' after 'not', found 'b'"),
        ("x.lower()", "3:17: 'lower' is not a method; write lower(…) with the value as its first argument"),
        ("(a)(b)", "3:13: unexpected '('; only functions can be called, by name, as in len(x)"),
        ("a.b(1)", "3:13: unexpected '('; only functions can be called, by name, as in len(x)"),
        ("[,]", "3:11: expected an expression, found ','"),
        ("f(1,,2)", "3:14: expected an expression, found ','"),
        ("not", "3:13: expected an expression, found end of expression"),
        (")", "3:10: expected an expression, found ')'"),
        ("a and or b", "3:16: expected an expression, found 'or'"),
        ("a == not b", "3:15: expected an expression, found 'not'"),
    ])
    func syntaxErrors(source: String, expected: String) {
        #expect(Fixture.parseError(source) == expected)
    }

    @Test func numberTooLarge() {
        let digits = String(repeating: "9", count: 400)
        #expect(
            Fixture.parseError("1 + " + digits) == "3:14: number '\(String(repeating: "9", count: 40))' is too large")
    }

    @Test func multiLinePositions() {
        // Later lines restart at column 1 (SourceLocation.advanced(lines:columns:)).
        #expect(Fixture.parseError("a\n  + b c") == "4:7: unexpected 'c' after the expression")
        #expect(Fixture.parseError("'line1\nline2' x") == "4:8: unexpected 'x' after the expression")
        #expect(Fixture.parseError("a and\n\n   b @") == "5:6: unexpected character '@'")
        #expect(Fixture.parseError("a\r\n== 'x") == "4:4: unterminated string")
        #expect(Fixture.parseError("'x\\\nq'") == "3:12: unknown escape sequence '\\' followed by U+000A in string")
    }

    @Test func multiLineTypeErrorPositions() {
        #expect(
            Fixture.errors("context.email != null\n  and context.emial == 'x'")
                == ["4:15: 'context' has no member 'emial'; did you mean 'email'?"])
    }

    @Test func tabsAndUnicodeCountAsOneColumn() {
        #expect(Fixture.parseError("\t'é😀' #") == "3:16: unexpected character '#'")
    }

    // MARK: - Depth limits

    @Test func nestingIsLimited() {
        let ok = String(repeating: "(", count: 99) + "1" + String(repeating: ")", count: 99)
        #expect(Fixture.parse(ok) != nil)
        let deep = String(repeating: "(", count: 150) + "1" + String(repeating: ")", count: 150)
        #expect(Fixture.parseError(deep) == "3:110: expression is nested too deeply (the limit is 100 levels)")
        #expect(
            Fixture.parseError(String(repeating: "[", count: 5000))?.hasSuffix(
                "nested too deeply (the limit is 100 levels)") == true)
        #expect(
            Fixture.parseError(String(repeating: "not ", count: 5000) + "true")?.contains("nested too deeply") == true)
        #expect(Fixture.parseError(String(repeating: "-", count: 5000) + "1")?.contains("nested too deeply") == true)
        #expect(Fixture.parseError(String(repeating: "len(", count: 5000))?.contains("nested too deeply") == true)
    }

    @Test func longChainsAreLimitedToo() {
        // Left-deep chains do not recurse in the parser, but they build deep trees: they are bounded as well.
        let sum = (0..<100).map(String.init).joined(separator: " + ")
        #expect(Fixture.parse(sum) != nil)
        let longSum = (0..<5000).map(String.init).joined(separator: " + ")
        #expect(Fixture.parseError(longSum)?.contains("nested too deeply") == true)
        let path = "context" + String(repeating: ".a", count: 5000)
        #expect(Fixture.parseError(path)?.contains("nested too deeply") == true)
        let indexes = "context" + String(repeating: "[0]", count: 5000)
        #expect(Fixture.parseError(indexes)?.contains("nested too deeply") == true)
    }

    @Test func maximallyNestedExpressionsCheckAndEvaluate() throws {
        let cases: [(String, Value)] = [
            (String(repeating: "not ", count: 98) + "true", true),
            (String(repeating: "-", count: 98) + "1", 1),
            (String(repeating: "if(true, ", count: 98) + "1" + String(repeating: ", 2)", count: 98), 1),
            (String(repeating: "[", count: 98) + String(repeating: "]", count: 98), .null),  // not compared,
            ((0..<100).map { _ in "1" }.joined(separator: " + "), 100),
            (
                "lower(" + String(repeating: "coalesce(null, ", count: 97) + "'X'" + String(repeating: ")", count: 98),
                "x"
            ),
        ]
        for (source, expected) in cases {
            let expression = try #require(Fixture.parse(source))
            let (_, problems) = expression.typeCheck(in: Fixture.scope)
            #expect(problems.isEmpty)
            let value = try expression.evaluate(in: Fixture.environment)
            if expected != .null { #expect(value == expected) }
            _ = expression.referencedPaths
        }
    }

    @Test func wideButShallowExpressionsAreFine() throws {
        let list = "[" + (0..<20_000).map(String.init).joined(separator: ", ") + "]"
        let expression = try #require(Fixture.parse(list))
        #expect(try expression.evaluate(in: Fixture.environment).listValue?.count == 20_000)
        let calls = "coalesce(" + Array(repeating: "null", count: 5000).joined(separator: ",") + ", 1)"
        #expect(try Fixture.evaluate(calls) == 1)
    }
}
