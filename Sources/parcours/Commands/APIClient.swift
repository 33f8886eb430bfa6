import ArgumentParser
import Foundation
import ParcoursDSL

#if canImport(FoundationNetworking)
    import FoundationNetworking
#endif
#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The exit codes of the managers' commands (`login`, `logout`, `tasks`), documented in docs/api.md.
enum ManagerExit {
    static let ok: Int32 = 0
    /// Anything else: the server cannot be reached, it refused the request, it failed.
    static let failure: Int32 = 1
    /// Not logged in, or the session expired or was closed.
    static let notLoggedIn: Int32 = 3
    /// Forbidden: not yours (a task for another structure's managers, your own request).
    static let forbidden: Int32 = 4
    /// Conflict: the task was decided already.
    static let conflict: Int32 = 5
    static let notFound: Int32 = 6
}

/// What `parcours login` keeps: the server, the tenant and the session token (the file is mode 0600).
struct StoredSession: Codable {
    var server: String
    var tenant: String
    var token: String
    var accountId: String?
    var expiresAt: String?

    enum CodingKeys: String, CodingKey {
        case server, tenant, token
        case accountId = "account_id"
        case expiresAt = "expires_at"
    }

    /// `$XDG_CONFIG_HOME/parcours/session.json`, else `~/.config/parcours/session.json`.
    static var file: URL {
        let environment = ProcessInfo.processInfo.environment
        let base =
            environment["XDG_CONFIG_HOME"].flatMap { $0.isEmpty ? nil : URL(fileURLWithPath: $0) }
            ?? FileManager.default.homeDirectoryForCurrentUser.appendingPathComponent(".config")
        return base.appendingPathComponent("parcours/session.json")
    }

    static func load() -> StoredSession? {
        guard let data = try? Data(contentsOf: file) else { return nil }
        return try? JSONDecoder().decode(StoredSession.self, from: data)
    }

    func save() throws {
        let folder = Self.file.deletingLastPathComponent()
        try FileManager.default.createDirectory(
            at: folder, withIntermediateDirectories: true, attributes: [.posixPermissions: 0o700])
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let data = try encoder.encode(self)
        // Created 0600 before the token is written into it.
        let path = Self.file.path
        if !FileManager.default.fileExists(atPath: path) {
            _ = FileManager.default.createFile(atPath: path, contents: nil, attributes: [.posixPermissions: 0o600])
        }
        try FileManager.default.setAttributes([.posixPermissions: 0o600], ofItemAtPath: path)
        try data.write(to: Self.file)
    }

    static func remove() {
        try? FileManager.default.removeItem(at: file)
    }

    /// The session to use: `PARCOURS_SERVER`, `PARCOURS_TENANT`, `PARCOURS_TOKEN` over the stored one.
    static func current() throws -> StoredSession {
        let environment = ProcessInfo.processInfo.environment
        let stored = load()
        func pick(_ name: String, _ fallback: String?) -> String? {
            environment[name].flatMap { $0.isEmpty ? nil : $0 } ?? fallback
        }
        guard let server = pick("PARCOURS_SERVER", stored?.server),
            let tenant = pick("PARCOURS_TENANT", stored?.tenant),
            let token = pick("PARCOURS_TOKEN", stored?.token)
        else {
            printError(
                "error: not logged in: run `parcours login --server URL --tenant TENANT` (or set PARCOURS_SERVER, PARCOURS_TENANT and PARCOURS_TOKEN)"
            )
            throw ExitCode(ManagerExit.notLoggedIn)
        }
        return StoredSession(server: server, tenant: tenant, token: token, accountId: stored?.accountId)
    }
}

/// An answer of the API.
struct APIAnswer {
    var status: Int
    var body: Value
}

/// A small JSON client of the Parcours API over URLSession.
struct APIClient {
    var server: String
    var tenant: String
    var token: String?

    /// `/v1/tenants/<tenant>` + `path`.
    func send(_ method: String, _ path: String, json: Value? = nil) async throws -> APIAnswer {
        let base = server.hasSuffix("/") ? String(server.dropLast()) : server
        guard let url = URL(string: "\(base)/v1/tenants/\(tenant)\(path)"), url.scheme?.hasPrefix("http") == true else {
            printError("error: '\(server)' is not an http(s) URL")
            throw ExitCode(ManagerExit.failure)
        }
        var request = URLRequest(url: url)
        request.httpMethod = method
        request.timeoutInterval = 30
        request.setValue("application/json", forHTTPHeaderField: "Accept")
        if let token { request.setValue("Bearer \(token)", forHTTPHeaderField: "Authorization") }
        if let json {
            request.httpBody = Data(json.jsonText().utf8)
            request.setValue("application/json", forHTTPHeaderField: "Content-Type")
        }
        let data: Data
        let response: URLResponse
        do {
            (data, response) = try await URLSession.shared.data(for: request)
        } catch {
            printError("error: cannot reach \(base): \(error.localizedDescription)")
            throw ExitCode(ManagerExit.failure)
        }
        let status = (response as? HTTPURLResponse)?.statusCode ?? 0
        let body = (try? Value.parseJSON(String(decoding: data, as: UTF8.self))) ?? .null
        return APIAnswer(status: status, body: body)
    }

    /// Prints a problem for a person and exits with its code. `subject` names what was asked for ("task 42").
    func fail(_ answer: APIAnswer, subject: String) -> ExitCode {
        let code = answer.body[member: "code"].stringValue ?? ""
        let detail = answer.body[member: "detail"].stringValue ?? "the server answered \(answer.status)"
        switch answer.status {
        case 401:
            let why =
                switch code {
                case "session_expired": "your session has expired"
                case "session_revoked": "your session was closed"
                case "invalid_credentials": "wrong e-mail or password"
                default: "you are not logged in (\(detail))"
                }
            if code == "invalid_credentials" {
                printError("error: \(why)")
            } else {
                printError("error: \(why): run `parcours login --server \(server) --tenant \(tenant)` again")
            }
            return ExitCode(ManagerExit.notLoggedIn)
        case 403:
            printError("error: \(subject) is not yours: \(detail)")
            return ExitCode(ManagerExit.forbidden)
        case 404:
            printError("error: \(subject) was not found in tenant \(tenant): \(detail)")
            return ExitCode(ManagerExit.notFound)
        case 409:
            printError("error: \(subject): \(detail)")
            return ExitCode(ManagerExit.conflict)
        case 429:
            printError("error: too many attempts: \(detail)")
            return ExitCode(ManagerExit.failure)
        default:
            var message = "error: \(subject): \(detail)"
            for field in answer.body[member: "errors"].listValue ?? [] {
                message +=
                    "\n  \(field[member: "field"].stringValue ?? ""): \(field[member: "message"].stringValue ?? "")"
            }
            printError(message)
            return ExitCode(ManagerExit.failure)
        }
    }
}

/// Reads a line of standard input (nil at its end).
func readInputLine() -> String? {
    readLine(strippingNewline: true)
}

/// Reads a password from the terminal without echo (the prompt goes to standard error).
func readPasswordWithoutEcho(prompt: String) -> String? {
    FileHandle.standardError.write(Data(prompt.utf8))
    var original = termios()
    tcgetattr(STDIN_FILENO, &original)
    var silent = original
    silent.c_lflag &= ~tcflag_t(ECHO)
    tcsetattr(STDIN_FILENO, TCSANOW, &silent)
    defer {
        tcsetattr(STDIN_FILENO, TCSANOW, &original)
        FileHandle.standardError.write(Data("\n".utf8))
    }
    return readLine(strippingNewline: true)
}
