import Foundation
import HTTPTypes
import Hummingbird
import ParcoursDomain
import ParcoursRuntime
import Synchronization

/// Counts failed attempts per client address in a fixed window; past the limit, further attempts are refused
/// (429 with `Retry-After`) until the window ends. Used for administrator keys (the domain limits logins itself).
final class AttemptLimiter: Sendable {
    struct Entry {
        var failures: Int
        var windowStart: Date
    }

    let limit: Int
    let window: TimeInterval
    let clock: any RuntimeClock
    private let entries = Mutex<[String: Entry]>([:])

    init(limit: Int, window: TimeInterval, clock: any RuntimeClock) {
        self.limit = limit
        self.window = window
        self.clock = clock
    }

    /// Seconds to wait when `source` is blocked, else nil.
    func retryAfter(for source: String) -> Int? {
        let now = clock.now()
        return entries.withLock { entries in
            guard let entry = entries[source] else { return nil }
            let end = entry.windowStart.addingTimeInterval(window)
            if now >= end {
                entries[source] = nil
                return nil
            }
            return entry.failures >= limit ? max(1, Int((end.timeIntervalSince(now)).rounded(.up))) : nil
        }
    }

    /// Records a failed attempt of `source`.
    func recordFailure(for source: String) {
        let now = clock.now()
        entries.withLock { entries in
            if var entry = entries[source], now < entry.windowStart.addingTimeInterval(window) {
                entry.failures += 1
                entries[source] = entry
            } else {
                entries[source] = Entry(failures: 1, windowStart: now)
            }
            // Keep the table small: forget windows that are over.
            if entries.count > 10_000 {
                entries = entries.filter { now < $0.value.windowStart.addingTimeInterval(window) }
            }
        }
    }
}

/// A tenant administrator authenticated by its key.
struct Administrator: Sendable {
    var tenant: String
    /// The key's public id (the part after `pk_<tenant>_`), written in history as `admin:<id>`.
    var keyId: String
}

extension API {
    /// The bearer token of `Authorization: Bearer …`, or nil when there is none.
    static func bearerToken(_ request: Request) throws -> String? {
        guard let header = request.headers[.authorization] else { return nil }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer",
            !parts[1].trimmingCharacters(in: .whitespaces).isEmpty
        else {
            throw APIProblem.unauthenticated("the Authorization header must be `Bearer <token>`")
        }
        return parts[1].trimmingCharacters(in: .whitespaces)
    }

    /// The principal of the request's session token, for `tenant`: 401 without a token or with one that is not a
    /// live session of this tenant.
    func principal(_ request: Request, tenant: String) async throws -> Principal {
        guard let token = try Self.bearerToken(request) else {
            throw APIProblem.unauthenticated("log in first: this route needs `Authorization: Bearer <session token>`")
        }
        let principal = try await domain.authenticate(tenant: tenant, token: token)
        guard principal.tenant == tenant else {
            throw APIProblem.unauthenticated("this session does not belong to tenant '\(tenant)'")
        }
        return principal
    }

    /// The principal when the request carries a session token (which must then be valid), else nil.
    func optionalPrincipal(_ request: Request, tenant: String) async throws -> Principal? {
        guard try Self.bearerToken(request) != nil else { return nil }
        return try await principal(request, tenant: tenant)
    }

    /// The administrator of `tenant` whose key the request carries. Failed attempts are counted per client address;
    /// past the limit the address gets 429 with `Retry-After`, valid key or not, until the window ends.
    func administrator(_ request: Request, context: APIContext, tenant: String) async throws -> Administrator {
        if let wait = adminLimiter.retryAfter(for: context.source) {
            throw APIProblem(
                .tooManyRequests, code: "too_many_attempts", title: "Too many attempts",
                detail: "too many failed administrator-key attempts from this address; try again in \(wait) s",
                retryAfter: wait)
        }
        guard let key = try Self.bearerToken(request) else {
            throw APIProblem.unauthenticated(
                "tenant administration needs `Authorization: Bearer <tenant administrator key>`")
        }
        guard let owner = try await runtime.tenant(forAdminKey: key), owner == tenant else {
            adminLimiter.recordFailure(for: context.source)
            throw APIProblem.unauthenticated(
                "this is not an administrator key of tenant '\(tenant)'", code: "invalid_admin_key")
        }
        let prefix = "pk_\(tenant)_"
        let keyId = key.hasPrefix(prefix) ? String(key.dropFirst(prefix.count).prefix(8)) : "key"
        return Administrator(tenant: tenant, keyId: keyId)
    }
}
