import ArgumentParser
import Foundation
import ParcoursDSL

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

private let exitCodes = """
    Exit codes: 0 done; 1 failure (server unreachable, request refused); 3 not logged in or session expired; \
    4 forbidden (not yours); 5 conflict (already decided); 6 not found; 64 wrong usage.
    """

/// `parcours login --server URL --tenant T`: opens a session and keeps it in the user's config folder.
struct LoginCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "login",
        abstract: "Log in to a Parcours server as a manager; the session is kept for `parcours tasks`.",
        discussion: """
            Asks the e-mail, then the password (without echo on a terminal; --password-stdin reads it from standard
            input). The server, tenant and session token are stored in $XDG_CONFIG_HOME/parcours/session.json
            (default ~/.config/parcours/session.json), mode 0600. PARCOURS_SERVER, PARCOURS_TENANT and
            PARCOURS_TOKEN override what is stored.
            \(exitCodes)
            """)

    @Option(help: "The server, e.g. https://parcours.example.org (default: PARCOURS_SERVER).")
    var server: String?

    @Option(help: "The tenant (default: PARCOURS_TENANT).")
    var tenant: String?

    @Option(help: "The e-mail (asked when absent).")
    var email: String?

    @Flag(name: .customLong("password-stdin"), help: "Read the password from standard input (a line).")
    var passwordStdin = false

    func run() async throws {
        let environment = ProcessInfo.processInfo.environment
        guard let server = server ?? environment["PARCOURS_SERVER"], !server.isEmpty else {
            printError("error: give --server URL (or set PARCOURS_SERVER)")
            throw ExitCode(ManagerExit.failure)
        }
        guard let tenant = tenant ?? environment["PARCOURS_TENANT"], !tenant.isEmpty else {
            printError("error: give --tenant TENANT (or set PARCOURS_TENANT)")
            throw ExitCode(ManagerExit.failure)
        }
        let isTerminal = isatty(STDIN_FILENO) == 1
        var email = self.email
        if email == nil {
            if isTerminal { FileHandle.standardError.write(Data("E-mail: ".utf8)) }
            email = readInputLine()
        }
        guard let email, !email.isEmpty else {
            printError("error: no e-mail given")
            throw ExitCode(ManagerExit.failure)
        }
        let password: String?
        if passwordStdin {
            password = readInputLine()
        } else if isTerminal {
            password = readPasswordWithoutEcho(prompt: "Password: ")
        } else {
            printError("error: standard input is not a terminal: pass --password-stdin to read the password from it")
            throw ExitCode(ManagerExit.failure)
        }
        guard let password, !password.isEmpty else {
            printError("error: no password given")
            throw ExitCode(ManagerExit.failure)
        }
        let client = APIClient(server: server, tenant: tenant, token: nil)
        let answer = try await client.send(
            "POST", "/sessions", json: ["email": .string(email), "password": .string(password)])
        guard answer.status == 201, let token = answer.body[member: "token"].stringValue else {
            throw client.fail(answer, subject: "login")
        }
        let session = StoredSession(
            server: server, tenant: tenant, token: token, accountId: answer.body[member: "account_id"].stringValue,
            expiresAt: answer.body[member: "expires_at"].stringValue)
        try session.save()
        say(
            "Logged in to \(tenant) on \(server) as \(session.accountId ?? email)"
                + (session.expiresAt.map { " (session valid until \($0))" } ?? "") + ".")
    }
}

/// `parcours logout`: closes the session on the server and forgets it.
struct LogoutCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logout", abstract: "Close the session opened by `parcours login` and forget it.",
        discussion: exitCodes)

    func run() async throws {
        let session = try StoredSession.current()
        let client = APIClient(server: session.server, tenant: session.tenant, token: session.token)
        let answer = try await client.send("DELETE", "/sessions/current")
        StoredSession.remove()
        guard answer.status == 204 || answer.status == 401 else { throw client.fail(answer, subject: "logout") }
        say("Logged out of \(session.tenant).")
    }
}

/// `parcours tasks list|show|approve|reject`: a manager's approval tasks.
struct TasksCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasks",
        abstract: "List, show, approve or reject your approval tasks (log in first with `parcours login`).",
        discussion: exitCodes,
        subcommands: [List.self, Show.self, Approve.self, Reject.self])

    struct Output: ParsableArguments {
        @Flag(help: "Print the server's JSON (for scripts).")
        var json = false
    }

    static func client() throws -> APIClient {
        let session = try StoredSession.current()
        return APIClient(server: session.server, tenant: session.tenant, token: session.token)
    }

    struct List: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "list", abstract: "Your tasks, oldest first.", discussion: exitCodes)

        @Option(help: "open, decided, closed or all.")
        var status = "open"

        @Option(help: "Only the tasks about this structure.")
        var structure: String?

        @Option(help: "At most this many tasks (the pages are followed).")
        var limit = 50

        @OptionGroup var output: Output

        func run() async throws {
            let client = try TasksCommand.client()
            var items: [Value] = []
            var cursor: String?
            repeat {
                var query = "status=\(status)&limit=\(min(200, max(1, limit - items.count)))"
                if let structure { query += "&structure=\(encode(structure))" }
                if let cursor { query += "&after=\(encode(cursor))" }
                let answer = try await client.send("GET", "/tasks?\(query)")
                guard answer.status == 200 else { throw client.fail(answer, subject: "the task list") }
                items += answer.body[member: "items"].listValue ?? []
                cursor = answer.body[member: "next"].stringValue
            } while cursor != nil && items.count < limit
            if output.json {
                print(Value.list(items).jsonText(pretty: true))
                return
            }
            if items.isEmpty {
                say("No \(status == "all" ? "" : status + " ")tasks.")
                return
            }
            let rows = items.map { task in
                [
                    task[member: "id"].stringValue ?? "", task[member: "status"].stringValue ?? "",
                    task[member: "structure_id"].stringValue ?? "-",
                    String((task[member: "created_at"].stringValue ?? "").prefix(16)).replacingOccurrences(
                        of: "T", with: " "),
                    task[member: "title"].stringValue ?? "",
                ]
            }
            printTable(header: ["ID", "STATUS", "STRUCTURE", "CREATED (UTC)", "TITLE"], rows: rows)
        }
    }

    struct Show: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "show", abstract: "One task.", discussion: exitCodes)

        @Argument(help: "The task's id.")
        var id: String

        @OptionGroup var output: Output

        func run() async throws {
            let client = try TasksCommand.client()
            let answer = try await client.send("GET", "/tasks/\(encode(id))")
            guard answer.status == 200 else { throw client.fail(answer, subject: "task \(id)") }
            printTask(answer.body, json: output.json)
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "approve", abstract: "Approve a task.", discussion: exitCodes)

        @Argument(help: "The task's id.")
        var id: String

        @Option(help: "A comment for the requester.")
        var comment: String?

        @OptionGroup var output: Output

        func run() async throws {
            try await decide(id: id, route: "approve", comment: comment, json: output.json)
        }
    }

    struct Reject: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "reject", abstract: "Refuse a task, saying why.", discussion: exitCodes)

        @Argument(help: "The task's id.")
        var id: String

        @Option(help: "Why (required: the requester is told).")
        var comment: String

        @OptionGroup var output: Output

        func validate() throws {
            if comment.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
                throw ValidationError("--comment must say why the request is refused")
            }
        }

        func run() async throws {
            try await decide(id: id, route: "reject", comment: comment, json: output.json)
        }
    }

    static func decide(id: String, route: String, comment: String?, json: Bool) async throws {
        let client = try client()
        var body: [String: Value] = [:]
        if let comment { body["comment"] = .string(comment) }
        let answer = try await client.send("POST", "/tasks/\(encode(id))/\(route)", json: .object(body))
        guard answer.status == 200 else { throw client.fail(answer, subject: "task \(id)") }
        if json {
            print(answer.body.jsonText(pretty: true))
        } else {
            say("Task \(id): \(route == "approve" ? "approved" : "rejected").")
        }
    }
}

private func encode(_ text: String) -> String {
    // A path segment or a query value: unreserved characters and ':' stay as they are (task ids hold ':').
    text.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~:"))) ?? text
}

private func printTask(_ task: Value, json: Bool) {
    if json {
        print(task.jsonText(pretty: true))
        return
    }
    func text(_ name: String) -> String { task[member: name].stringValue ?? "-" }
    var lines = [
        ("Task", text("id")), ("Title", text("title")), ("Status", text("status")), ("Structure", text("structure_id")),
        ("Requester", text("requester")), ("Process", "\(text("process")) (instance \(text("instance_id")))"),
        ("Created", text("created_at")),
        (
            "Outcomes",
            (task[member: "outcomes"].listValue ?? []).map {
                ($0[member: "name"].stringValue ?? "")
                    + ($0[member: "comment_required"].boolValue == true ? " (comment required)" : "")
            }.joined(separator: ", ")
        ),
    ]
    if let description = task[member: "description"].stringValue { lines.insert(("Description", description), at: 2) }
    if task[member: "status"].stringValue != "open" {
        lines.append(("Decision", "\(text("outcome")) by \(text("decided_by")) at \(text("decided_at"))"))
        if let comment = task[member: "comment"].stringValue { lines.append(("Comment", comment)) }
    }
    let width = lines.map(\.0.count).max() ?? 0
    for (name, value) in lines {
        print(name.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + value)
    }
}

private func printTable(header: [String], rows: [[String]]) {
    var widths = header.map(\.count)
    for row in rows {
        for (index, cell) in row.enumerated() where index < widths.count - 1 {
            widths[index] = max(widths[index], cell.count)
        }
    }
    func line(_ cells: [String]) -> String {
        cells.enumerated().map { index, cell in
            index == cells.count - 1 ? cell : cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
        }.joined(separator: "  ")
    }
    print(line(header))
    for row in rows { print(line(row)) }
}
