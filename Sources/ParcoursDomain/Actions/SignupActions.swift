import Foundation
import Logging
import ParcoursDSL
import ParcoursEngine
import ParcoursIdentifiers
import ParcoursRuntime
import PostgresNIO

/// The actions and assignee resolvers of `workflows/actions.yaml`, on PostgreSQL. Each runs in the transaction of
/// the event that reached it: its writes commit or roll back with the transition.
///
/// Secrets never reach a table in clear: passwords and secret answers are hashed with ``PasswordHasher``, links
/// carry random tokens of which only the SHA-256 is stored.
public struct SignupActions: ActionPerforming, AssigneeResolving {
    public var configuration: DomainConfiguration
    public var captcha: any CaptchaVerifying
    public var directory: any DirectoryLooking
    let logger: Logger

    public init(
        configuration: DomainConfiguration, captcha: any CaptchaVerifying, directory: any DirectoryLooking,
        logger: Logger
    ) {
        self.configuration = configuration
        self.captcha = captcha
        self.directory = directory
        self.logger = logger
    }

    /// The catalogue's action names this type implements.
    public static let actionNames: Set<String> = [
        "captcha.verify", "directory.lookup", "structure.find", "account.login_available",
        "attachment.check_allowed", "account.create", "structure.create", "activation.issue", "account.activate",
        "attachment.request", "attachment.approve", "attachment.refuse", "attachment.expire",
        "password_reset.begin", "password_reset.check_answer", "password_reset.issue_link", "password_reset.complete",
        "account.change_contact_email", "account.deactivate", "account.request_reactivation", "account.reactivate",
        "account.close",
    ]

    /// The catalogue's resolver names this type implements.
    public static let resolverNames: Set<String> = ["structure.managers", "tenant.admins"]

    public func perform(_ call: ActionCall, in context: ActionContext) async throws -> Value {
        let arguments = Arguments(call: call)
        let db = Statements(connection: context.connection, logger: logger)
        switch call.action {
        case "captcha.verify":
            let valid = try await captcha.verify(
                response: try arguments.string("response"), tenant: context.tenant, on: context.connection,
                now: context.now)
            return ["valid": .bool(valid)]
        case "directory.lookup":
            let siret = Identifiers.normalize(.siret, try arguments.string("siret"))
            return try await directory.lookup(siret: siret, on: context.connection, logger: logger)
        case "structure.find":
            return try await findStructure(arguments, db)
        case "account.login_available":
            let email = try arguments.string("login_email")
            let taken = try await db.exists(
                "SELECT 1 FROM accounts WHERE lower(login_email) = lower(\(email))")
            return ["available": .bool(!taken)]
        case "attachment.check_allowed":
            return try await checkAttachmentAllowed(arguments, db)
        case "account.create":
            return try await createAccount(arguments, db, context)
        case "structure.create":
            return try await createStructure(arguments, db, context)
        case "activation.issue":
            let account = try arguments.string("account_id")
            try await db.requireAccount(account, status: ["pending_activation"])
            return .object(
                try await issueLink(
                    .activation, account: account, event: "activate", until: try arguments.date("valid_until"), db,
                    context))
        case "account.activate":
            return try await activate(arguments, db, context)
        case "attachment.request":
            return try await requestAttachment(arguments, db, context)
        case "attachment.approve", "attachment.refuse", "attachment.expire":
            return try await closeAttachment(call.action, arguments, db, context)
        case "password_reset.begin":
            return try await beginReset(arguments, db, context)
        case "password_reset.check_answer":
            return try await checkResetAnswer(arguments, db, context)
        case "password_reset.issue_link":
            let request = try arguments.string("request_id")
            guard
                let account = try await db.string(
                    "SELECT account_id FROM password_resets WHERE request_id = \(request) AND status = 'answered'")
            else { throw failure("the password reset \(request) has no correctly answered question") }
            let issued = try await issueLink(
                .passwordReset, account: account, event: "submit", until: try arguments.date("valid_until"), db,
                context)
            return issued.merging(["recipients": [.string(try await db.contactEmail(of: account))]])
        case "password_reset.complete":
            return try await completeReset(arguments, db, context)
        case "account.change_contact_email":
            return try await changeContactEmail(arguments, db)
        case "account.deactivate":
            let account = try arguments.string("account_id")
            try await db.requireAccount(account, status: ["active"])
            try await db.run(
                "UPDATE accounts SET status = 'deactivated', deactivated_at = \(context.now) WHERE account_id = \(account)"
            )
            try await db.revokeSessions(of: account, at: context.now)
            return ["deactivated_at": .date(context.now)]
        case "account.request_reactivation":
            let account = try arguments.string("account_id")
            try await db.requireAccount(account, status: ["deactivated"])
            let issued = try await issueLink(
                .reactivation, account: account, event: "confirm", until: try arguments.date("valid_until"), db,
                context)
            return issued.merging(["contact_email": .string(try await db.contactEmail(of: account))])
        case "account.reactivate":
            let account = try arguments.string("account_id")
            try await db.requireAccount(account, status: ["deactivated"])
            try await db.consumeLink(purpose: .reactivation, account: account, context: context)
            try await db.run(
                """
                UPDATE accounts SET status = 'active', reactivated_at = \(context.now), deactivated_at = NULL
                WHERE account_id = \(account)
                """)
            return [
                "contact_email": .string(try await db.contactEmail(of: account)), "reactivated_at": .date(context.now),
            ]
        case "account.close":
            return try await closeAccount(arguments, db, context)
        default:
            throw failure("the action '\(call.action)' is not implemented by the signup domain")
        }
    }

    public func resolve(_ request: AssigneeRequest, in context: ActionContext) async throws -> [String] {
        switch request {
        case .accounts(let accounts):
            return accounts
        case .resolver("structure.managers", let arguments):
            guard let structure = arguments["structure_id"]?.stringValue else {
                throw failure("structure.managers needs a structure_id")
            }
            let db = Statements(connection: context.connection, logger: logger)
            return try await db.strings(
                """
                SELECT m.account_id FROM memberships m JOIN accounts a USING (tenant_id, account_id)
                WHERE m.structure_id = \(structure) AND m.role IN ('primary_manager', 'secondary_manager')
                  AND a.status = 'active'
                ORDER BY m.role, m.since, m.account_id
                """)
        case .resolver("tenant.admins", _):
            // Tenant administrators act with the tenant's admin key, which may decide any task: no account is
            // added to the candidates.
            return []
        case .resolver(let name, _):
            throw failure("the assignee resolver '\(name)' is not implemented by the signup domain")
        }
    }

    // MARK: - Structures

    private func findStructure(_ arguments: Arguments, _ db: Statements) async throws -> Value {
        let type = try arguments.string("identifier_type")
        let identifier = Self.normalizedIdentifier(try arguments.string("identifier"), type: type)
        let rows = try await db.connection.query(
            """
            SELECT structure_id, name, label, address, complement_1, complement_2, postcode, city, country
            FROM structures WHERE identifier_type = \(type) AND identifier = \(identifier)
            """, logger: logger)
        for try await (id, name, label, address, complement1, complement2, postcode, city, country) in rows.decode(
            (String, String, String?, String, String?, String?, String, String, String).self)
        {
            return [
                "exists": true, "structure_id": .string(id), "name": .string(name), "label": .optional(label),
                "address": [
                    "line": .string(address), "complement_1": .optional(complement1),
                    "complement_2": .optional(complement2), "postcode": .string(postcode), "city": .string(city),
                    "country": .string(country),
                ],
            ]
        }
        return [
            "exists": false, "structure_id": .null, "name": .null, "label": .null,
            "address": [
                "line": .null, "complement_1": .null, "complement_2": .null, "postcode": .null, "city": .null,
                "country": .null,
            ],
        ]
    }

    private func createStructure(_ arguments: Arguments, _ db: Statements, _ context: ActionContext) async throws
        -> Value
    {
        let type = try arguments.string("identifier_type")
        var identifier: String
        switch type {
        case "PARTICULIER", "AUTRE":
            // The portal assigns these: a readable, unique number.
            identifier =
                (type == "PARTICULIER" ? "PART" : "AUTRE")
                + Tokens.identifier(prefix: "").dropFirst()
                .prefix(12).uppercased()
        default:
            identifier = Self.normalizedIdentifier(try arguments.string("identifier"), type: type)
            try Self.checkIdentifier(identifier, type: type)
        }
        let workspaces = (arguments.value("workspaces").listValue ?? []).compactMap(\.stringValue)
        let providerCategory = arguments.optionalString("provider_category")
        if workspaces.contains("MEMOIRES_FRAIS_JUSTICE"), providerCategory == nil {
            throw failure("the workspace « Mémoires de frais de justice » needs a provider category")
        }
        let creator = try arguments.string("primary_manager")
        try await db.requireAccount(creator, status: ["pending_activation", "active"])
        if try await db.exists(
            "SELECT 1 FROM structures WHERE identifier_type = \(type) AND identifier = \(identifier)")
        {
            throw failure("a structure with the identifier \(type) \(identifier) exists already")
        }
        let id = Tokens.identifier(prefix: "str")
        let name = try arguments.string("name")
        let label = arguments.optionalString("label")
        let address = try arguments.string("address")
        let complement1 = arguments.optionalString("complement_1")
        let complement2 = arguments.optionalString("complement_2")
        let postcode = try arguments.string("postcode")
        let city = try arguments.string("city")
        let country = try arguments.string("country")
        let nonDiffusible = arguments.bool("non_diffusible", default: false)
        let paymentRequests = arguments.bool("payment_requests", default: true)
        let dume = arguments.bool("dume", default: false)
        let providerRegime = arguments.optionalString("provider_regime")
        try await db.run(
            """
            INSERT INTO structures (tenant_id, structure_id, identifier_type, identifier, name, label, address,
                complement_1, complement_2, postcode, city, country, non_diffusible, payment_requests, dume,
                provider_category, provider_regime, created_by, created_at)
            VALUES (\(context.tenant), \(id), \(type), \(identifier), \(name), \(label), \(address), \(complement1),
                \(complement2), \(postcode), \(city), \(country), \(nonDiffusible), \(paymentRequests), \(dume),
                \(providerCategory), \(providerRegime), \(creator), \(context.now))
            """)
        for workspace in Set(workspaces) {
            try await db.run(
                """
                INSERT INTO structure_workspaces (tenant_id, structure_id, workspace)
                VALUES (\(context.tenant), \(id), \(workspace))
                """)
        }
        try await db.run(
            """
            INSERT INTO memberships (tenant_id, structure_id, account_id, role, since)
            VALUES (\(context.tenant), \(id), \(creator), 'primary_manager', \(context.now))
            """)
        return ["structure_id": .string(id), "identifier": .string(identifier)]
    }

    /// The stored form of an identifier: SIRET, RIDET and TAHITI without separators, VAT upper-cased.
    static func normalizedIdentifier(_ raw: String, type: String) -> String {
        if let kind = identifierKind(of: type) { return Identifiers.normalize(kind, raw) }
        return raw.trimmingCharacters(in: .whitespaces).uppercased()
    }

    /// The checked identifier kind of a structure type (none for HORS_UE, PARTICULIER and AUTRE).
    static func identifierKind(of type: String) -> IdentifierKind? {
        switch type {
        case "SIRET": .siret
        case "UE_HORS_FRANCE": .vat
        case "RIDET": .ridet
        case "TAHITI": .tahiti
        default: nil
        }
    }

    static func checkIdentifier(_ identifier: String, type: String) throws {
        guard let kind = identifierKind(of: type) else { return }
        if let problem = Identifiers.check(kind, identifier).problem {
            throw failure("the identifier \(identifier) is not a valid \(type): \(problem)")
        }
    }

    // MARK: - Accounts

    private func createAccount(_ arguments: Arguments, _ db: Statements, _ context: ActionContext) async throws
        -> Value
    {
        guard arguments.bool("conditions_accepted", default: false) else {
            throw failure("the conditions of use must be accepted")
        }
        let email = try arguments.string("login_email").trimmingCharacters(in: .whitespaces)
        if try await db.exists("SELECT 1 FROM accounts WHERE lower(login_email) = lower(\(email))") {
            throw failure("an account with this login e-mail exists already")
        }
        let id = Tokens.identifier(prefix: "acc")
        let firstName = try arguments.string("first_name")
        let lastName = try arguments.string("last_name")
        let phone = arguments.optionalString("phone")
        let contact = arguments.optionalString("contact_email") ?? email
        let consent = arguments.bool("survey_consent", default: false)
        try await db.run(
            """
            INSERT INTO accounts (tenant_id, account_id, login_email, first_name, last_name, phone, contact_email,
                survey_consent, conditions_accepted_at, created_at)
            VALUES (\(context.tenant), \(id), \(email), \(firstName), \(lastName), \(phone), \(contact), \(consent),
                \(context.now), \(context.now))
            """)
        return ["account_id": .string(id)]
    }

    private func activate(_ arguments: Arguments, _ db: Statements, _ context: ActionContext) async throws -> Value {
        let account = try arguments.string("account_id")
        try await db.requireAccount(account, status: ["pending_activation"])
        try await db.consumeLink(purpose: .activation, account: account, context: context)
        let passwordHash = try configuration.passwordHasher.hash(try arguments.string("password"))
        let answerHash = try configuration.passwordHasher.hash(
            SecretAnswer.normalize(try arguments.string("secret_answer")))
        let question = try arguments.string("secret_question")
        try await db.run(
            """
            UPDATE accounts SET status = 'active', activated_at = \(context.now), password_hash = \(passwordHash),
                secret_question = \(question), secret_answer_hash = \(answerHash)
            WHERE account_id = \(account)
            """)
        return ["activated_at": .date(context.now)]
    }

    private func changeContactEmail(_ arguments: Arguments, _ db: Statements) async throws -> Value {
        let account = try arguments.string("account_id")
        try await db.requireAccount(account, status: ["active"])
        let previous = try await db.contactEmail(of: account)
        let new = try arguments.string("new_contact_email").trimmingCharacters(in: .whitespaces)
        try await db.run("UPDATE accounts SET contact_email = \(new) WHERE account_id = \(account)")
        return ["previous_contact_email": .string(previous), "contact_email": .string(new)]
    }

    private func closeAccount(_ arguments: Arguments, _ db: Statements, _ context: ActionContext) async throws
        -> Value
    {
        let account = try arguments.string("account_id")
        try await db.requireAccount(account, status: ["deactivated"])
        // Personal data goes; the id stays so that the history keeps an anonymous trace.
        let placeholder = "\(account)@closed.invalid"
        try await db.run(
            """
            UPDATE accounts SET status = 'closed', closed_at = \(context.now), login_email = \(placeholder),
                contact_email = \(placeholder), first_name = '', last_name = '', phone = NULL, password_hash = NULL,
                secret_question = NULL, secret_answer_hash = NULL, survey_consent = false
            WHERE account_id = \(account)
            """)
        try await db.run("DELETE FROM sessions WHERE account_id = \(account)")
        try await db.run("DELETE FROM links WHERE account_id = \(account)")
        return ["closed_at": .date(context.now)]
    }

    // MARK: - Links

    private func issueLink(
        _ purpose: LinkTarget.Purpose, account: String, event: String, until: Date, _ db: Statements,
        _ context: ActionContext
    ) async throws -> [String: Value] {
        guard until > context.now else { throw failure("a link must be valid for some time") }
        // A new link replaces the account's earlier ones of the same purpose.
        try await db.run(
            """
            UPDATE links SET replaced_at = \(context.now)
            WHERE account_id = \(account) AND purpose = \(purpose.rawValue) AND used_at IS NULL AND replaced_at IS NULL
            """)
        let token = Tokens.random()
        try await db.run(
            """
            INSERT INTO links (tenant_id, token_hash, purpose, account_id, instance_id, event, created_at, expires_at)
            VALUES (\(context.tenant), \(Tokens.digest(token)), \(purpose.rawValue), \(account), \(context.instanceId),
                \(event), \(context.now), \(until))
            """)
        return ["link": .string(configuration.link(tenant: context.tenant, token: token)), "expires_at": .date(until)]
    }

    // MARK: - Attachments

    private func checkAttachmentAllowed(_ arguments: Arguments, _ db: Statements) async throws -> Value {
        let account = try arguments.string("account_id")
        let structure = try arguments.string("structure_id")
        if let claimed = arguments.optionalString("structure_identifier") {
            let rows = try await db.connection.query(
                "SELECT identifier_type, identifier FROM structures WHERE structure_id = \(structure)", logger: logger)
            var actual: (type: String, identifier: String)?
            for try await row in rows.decode((String, String).self) { actual = row }
            guard let actual, Self.normalizedIdentifier(claimed, type: actual.type) == actual.identifier else {
                return ["allowed": false, "reason": "IDENTIFIER_MISMATCH"]
            }
        }
        if try await db.exists(
            "SELECT 1 FROM memberships WHERE account_id = \(account) AND structure_id = \(structure)")
        {
            return ["allowed": false, "reason": "ALREADY_MEMBER"]
        }
        if try await db.exists(
            """
            SELECT 1 FROM attachment_requests
            WHERE account_id = \(account) AND structure_id = \(structure) AND status = 'pending'
            """)
        {
            return ["allowed": false, "reason": "ALREADY_PENDING"]
        }
        return ["allowed": true, "reason": .null]
    }

    private func requestAttachment(_ arguments: Arguments, _ db: Statements, _ context: ActionContext) async throws
        -> Value
    {
        let account = try arguments.string("account_id")
        let structure = try arguments.string("structure_id")
        try await db.requireAccount(account, status: ["pending_activation", "active"])
        guard try await db.exists("SELECT 1 FROM structures WHERE structure_id = \(structure)") else {
            throw failure("no structure \(structure)")
        }
        let id = Tokens.identifier(prefix: "req")
        try await db.run(
            """
            INSERT INTO attachment_requests (tenant_id, request_id, account_id, structure_id, instance_id, requested_at)
            VALUES (\(context.tenant), \(id), \(account), \(structure), \(context.instanceId), \(context.now))
            """)
        let emails = try await db.strings(
            """
            SELECT a.contact_email FROM memberships m JOIN accounts a USING (tenant_id, account_id)
            WHERE m.structure_id = \(structure) AND m.role IN ('primary_manager', 'secondary_manager')
              AND a.status = 'active'
            ORDER BY m.role, m.since
            """)
        return ["request_id": .string(id), "manager_emails": .list(emails.map(Value.string))]
    }

    private func closeAttachment(
        _ action: String, _ arguments: Arguments, _ db: Statements, _ context: ActionContext
    ) async throws -> Value {
        let request = try arguments.string("request_id")
        let rows = try await db.connection.query(
            """
            SELECT account_id, structure_id, status FROM attachment_requests WHERE request_id = \(request) FOR UPDATE
            """, logger: logger)
        var found: (account: String, structure: String, status: String)?
        for try await row in rows.decode((String, String, String).self) { found = row }
        guard let found else { throw failure("no attachment request \(request)") }
        guard found.status == "pending" else { throw failure("the attachment request \(request) is \(found.status)") }
        switch action {
        case "attachment.approve":
            let decidedBy = try arguments.string("decided_by")
            try await db.run(
                """
                UPDATE attachment_requests SET status = 'approved', decided_by = \(decidedBy), decided_at = \(context.now)
                WHERE request_id = \(request)
                """)
            try await db.run(
                """
                INSERT INTO memberships (tenant_id, structure_id, account_id, role, since)
                VALUES (\(context.tenant), \(found.structure), \(found.account), 'member', \(context.now))
                ON CONFLICT DO NOTHING
                """)
            return ["attached_at": .date(context.now)]
        case "attachment.refuse":
            let decidedBy = try arguments.string("decided_by")
            let reason = try arguments.string("reason")
            try await db.run(
                """
                UPDATE attachment_requests SET status = 'refused', decided_by = \(decidedBy), decided_at = \(context.now),
                    reason = \(reason)
                WHERE request_id = \(request)
                """)
            return ["refused_at": .date(context.now)]
        default:
            try await db.run(
                """
                UPDATE attachment_requests SET status = 'expired', decided_at = \(context.now)
                WHERE request_id = \(request)
                """)
            return ["expired_at": .date(context.now)]
        }
    }

    // MARK: - Forgotten password

    /// Questions shown for an address without an active account, picked from the address so that asking twice
    /// shows the same one.
    static let decoyQuestions = [
        "Quel est le nom de votre premier animal de compagnie ?", "Quelle est votre ville de naissance ?",
        "Quel est le nom de votre école primaire ?", "Quel est le prénom de votre meilleur ami d'enfance ?",
        "Quel était le modèle de votre première voiture ?", "Quel est le nom de jeune fille de votre mère ?",
    ]

    private func beginReset(_ arguments: Arguments, _ db: Statements, _ context: ActionContext) async throws -> Value {
        let email = try arguments.string("login_email").trimmingCharacters(in: .whitespaces)
        let rows = try await db.connection.query(
            """
            SELECT account_id, secret_question, contact_email FROM accounts
            WHERE lower(login_email) = lower(\(email)) AND status = 'active' AND secret_question IS NOT NULL
            """, logger: logger)
        var account: (id: String, question: String, contact: String)?
        for try await row in rows.decode((String, String, String).self) { account = row }
        let id = Tokens.identifier(prefix: "rst")
        let question =
            account?.question
            ?? Self.decoyQuestions[
                configuration.keyedHasher.pick(
                    email.lowercased(), purpose: "decoy-question", among: Self.decoyQuestions.count)]
        try await db.run(
            """
            INSERT INTO password_resets (tenant_id, request_id, email_key, account_id, created_at)
            VALUES (\(context.tenant), \(id), \(configuration.emailKey(email)), \(account?.id), \(context.now))
            """)
        return [
            "request_id": .string(id), "question": .string(question),
            "recipients": .list(account.map { [.string($0.contact)] } ?? []),
        ]
    }

    private func checkResetAnswer(_ arguments: Arguments, _ db: Statements, _ context: ActionContext) async throws
        -> Value
    {
        let request = try arguments.string("request_id")
        let rows = try await db.connection.query(
            """
            SELECT r.email_key, r.status, a.secret_answer_hash FROM password_resets r
            LEFT JOIN accounts a ON a.tenant_id = r.tenant_id AND a.account_id = r.account_id AND a.status = 'active'
            WHERE r.request_id = \(request) FOR UPDATE OF r
            """, logger: logger)
        var found: (emailKey: String, status: String, answerHash: String?)?
        for try await row in rows.decode((String, String, String?).self) { found = row }
        guard let found else { throw failure("no password reset \(request)") }
        // Answers for one login e-mail (from any of its requests) wait for each other, so that parallel tries
        // cannot all pass the count.
        try await db.run("SELECT pg_advisory_xact_lock(hashtext(\("reset:" + found.emailKey)))")
        let windowStart = context.now.addingTimeInterval(-configuration.resetWindow)
        let failures = try await db.count(
            "SELECT count(*) FROM reset_failures WHERE email_key = \(found.emailKey) AND at > \(windowStart)")
        if found.status == "locked" || failures >= configuration.resetFailuresPerAccount {
            try await db.run("UPDATE password_resets SET status = 'locked' WHERE request_id = \(request)")
            return ["correct": false, "locked": true]
        }
        guard found.status == "question" else { throw failure("the password reset \(request) is \(found.status)") }
        // The decoy path hashes too, so that both paths take the same time.
        let answer = SecretAnswer.normalize(try arguments.string("answer"))
        let correct: Bool
        if let stored = found.answerHash {
            correct = configuration.passwordHasher.verify(answer, against: stored)
        } else {
            _ = try configuration.passwordHasher.hash(answer)
            correct = false
        }
        if correct {
            try await db.run("UPDATE password_resets SET status = 'answered' WHERE request_id = \(request)")
            return ["correct": true, "locked": false]
        }
        try await db.run("DELETE FROM reset_failures WHERE email_key = \(found.emailKey) AND at <= \(windowStart)")
        try await db.run(
            """
            INSERT INTO reset_failures (tenant_id, email_key, at) VALUES (\(context.tenant), \(found.emailKey), \(context.now))
            """)
        let locked = failures + 1 >= configuration.resetFailuresPerAccount
        if locked { try await db.run("UPDATE password_resets SET status = 'locked' WHERE request_id = \(request)") }
        return ["correct": false, "locked": .bool(locked)]
    }

    private func completeReset(_ arguments: Arguments, _ db: Statements, _ context: ActionContext) async throws
        -> Value
    {
        let request = try arguments.string("request_id")
        guard
            let account = try await db.string(
                """
                SELECT account_id FROM password_resets WHERE request_id = \(request) AND status = 'answered' FOR UPDATE
                """)
        else { throw failure("the password reset \(request) cannot be completed") }
        try await db.requireAccount(account, status: ["active"])
        try await db.consumeLink(purpose: .passwordReset, account: account, context: context)
        let passwordHash = try configuration.passwordHasher.hash(try arguments.string("password"))
        let answerHash = try configuration.passwordHasher.hash(
            SecretAnswer.normalize(try arguments.string("secret_answer")))
        let question = try arguments.string("secret_question")
        try await db.run(
            """
            UPDATE accounts SET password_hash = \(passwordHash), secret_question = \(question),
                secret_answer_hash = \(answerHash)
            WHERE account_id = \(account)
            """)
        try await db.run("UPDATE password_resets SET status = 'completed' WHERE request_id = \(request)")
        try await db.revokeSessions(of: account, at: context.now)
        return ["completed_at": .date(context.now)]
    }
}

/// An action's failure: the runtime rolls the transaction back and reports it.
func failure(_ message: String) -> RuntimeError {
    RuntimeError(.actionFailed, message)
}

/// Typed access to an action's arguments.
struct Arguments {
    let call: ActionCall

    func value(_ name: String) -> Value { call.arguments[name] ?? .null }

    func string(_ name: String) throws -> String {
        guard let text = value(name).stringValue, !text.isEmpty else {
            throw failure("\(call.action): the argument '\(name)' is missing")
        }
        return text
    }

    func optionalString(_ name: String) -> String? {
        guard let text = value(name).stringValue, !text.trimmingCharacters(in: .whitespaces).isEmpty else {
            return nil
        }
        return text
    }

    func bool(_ name: String, default defaultValue: Bool) -> Bool { value(name).boolValue ?? defaultValue }

    func date(_ name: String) throws -> Date {
        guard case .date(let date) = value(name) else {
            throw failure("\(call.action): the argument '\(name)' is not a date")
        }
        return date
    }
}

extension Value {
    static func optional(_ text: String?) -> Value { text.map(Value.string) ?? .null }

    func merging(_ other: [String: Value]) -> Value {
        .object((objectValue ?? [:]).merging(other) { _, new in new })
    }
}

extension Dictionary where Key == String, Value == ParcoursDSL.Value {
    func merging(_ other: [String: ParcoursDSL.Value]) -> ParcoursDSL.Value {
        .object(self.merging(other) { _, new in new })
    }
}
