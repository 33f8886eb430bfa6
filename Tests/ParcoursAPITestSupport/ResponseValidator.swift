import Foundation
import ParcoursDSL
import Synchronization

/// Collects the answers a test received and checks them against the response schemas of docs/openapi.yaml, in one
/// run of Python's `jsonschema` (Draft 2020-12, as OpenAPI 3.1 says): the operation is found from the method and the
/// path, the response from the status, the schema from the content type.
public final class ResponseRecorder: Sendable {
    struct Entry: Sendable {
        var method: String
        var path: String
        var status: Int
        var contentType: String
        var body: String
    }

    private let entries = Mutex<[Entry]>([])

    public init() {}

    func record(method: String, path: String, result: HTTPResult) {
        record(method: method, path: path, status: result.status, contentType: result.contentType, body: result.text)
    }

    /// Records an answer.
    public func record(method: String, path: String, status: Int, contentType: String, body: String) {
        let path = String(path.prefix { $0 != "?" })
        entries.withLock {
            $0.append(Entry(method: method, path: path, status: status, contentType: contentType, body: body))
        }
    }

    /// How many answers were recorded.
    public var count: Int { entries.withLock { $0.count } }

    /// The problems found: one line per answer that does not match the document (empty when all do).
    public func problems() throws -> [String] {
        let items = entries.withLock { $0 }.map { entry -> Value in
            [
                "method": .string(entry.method.lowercased()), "path": .string(entry.path),
                "status": .number(Double(entry.status)), "content_type": .string(entry.contentType),
                "body": .string(entry.body),
            ]
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", "-c", Self.script, APIHarness.root.appendingPathComponent("docs/openapi.yaml").path,
        ]
        let input = Pipe()
        let output = Pipe()
        process.standardInput = input
        process.standardOutput = output
        process.standardError = output
        try process.run()
        input.fileHandleForWriting.write(Data(Value.list(items).jsonText().utf8))
        try input.fileHandleForWriting.close()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        let text = String(decoding: data, as: UTF8.self)
        if process.terminationStatus != 0 && text.isEmpty { return ["the validator failed"] }
        return text.split(separator: "\n").map(String.init)
    }

    static let script = #"""
        import json, re, sys, urllib.parse
        import yaml
        from jsonschema import Draft202012Validator

        document = yaml.safe_load(open(sys.argv[1]))
        entries = json.load(sys.stdin)

        def pointer(parts):
            return "#/" + "/".join(urllib.parse.quote(p.replace("~", "~0").replace("/", "~1"), safe="") for p in parts)

        def resolve(node, parts):
            while "$ref" in node:
                parts = node["$ref"][2:].split("/")
                node = document
                for part in parts:
                    node = node[part.replace("~1", "/").replace("~0", "~")]
            return node, parts

        templates = []
        for template in document["paths"]:
            pattern = "^" + re.sub(r"\\\{[^}]+\\\}", "[^/]+", re.escape(template)) + "$"
            templates.append((re.compile(pattern), template))

        for entry in entries:
            label = f'{entry["method"].upper()} {entry["path"]} {entry["status"]}'
            matches = [t for p, t in templates if p.match(entry["path"])]
            operation = None
            for template in matches:
                operation = document["paths"][template].get(entry["method"])
                if operation:
                    break
            if operation is None:
                if entry["status"] in (404, 405):
                    continue
                print(f"{label}: no such operation in the document")
                continue
            responses = operation["responses"]
            key = str(entry["status"])
            if key not in responses:
                print(f"{label}: status not documented")
                continue
            response, parts = resolve(responses[key], ["paths", template, entry["method"], "responses", key])
            media = entry["content_type"].split(";")[0].strip()
            content = response.get("content")
            if not content:
                if entry["body"]:
                    print(f"{label}: a body where the document has none")
                continue
            if media not in content:
                print(f"{label}: content type {media} not documented")
                continue
            if not media.endswith("json"):
                continue
            schema = dict(document)
            schema["$ref"] = pointer(parts + ["content", media, "schema"])
            body = json.loads(entry["body"])
            for error in Draft202012Validator(schema).iter_errors(body):
                where = "/".join(str(p) for p in error.absolute_path)
                print(f"{label}: {where}: {error.message}")
        """#
}
