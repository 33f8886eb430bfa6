import Foundation
import Testing

/// The repository's YAML files against the JSON Schema editors use (`docs/parcours.schema.json`).
///
/// The schema is checked by Python's `jsonschema` (draft 2020-12) and `PyYAML`, run through
/// `Process`: an engine independent of the Swift checker, close to what an editor's YAML language
/// server does. A machine without `python3` or those modules FAILS these tests (never skips them),
/// with the command that fixes it.
@Suite("JSON Schema conformance")
struct SchemaConformanceTests {
    /// The repository root: three folders above this file (`Tests/ParcoursDSLTests/…`).
    static let root: URL = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent()
        .deletingLastPathComponent()
        .deletingLastPathComponent()

    /// workflows/ and examples/ hold more YAML files than this (48 when this test was written):
    /// fewer means files went missing or the folders were not found.
    static let minimumFileCount = 40

    @Test("every YAML file of workflows/ and examples/ conforms to the schema")
    func workflowsAndExamplesConform() throws {
        let report = try Validation.run(paths: ["workflows", "examples"], in: Self.root)
        #expect(
            report.failures.isEmpty,
            "\(report.failures.count) file(s) do not conform to docs/parcours.schema.json:\n\(report.failures.joined(separator: "\n"))"
        )
        #expect(
            report.checked >= Self.minimumFileCount,
            "only \(report.checked) YAML file(s) checked under workflows/ and examples/, expected at least \(Self.minimumFileCount)"
        )
    }

    @Test("broken documents are rejected by the schema, a valid one is accepted")
    func brokenDocumentsAreRejected() throws {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("parcours-schema-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let documents = [Samples.valid] + Samples.broken
        for document in documents {
            try document.text.write(to: folder.appendingPathComponent(document.name), atomically: true, encoding: .utf8)
        }

        let report = try Validation.run(paths: [folder.path], in: Self.root)

        #expect(report.checked == documents.count, "\(report.checked) of \(documents.count) sample files checked")
        #expect(
            !report.failed(Samples.valid.name),
            "the valid control document was rejected:\n\(report.failures.joined(separator: "\n"))")
        for document in Samples.broken {
            #expect(report.failed(document.name), "\(document.name) (\(document.why)) was accepted by the schema")
        }
    }
}

extension SchemaConformanceTests {
    /// What the Python validator printed.
    struct Report {
        /// How many files were checked.
        var checked = 0
        /// One line per non-conforming file: `path :: where :: message`.
        var failures: [String] = []

        /// Whether the file named `name` (its last path component) was reported.
        func failed(_ name: String) -> Bool {
            failures.contains { line in
                let path = line.components(separatedBy: " :: ").first ?? line
                return path == name || path.hasSuffix("/" + name)
            }
        }
    }

    enum Validation {
        /// Validates every `*.yaml` / `*.yml` under `paths` (files or folders, relative to `root`).
        ///
        /// Records an issue and throws when python3 or its modules are missing, or the script fails.
        static func run(paths: [String], in root: URL) throws -> Report {
            let schema = root.appendingPathComponent("docs/parcours.schema.json").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["python3", "-c", script, schema] + paths
            process.currentDirectoryURL = root
            // One pipe for both streams: a traceback lands in the failure message, and the child
            // can never block on a full stderr pipe while we read stdout.
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = pipe
            do {
                try process.run()
            } catch {
                Issue.record(
                    "cannot launch /usr/bin/env python3: \(error). Install Python 3 with: pip install jsonschema pyyaml"
                )
                throw error
            }
            let data = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            let output = String(decoding: data, as: UTF8.self)
            let lines = output.split(separator: "\n", omittingEmptySubsequences: true).map(String.init)

            if process.terminationStatus == 127 {
                Issue.record(
                    "python3 was not found on PATH: these tests need Python 3 with `pip install jsonschema pyyaml`.\n\(output)"
                )
                throw ValidationError.pythonMissing
            }
            if let missing = lines.first(where: { $0.hasPrefix("MISSING ") }) {
                Issue.record(
                    "python3 lacks a module (\(missing.dropFirst(8))): run `python3 -m pip install jsonschema pyyaml`.")
                throw ValidationError.moduleMissing(String(missing.dropFirst(8)))
            }
            guard let summary = lines.last(where: { $0.hasPrefix("CHECKED ") }),
                let checked = Int(summary.dropFirst(8).trimmingCharacters(in: .whitespaces)),
                [0, 1].contains(process.terminationStatus)
            else {
                Issue.record("the schema validation script failed (status \(process.terminationStatus)):\n\(output)")
                throw ValidationError.scriptFailed(process.terminationStatus)
            }
            let failures = lines.filter { $0.hasPrefix("FAIL ") }.map { String($0.dropFirst(5)) }
            return Report(checked: checked, failures: failures)
        }

        /// Loads YAML as an editor does (YAML 1.2: `on:` is a key, not `true`; dates stay text),
        /// validates with draft 2020-12, prints `FAIL path :: where :: message` per bad file and
        /// `CHECKED n` last. Exit status: 0 all good, 1 some files fail, 3 a module is missing.
        static let script = #"""
            import sys
            try:
                import json, pathlib, re
                import yaml
                from jsonschema import Draft202012Validator
                from jsonschema.exceptions import best_match
            except ImportError as error:
                print("MISSING " + (getattr(error, "name", None) or str(error)))
                sys.exit(3)

            class Loader(yaml.SafeLoader):
                pass

            Loader.yaml_implicit_resolvers = {
                first: [(tag, regex) for tag, regex in resolvers
                        if tag not in ("tag:yaml.org,2002:bool", "tag:yaml.org,2002:timestamp")]
                for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
            }
            Loader.add_implicit_resolver("tag:yaml.org,2002:bool",
                                         re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF"))

            schema = json.load(open(sys.argv[1], encoding="utf-8"))
            Draft202012Validator.check_schema(schema)
            validator = Draft202012Validator(schema)

            files, failed_paths = [], []
            for argument in sys.argv[2:]:
                path = pathlib.Path(argument)
                if path.is_dir():
                    files += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
                elif path.exists():
                    files.append(path)
                else:
                    failed_paths.append(argument)
                    print("FAIL " + argument + " :: - :: no such file or folder")

            failed = len(failed_paths)
            for path in files:
                try:
                    with open(path, encoding="utf-8") as handle:
                        document = yaml.load(handle, Loader=Loader)
                except yaml.YAMLError as error:
                    failed += 1
                    print("FAIL %s :: - :: not YAML: %s" % (path, str(error).replace("\n", " ")))
                    continue
                errors = list(validator.iter_errors(document))
                if errors:
                    failed += 1
                    error = best_match(errors)
                    where = "/".join(str(part) for part in error.absolute_path) or "(top)"
                    print("FAIL %s :: %s :: %s (%d error(s))" % (path, where, error.message[:300], len(errors)))
            print("CHECKED %d" % len(files))
            sys.exit(1 if failed else 0)
            """#
    }

    enum ValidationError: Error {
        case pythonMissing
        case moduleMissing(String)
        case scriptFailed(Int32)
    }

    /// Small documents for the negative test: one valid control, then one mistake each.
    enum Samples {
        struct Document: Sendable {
            var name: String
            var why: String
            var text: String
        }

        static let valid = Document(
            name: "valid-control.yaml", why: "valid",
            text: """
                process: newsletter
                start: ask_email
                states:
                  ask_email:
                    on:
                      submit:
                        fields:
                          email: { type: email, required: true }
                        goto: subscribed
                    timers:
                      - after: P7D
                        goto: abandoned
                  subscribed:
                    final: success
                  abandoned:
                    final: expired
                """)

        static let broken: [Document] = [
            Document(
                name: "unknown-state-key.yaml", why: "a state has an unknown key",
                text: """
                    process: newsletter
                    start: done
                    states:
                      done:
                        final: success
                        colour: blue
                    """),
            Document(
                name: "unknown-top-level-key.yaml", why: "a process has an unknown key",
                text: """
                    process: newsletter
                    start: done
                    owner: marketing
                    states:
                      done: { final: success }
                    """),
            Document(
                name: "bad-field-type.yaml", why: "a field type that does not exist",
                text: """
                    process: newsletter
                    start: ask_email
                    states:
                      ask_email:
                        on:
                          submit:
                            fields:
                              email: { type: mail, required: true }
                            goto: done
                      done: { final: success }
                    """),
            Document(
                name: "missing-start.yaml", why: "no start state",
                text: """
                    process: newsletter
                    states:
                      done: { final: success }
                    """),
            Document(
                name: "bad-duration.yaml", why: "a timer duration that is neither ISO-8601 nor an expression",
                text: """
                    process: newsletter
                    start: wait
                    states:
                      wait:
                        on:
                          confirm: { goto: done }
                        timers:
                          - after: 30 days
                            goto: done
                      done: { final: success }
                    """),
            Document(
                name: "two-kinds.yaml", why: "a state with two kind keys",
                text: """
                    process: newsletter
                    start: done
                    states:
                      done:
                        final: success
                        action: newsletter.register
                        goto: done
                    """),
            Document(
                name: "notification-without-fr.yaml", why: "a template without French",
                text: """
                    process: newsletter
                    start: done
                    notifications:
                      welcome:
                        subject: { en: Welcome }
                        body: { en: Hello }
                    states:
                      done: { final: success }
                    """),
            Document(
                name: "bad-scenario-step.yaml", why: "an unknown scenario step",
                text: """
                    scenario: waits a day
                    process: newsletter
                    steps:
                      - wait: P1D
                    """),
            Document(
                name: "bad-output-type.yaml", why: "an action output of an unknown type",
                text: """
                    actions:
                      newsletter.register:
                        output:
                          created: boolean!
                    """),
            Document(
                name: "bad-tenant-key.yaml", why: "a misspelt tenant key",
                text: """
                    tenant: acme
                    setings:
                      newsletter: { confirmation_validity: P3D }
                    """),
        ]
    }
}
