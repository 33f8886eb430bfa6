import Foundation
import Logging
import ParcoursDSL
import ParcoursRuntime
import ParcoursTestSupport
import PostgresNIO
import Synchronization
import Testing

@testable import ParcoursDomain

/// A migrated database of its own, a runtime running the real signup actions on it, the domain services, a manual
/// clock, the mail sent so far, and every log line written.
struct DomainFixture: Sendable {
    let runtime: Runtime
    let domain: SignupDomain
    let clock: ManualClock
    let superuser: DatabaseConfiguration
    let mailbox: Mailbox
    let logs: LogCapture
    let configuration: DomainConfiguration

    static let start = Date(timeIntervalSince1970: 1_767_225_600)  // 2026-01-01T00:00:00Z
    static let tenant = "acme"

    /// workflows/ (catalogue and processes).
    static let workspace: Workspace = {
        var workspace = Workspace()
        let folder = TestPostgres.packageRoot.appendingPathComponent("workflows")
        let files = (try? FileManager.default.contentsOfDirectory(atPath: folder.path)) ?? []
        for file in files.sorted() where file.hasSuffix(".yaml") {
            if let text = try? String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8) {
                workspace.add(source: text, file: "workflows/\(file)")
            }
        }
        return workspace
    }()

    static func sources(_ folder: String) throws -> [(file: String, text: String)] {
        let url = TestPostgres.packageRoot.appendingPathComponent(folder)
        return try FileManager.default.contentsOfDirectory(atPath: url.path).sorted()
            .filter { $0.hasSuffix(".yaml") }
            .map { ("\(folder)/\($0)", try String(contentsOf: url.appendingPathComponent($0), encoding: .utf8)) }
    }

    /// Runs `body` with a fresh database where the tenant `acme` has the workflows of workflows/ deployed.
    static func with(
        directory: any DirectoryLooking = DirectoryLookup(), _ body: @Sendable (DomainFixture) async throws -> Void
    ) async throws {
        let logs = LogCapture()
        let logger = Logger(label: "parcours.domain.test") { _ in CapturingLogHandler(capture: logs) }
        let superuser = try await TestPostgres.freshDatabase(template: try await TestPostgres.migratedTemplate())
        try await importSampleDirectory(into: superuser)
        let database = superuser.with(username: ServerRole.name, password: nil)
        let client = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
        let clock = ManualClock(start)
        let configuration = DomainConfiguration(
            publicURL: "https://portail.example", passwordHasher: .fastForTests, keyedHasher: .random())
        let actions = SignupActions(
            configuration: configuration, captcha: TestCaptcha(), directory: directory, logger: logger)
        let runtime = Runtime(
            client: client, catalog: workspace.catalog, clock: clock, actions: actions, assignees: actions,
            sealer: .random(), logger: logger)
        let domain = SignupDomain(runtime: runtime, configuration: configuration, captcha: TestCaptcha())
        let fixture = DomainFixture(
            runtime: runtime, domain: domain, clock: clock, superuser: superuser, mailbox: Mailbox(), logs: logs,
            configuration: configuration)
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask { await client.run() }
            defer { group.cancelAll() }
            _ = try await runtime.createTenant(id: tenant, name: "ACME")
            _ = try await runtime.deploy(tenant: tenant, sources: try sources("workflows"))
            try await body(fixture)
        }
    }

    /// The SIRENE sample of examples/sirene, imported as the directory's owner (tenants only read it).
    static func importSampleDirectory(into database: DatabaseConfiguration) async throws {
        let folder = TestPostgres.packageRoot.appendingPathComponent("examples/sirene")
        try await TestPostgres.withConnection(to: database) { connection in
            _ = try await DirectoryImporter().importSample(in: folder, on: connection, logger: TestPostgres.logger)
        }
    }

    // MARK: - Driving journeys

    func start(_ process: String, _ params: [String: Value] = [:]) async throws -> InstanceView {
        try await runtime.start(tenant: Self.tenant, process: process, params: params)
    }

    func send(_ instance: String, _ event: String, _ payload: [String: Value] = [:], actor: String? = nil)
        async throws -> InstanceView
    {
        try await runtime.send(tenant: Self.tenant, instance: instance, event: event, payload: payload, actor: actor)
    }

    func view(_ id: String) async throws -> InstanceView {
        try await runtime.instance(tenant: Self.tenant, id: id)
    }

    /// Follows an e-mailed link: resolves its token and sends the link's event with `payload`.
    func follow(_ link: String, _ payload: [String: Value]) async throws -> InstanceView {
        let token = Self.token(of: link)
        let target = try await domain.link(tenant: Self.tenant, token: token)
        return try await send(target.instanceId, target.event, payload, actor: LinkTarget.actor(forToken: token))
    }

    static func token(of link: String) -> String {
        String(link.split(separator: "/").last ?? "")
    }

    /// Delivers the outbox and returns the messages sent by this call.
    @discardableResult
    func deliverMail() async throws -> [MailMessage] {
        let before = mailbox.messages.count
        _ = try await runtime.deliverPendingMail(transport: mailbox, settings: MailSettings())
        return Array(mailbox.messages.dropFirst(before))
    }

    /// The last link of the mail sent to `address`.
    func lastLink(to address: String) throws -> String {
        let pattern = "https://portail.example/v1/tenants/\(Self.tenant)/links/"
        let message = try #require(
            mailbox.messages.last { $0.to.contains(address) && $0.textBody.contains(pattern) },
            "no mail with a link to \(address)")
        let body = message.textBody
        let start = try #require(body.range(of: pattern), "no link in the mail to \(address): \(body)")
        let token = body[start.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" }
        return pattern + token
    }

    /// Moves the clock and fires the timers that fell due.
    func advance(days: Double) async throws {
        clock.advance(by: days * 86_400)
        while try await runtime.fireDueTimers() > 0 {}
    }

    /// Runs SQL as the superuser (behind row-level security) and returns the first column as text.
    func superuserQuery(_ sql: String) async throws -> [String] {
        try await TestPostgres.withConnection(to: superuser) { connection in
            let rows = try await connection.query(PostgresQuery(unsafeSQL: sql), logger: TestPostgres.logger)
            var result: [String] = []
            for try await (text) in rows.decode(String?.self) { result.append(text ?? "") }
            return result
        }
    }
}

/// The captcha test double: `PASS` is the right answer, anything else is wrong.
struct TestCaptcha: CaptchaVerifying {
    func challenge(tenant: String, on connection: PostgresConnection, now: Date) async throws -> CaptchaChallenge {
        CaptchaChallenge(id: "test", image: "<svg/>", expiresAt: now.addingTimeInterval(600))
    }

    func verify(response: String, tenant: String, on connection: PostgresConnection, now: Date) async throws -> Bool {
        response == "PASS"
    }
}

/// Every log line, with its metadata, to look for secrets in.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    func append(_ line: String) { lines.withLock { $0.append(line) } }

    var text: String { lines.withLock { $0.joined(separator: "\n") } }
}

struct CapturingLogHandler: LogHandler {
    let capture: LogCapture
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        let all = metadata.merging(event.metadata ?? [:]) { _, new in new }
        capture.append("\(event.level) \(event.message) \(all) \(event.error.map { "\($0)" } ?? "")")
    }
}
