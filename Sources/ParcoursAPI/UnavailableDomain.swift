import Foundation
import ParcoursDSL
import ParcoursDomain

/// The ``DomainServices`` of a server built without the signup domain: every call is answered with 503
/// `domain_unavailable`, so sessions, links, the captcha and task routes say plainly what is missing while the
/// journeys' instance routes, administration, health and metrics work. `parcours serve` and `dev` use it until the
/// domain's implementation is wired in (`DomainWiring.services(for:)` in the `parcours` target).
public struct UnavailableDomain: DomainServices {
    public init() {}

    static var problem: APIProblem {
        APIProblem(
            .serviceUnavailable, code: "domain_unavailable", title: "Domain unavailable",
            detail: "this server runs without the signup domain (sessions, links, captcha, memberships)")
    }

    public func login(tenant: String, email: String, password: String, source: String) async throws
        -> IssuedSession
    { throw Self.problem }
    public func authenticate(tenant: String, token: String) async throws -> Principal { throw Self.problem }
    public func logout(tenant: String, token: String) async throws { throw Self.problem }
    public func link(tenant: String, token: String) async throws -> LinkTarget { throw Self.problem }
    /// No link is ever required: there is no domain to issue one.
    public func requiresLink(tenant: String, instance: String, event: String) async throws -> Bool { false }
    public func captcha(tenant: String) async throws -> CaptchaChallenge { throw Self.problem }
    public func activationInstance(tenant: String, account: String) async throws -> String { throw Self.problem }
    public func isManager(tenant: String, account: String, structure: String) async throws -> Bool {
        throw Self.problem
    }
    public func profile(tenant: String, account: String) async throws -> Value { throw Self.problem }
    public func structure(tenant: String, id: String, visibleTo account: String) async throws -> Value {
        throw Self.problem
    }
}
