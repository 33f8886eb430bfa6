import Foundation
import ParcoursAPI
import ParcoursAPITestSupport
import ParcoursDSL
import ParcoursRuntime

// A throwaway API server for conformance and load runs (scripts/schemathesis.sh, Benchmarks/http-load.sh): a fresh
// test database, the tenant `demo` with workflows/ deployed, the in-memory test double of the domain with a manager
// (ana@example.org / "manager password", session token printed) of structure s-1, some open tasks, and the API on
// 127.0.0.1:PORT (argument 1, default 8089). It prints
// `ready <url> <admin key> <session token> <instance id> <task id> <link token>`, and serves until it is interrupted.
let port = CommandLine.arguments.count > 1 ? Int(CommandLine.arguments[1]) ?? 8089 : 8089
signal(SIGINT, SIG_IGN)
signal(SIGTERM, SIG_IGN)
let stop = AsyncStream<Void> { continuation in
    let sources = [SIGINT, SIGTERM].map { value in
        let source = DispatchSource.makeSignalSource(signal: value, queue: .global())
        source.setEventHandler { continuation.yield() }
        source.resume()
        return source
    }
    nonisolated(unsafe) let kept = sources
    continuation.onTermination = { _ in kept.forEach { $0.cancel() } }
}
let counter = (
    file: "counter.yaml",
    text: """
    process: counter
    start: counting
    context:
      count: number
    states:
      counting:
        on:
          bump:
            goto: counting
            set: { count: "(context.count ?? 0) + 1" }
          stop:
            goto: done
      done:
        final: success
    """
)
// Schemathesis sends many wrong keys on purpose: do not let the attempt limit turn its run into 429s.
let configuration = APIConfiguration(adminFailureLimit: 1_000_000, accessLogLevel: .debug)
try await APIHarness.with(port: port, configuration: configuration) { api in
    let key = try await api.tenant("demo")
    api.domain.addAccount(tenant: "demo", id: "acc-a", email: "ana@example.org", password: "manager password")
    api.domain.addManager(tenant: "demo", structure: "s-1", account: "acc-a")
    var tasks: [String] = []
    for index in 0..<20 {
        let started = try await api.runtime.start(
            tenant: "demo", process: "attach_test", params: ["structure": "s-1", "requester": .string("acc-r\(index)")])
        tasks.append(started.taskId ?? "")
    }
    let token = api.domain.openSession(tenant: "demo", account: "acc-a", ttl: 86_400 * 365)
    let instance = try await api.runtime.start(tenant: "demo", process: "signup", params: [:])
    // An account being activated: its link, and its activation for the administrator's re-send.
    let activation = try await api.runtime.start(
        tenant: "demo", process: "activation",
        params: ["account_id": "acc-9", "login_email": "lea@example.org", "first_name": "Léa", "last_name": "Martin"])
    api.domain.setActivationInstance(tenant: "demo", account: "acc-9", instance: activation.id)
    let link = api.domain.issueLink(
        tenant: "demo", purpose: .activation, instance: activation.id, event: "activate", ttl: 86_400 * 365)
    // Instances that accept `bump` again and again, for the load run.
    _ = try await api.runtime.deploy(tenant: "demo", sources: [counter])
    var counters: [String] = []
    for _ in 0..<50 { counters.append(try await api.runtime.start(tenant: "demo", process: "counter", params: [:]).id) }
    say("counters \(counters.joined(separator: ","))")
    say("ready \(api.baseURL) \(key) \(token) \(instance.id) \(tasks[0]) \(link)")
    for await _ in stop { break }
    say("stopping")
}

/// Prints a line at once (standard output may be a file the scripts poll).
func say(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}
