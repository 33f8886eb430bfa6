import Foundation
import Logging
import ParcoursAPI
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime
import ParcoursTestSupport
import PostgresNIO
import Synchronization

/// A real server on the real signup domain: the actions of `workflows/actions.yaml` on PostgreSQL, the SIRENE
/// sample as the structure directory, the image captcha, links to `https://portail.example`.
public typealias SignupAPIHarness = HTTPHarness<SignupDomain>

extension HTTPHarness where Domain == SignupDomain {
    public static let publicURL = "https://portail.example"

    /// Runs `body` with a running server whose tenant `acme` has workflows/ deployed.
    public static func withSignupDomain(
        configuration: APIConfiguration = APIConfiguration(accessLogLevel: .debug),
        _ body: @Sendable (SignupAPIHarness) async throws -> Void
    ) async throws {
        var logger = Logger(label: "parcours.api.signup-test")
        logger.logLevel = .warning
        let superuser = try await TestPostgres.freshDatabase(template: try await TestPostgres.migratedTemplate())
        try await TestPostgres.withConnection(to: superuser) { connection in
            _ = try await DirectoryImporter().importSample(
                in: HarnessFiles.root.appendingPathComponent("examples/sirene"), on: connection, logger: logger)
        }
        let database = superuser.with(username: ServerRole.name, password: nil)
        let client = PostgresClient(configuration: database.clientConfiguration(), backgroundLogger: logger)
        let clock = ManualClock(start)
        let hasher = KeyedHasher.random()
        let domainConfiguration = DomainConfiguration(
            publicURL: publicURL, passwordHasher: .fastForTests, keyedHasher: hasher)
        let captcha = HarnessCaptcha()
        let actions = SignupActions(
            configuration: domainConfiguration, captcha: captcha, directory: DirectoryLookup(), logger: logger)
        let runtime = Runtime(
            client: client, catalog: catalog, clock: clock, actions: actions, assignees: actions, sealer: .random(),
            logger: logger)
        let domain = SignupDomain(runtime: runtime, configuration: domainConfiguration, captcha: captcha)
        try await serve(
            runtime: runtime, domain: domain, clock: clock, superuser: superuser, port: 0, configuration: configuration,
            logger: logger
        ) { harness in
            _ = try await runtime.createTenant(id: "acme", name: "ACME")
            var sources: [(file: String, text: String)] = []
            let folder = root.appendingPathComponent("workflows")
            for file in try FileManager.default.contentsOfDirectory(atPath: folder.path).sorted()
            where file.hasSuffix(".yaml") {
                sources.append(
                    ("workflows/\(file)", try String(contentsOf: folder.appendingPathComponent(file), encoding: .utf8)))
            }
            _ = try await runtime.deploy(tenant: "acme", sources: sources)
            try await body(harness)
        }
    }

    /// A captcha answer, as a person would type it from the challenge's image (``HarnessCaptcha``'s).
    public func solveCaptcha() async throws -> String {
        let challenge = try await request("POST", "/v1/tenants/acme/captcha")
        guard challenge.status == 201, let id = challenge.json[member: "id"].stringValue else {
            throw HarnessError("no captcha: \(challenge)")
        }
        return "\(id):\(HarnessCaptcha.answer)"
    }
}

/// The captcha double of the API tests: challenges are real (ids, single use), and the answer to each is
/// ``answer``. (The image captcha itself is tested in ParcoursDomainTests.)
public final class HarnessCaptcha: CaptchaVerifying {
    public static let answer = "PASS"
    private let issued = Mutex<Set<String>>([])

    public init() {}

    public func challenge(tenant: String, on connection: PostgresConnection, now: Date) async throws
        -> CaptchaChallenge
    {
        let id = "cap-\(UUID().uuidString.lowercased())"
        issued.withLock { _ = $0.insert(id) }
        return CaptchaChallenge(id: id, image: "<svg xmlns=\"http://www.w3.org/2000/svg\"/>", expiresAt: now + 600)
    }

    public func verify(response: String, tenant: String, on connection: PostgresConnection, now: Date) async throws
        -> Bool
    {
        guard let separator = response.firstIndex(of: ":") else { return false }
        let id = String(response[..<separator])
        let used = issued.withLock { $0.remove(id) != nil }
        return used && response[response.index(after: separator)...] == Self.answer
    }
}

extension HTTPHarness {
    /// Delivers the outbox to ``mailbox`` and returns what this call sent.
    @discardableResult
    public func deliverMail() async throws -> [MailMessage] {
        let before = mailbox.messages.count
        _ = try await runtime.deliverPendingMail(transport: mailbox, settings: MailSettings())
        return Array(mailbox.messages.dropFirst(before))
    }

    /// The token of the last link e-mailed to `address`.
    public func lastLinkToken(to address: String) throws -> String {
        let marker = "/links/"
        guard
            let message = mailbox.messages.last(where: { $0.to.contains(address) && $0.textBody.contains(marker) }),
            let range = message.textBody.range(of: marker)
        else { throw HarnessError("no mail with a link to \(address)") }
        return String(
            message.textBody[range.upperBound...].prefix { $0.isLetter || $0.isNumber || $0 == "-" || $0 == "_" })
    }
}
