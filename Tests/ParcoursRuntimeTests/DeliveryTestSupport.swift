import Foundation
import Testing

@testable import ParcoursRuntime

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A fresh folder under the system's temporary directory, removed when the value goes away.
final class DeliveryTemporaryFolder: Sendable {
    let url: URL

    init(_ prefix: String = "parcours-delivery") throws {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("\(prefix)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }
}

/// Support for the tests that talk to a real SMTP server.
enum DeliveryTestSupport {
    /// A message with the given recipients and body, and otherwise fixed values.
    static func message(
        id: String = "msg-0001", to: [String] = ["alice@example.org"], subject: String = "Hello",
        body: String = "Hello.\n", html: String? = nil
    ) -> MailMessage {
        MailMessage(
            id: id, from: "Parcours <no-reply@parcours.test>", to: to, subject: subject, textBody: body, htmlBody: html,
            date: Date(timeIntervalSince1970: 1_751_360_700))
    }

    /// A TCP port on 127.0.0.1 that was free a moment ago.
    static func freePort() throws -> Int {
        let listener = try DeliveryListeningSocket()
        return listener.port
    }

    /// Runs a command and returns its exit status and combined output.
    @discardableResult
    static func run(_ arguments: [String], environment: [String: String]? = nil) throws -> (Int32, String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let environment { process.environment = environment }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: data, as: UTF8.self))
    }

    /// nil when Python's `aiosmtpd` can be imported (installing it with pip first if needed), otherwise why not.
    /// Computed once per test process, on a thread of its own: pip takes seconds, and blocking the few threads of
    /// Swift's cooperative pool would stall every other test meanwhile.
    static func aiosmtpdProblem() async -> String? {
        await aiosmtpdCheck.value
    }

    private static let aiosmtpdCheck = Task<String?, Never> {
        await withCheckedContinuation { continuation in
            Thread.detachNewThread { continuation.resume(returning: checkAiosmtpd()) }
        }
    }

    private static func checkAiosmtpd() -> String? {
        func importable() -> Bool { (try? run(["python3", "-c", "import aiosmtpd"]).0) == 0 }
        if importable() { return nil }
        var transcript = ""
        for extra in [[], ["--user", "--break-system-packages"]] {
            do {
                let (status, output) = try run(["python3", "-m", "pip", "install", "--quiet"] + extra + ["aiosmtpd"])
                transcript +=
                    "$ python3 -m pip install --quiet \(extra.joined(separator: " ")) aiosmtpd → \(status)\n"
                    + output
                if status == 0 && importable() { return nil }
            } catch {
                transcript += "could not run python3: \(error)\n"
            }
        }
        return "The SMTP tests need Python 3 with aiosmtpd, and installing it failed:\n\(transcript)"
    }
}

/// A listening TCP socket on 127.0.0.1 that never accepts: connections complete (the kernel's backlog) but
/// nothing is ever said, like a hung server.
final class DeliveryListeningSocket: Sendable {
    let descriptor: Int32
    let port: Int

    init() throws {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { throw SocketError(message: "socket() failed") }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = 0
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(descriptor, 16) == 0 else {
            close(descriptor)
            throw SocketError(message: "bind or listen failed")
        }
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        let named = withUnsafeMutablePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(descriptor, $0, &length) }
        }
        guard named == 0 else {
            close(descriptor)
            throw SocketError(message: "getsockname failed")
        }
        self.descriptor = descriptor
        self.port = Int(UInt16(bigEndian: address.sin_port))
    }

    deinit { close(descriptor) }

    struct SocketError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// True when something accepts TCP connections on 127.0.0.1:`port`.
    static func isOpen(port: Int) -> Bool {
        #if canImport(Glibc)
            let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        #else
            let descriptor = socket(AF_INET, SOCK_STREAM, 0)
        #endif
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = UInt16(port).bigEndian
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                connect(descriptor, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        } == 0
    }
}

/// A real SMTP server (Python's aiosmtpd) on 127.0.0.1, in its own process, recording every message it accepts.
final class DeliverySMTPServer: Sendable {
    /// How the server behaves.
    struct Options: Encodable, Sendable {
        /// Replies to RCPT TO for chosen recipients, e.g. `["bob@example.org": "550 5.1.1 No such user"]`.
        var reject: [String: String] = [:]
        /// When set, AUTH is required and only these credentials pass.
        var username: String?
        var password: String?
        /// AUTH mechanisms not offered (e.g. `["PLAIN"]` to force LOGIN).
        var excludeMechanisms: [String] = []
        /// Answer EHLO with 502, so that the client falls back to HELO.
        var refuseEHLO = false
        /// Seconds to wait before answering the end of the message data.
        var dataDelay: Double = 0
    }

    /// A message as the server received and Python's `email` package parsed it.
    struct Received: Decodable, Sendable {
        var mailFrom: String
        var rcptTos: [String]
        /// The message bytes after the server removed the dot-stuffing, base64.
        var raw: String
        var subject: String
        var from: String
        var to: String
        var messageId: String
        var date: String
        var text: String?
        var html: String?
        var contentTransferEncoding: String?
        var defects: [String]
        var authenticatedAs: String?
        var rawBytes: [UInt8] { Array(Data(base64Encoded: raw) ?? Data()) }
    }

    let port: Int
    private let folder: DeliveryTemporaryFolder
    private let process: Process

    private init(port: Int, folder: DeliveryTemporaryFolder, process: Process) {
        self.port = port
        self.folder = folder
        self.process = process
    }

    /// Starts a server, runs `body` with it and stops it.
    static func with<T>(
        _ options: Options = Options(), _ body: (DeliverySMTPServer) async throws -> T
    ) async throws -> T {
        let server = try await start(options)
        do {
            let result = try await body(server)
            await server.stop()
            return result
        } catch {
            await server.stop()
            throw error
        }
    }

    /// The configuration of a transport talking to this server, with short timeouts.
    func configuration(username: String? = nil, password: String? = nil) -> SMTPConfiguration {
        SMTPConfiguration(
            host: "127.0.0.1", port: port, username: username, password: password, heloName: "parcours.test",
            connectTimeout: .seconds(5), commandTimeout: .seconds(10), dataTimeout: .seconds(10))
    }

    /// The messages received so far, in order.
    func received() throws -> [Received] {
        let directory = folder.url.appendingPathComponent("received")
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path)
            .filter { $0.hasSuffix(".json") }.sorted()
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return try names.map {
            try decoder.decode(Received.self, from: Data(contentsOf: directory.appendingPathComponent($0)))
        }
    }

    /// What the server printed, for failure messages.
    var log: String {
        (try? String(contentsOf: folder.url.appendingPathComponent("server.log"), encoding: .utf8)) ?? ""
    }

    private static func start(_ options: Options) async throws -> DeliverySMTPServer {
        if let problem = await DeliveryTestSupport.aiosmtpdProblem() { throw ServerError(message: problem) }
        let folder = try DeliveryTemporaryFolder("parcours-smtp")
        let script = folder.url.appendingPathComponent("server.py")
        try Data(serverScript.utf8).write(to: script)
        try JSONEncoder().encode(options).write(to: folder.url.appendingPathComponent("options.json"))
        let logURL = folder.url.appendingPathComponent("server.log")
        _ = FileManager.default.createFile(atPath: logURL.path, contents: nil)
        let log = try FileHandle(forWritingTo: logURL)
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", script.path, folder.url.path]
        process.standardOutput = log
        process.standardError = log
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let portFile = folder.url.appendingPathComponent("port")
        let deadline = ContinuousClock.now.advanced(by: .seconds(30))
        while ContinuousClock.now < deadline {
            if let text = try? String(contentsOf: portFile, encoding: .utf8), let port = Int(text),
                DeliveryListeningSocket.isOpen(port: port)
            {
                return DeliverySMTPServer(port: port, folder: folder, process: process)
            }
            if !process.isRunning { break }
            try await Task.sleep(for: .milliseconds(50))
        }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        let output = (try? String(contentsOf: logURL, encoding: .utf8)) ?? ""
        throw ServerError(message: "the aiosmtpd test server did not start:\n\(output)")
    }

    private func stop() async {
        guard process.isRunning else { return }
        process.terminate()
        let deadline = ContinuousClock.now.advanced(by: .seconds(5))
        while process.isRunning && ContinuousClock.now < deadline { try? await Task.sleep(for: .milliseconds(20)) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
    }

    struct ServerError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }

    /// The server: an aiosmtpd `Controller` on a free port, whose handler refuses chosen recipients and writes
    /// each accepted message (envelope, raw content, and what Python's `email` package makes of it) to
    /// `received/NNNN.json`.
    static let serverScript = #"""
        import asyncio, json, os, signal, socket, sys, threading, time

        # The test process blocks signals in its threads and the child inherits the mask: unblock SIGTERM so that
        # `terminate()` works, and leave on our own if the test process goes away.
        signal.pthread_sigmask(signal.SIG_SETMASK, set())
        signal.signal(signal.SIGTERM, signal.SIG_DFL)
        parent = os.getppid()


        def watch_parent():
            while os.getppid() == parent:
                time.sleep(0.5)
            os._exit(0)


        threading.Thread(target=watch_parent, daemon=True).start()
        from email import policy
        from email.parser import BytesParser
        from aiosmtpd.controller import Controller
        from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword

        folder = sys.argv[1]
        with open(os.path.join(folder, "options.json")) as f:
            options = json.load(f)
        received = os.path.join(folder, "received")
        os.makedirs(received, exist_ok=True)


        def text(value):
            return None if value is None else str(value)


        class Handler:
            async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
                reply = options.get("reject", {}).get(address)
                if reply:
                    return reply
                envelope.rcpt_tos.append(address)
                return "250 2.1.5 OK"

            async def handle_DATA(self, server, session, envelope):
                await asyncio.sleep(options.get("dataDelay", 0))
                raw = envelope.original_content
                message = BytesParser(policy=policy.default).parsebytes(raw)
                plain = message.get_body(preferencelist=("plain",))
                html = message.get_body(preferencelist=("html",))
                auth = session.auth_data
                record = {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "raw": __import__("base64").b64encode(raw).decode("ascii"),
                    "subject": text(message["subject"]),
                    "from": text(message["from"]),
                    "to": text(message["to"]),
                    "message_id": text(message["message-id"]),
                    "date": text(message["date"]),
                    "text": plain.get_content() if plain is not None else None,
                    "html": html.get_content() if html is not None else None,
                    "content_transfer_encoding": text(plain["content-transfer-encoding"]) if plain is not None else None,
                    "defects": [repr(d) for part in message.walk() for d in part.defects],
                    "authenticated_as": auth.login.decode() if isinstance(auth, LoginPassword) else None,
                }
                path = os.path.join(received, "%04d.json" % len([n for n in os.listdir(received) if n.endswith(".json")]))
                with open(path + ".tmp", "w") as f:
                    json.dump(record, f)
                os.replace(path + ".tmp", path)
                return "250 2.0.0 Message accepted for delivery"


        class Server(SMTP):
            async def smtp_EHLO(self, hostname):
                if options.get("refuseEHLO"):
                    await self.push("502 5.5.1 EHLO not implemented")
                    return
                await super().smtp_EHLO(hostname)


        class ServerController(Controller):
            def factory(self):
                return Server(self.handler, **self.SMTP_kwargs)


        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = (
                isinstance(auth_data, LoginPassword)
                and auth_data.login.decode() == options.get("username")
                and auth_data.password.decode() == options.get("password")
            )
            return AuthResult(success=ok, handled=False, auth_data=auth_data if ok else None)


        probe = socket.socket()
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
        probe.close()
        arguments = {}
        if options.get("username") is not None:
            arguments = dict(
                authenticator=authenticator,
                auth_required=True,
                auth_require_tls=False,
                auth_exclude_mechanism=options.get("excludeMechanisms", []),
            )
        controller = ServerController(Handler(), hostname="127.0.0.1", port=port, **arguments)
        controller.start()
        with open(os.path.join(folder, "port.tmp"), "w") as f:
            f.write(str(port))
        os.replace(os.path.join(folder, "port.tmp"), os.path.join(folder, "port"))
        print("aiosmtpd listening on 127.0.0.1:%d" % port, flush=True)
        try:
            threading.Event().wait()
        finally:
            controller.stop()
        """#
}
