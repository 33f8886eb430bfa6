import Foundation
import HTTPTypes
import Hummingbird
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime

extension API {
    /// Login, logout, the caller's profile and the structures they belong to.
    func addSessionRoutes(to group: RouterGroup<APIContext>) {
        group.post("sessions") { request, context in
            let tenant = try Self.tenant(context)
            let body = try await Self.body(request, context: context)
            guard let email = try Self.string(body, "email"), let password = try Self.string(body, "password") else {
                throw APIProblem.invalid("email", "is required")
            }
            let session = try await domain.login(
                tenant: tenant, email: email, password: password, source: context.source)
            context.logger.info("session opened", metadata: ["account": .string(session.accountId)])
            return ParcoursServer.json(
                [
                    "token": .string(session.token), "account_id": .string(session.accountId),
                    "expires_at": .date(session.expiresAt),
                ], status: .created)
        }

        // Logout: the session of the bearer token is closed; closing a closed or expired session again is not an
        // error, but a token that was never a session of this tenant is 401.
        group.delete("sessions/current") { request, context in
            let tenant = try Self.tenant(context)
            guard let token = try Self.bearerToken(request) else {
                throw APIProblem.unauthenticated("logout needs `Authorization: Bearer <session token>`")
            }
            do {
                _ = try await domain.authenticate(tenant: tenant, token: token)
            } catch let error as DomainError where error.code == .sessionRevoked || error.code == .sessionExpired {
                // Closed already: nothing more to do, but say it is done.
            }
            try await domain.logout(tenant: tenant, token: token)
            return Response(status: .noContent)
        }

        group.get("me") { request, context in
            let tenant = try Self.tenant(context)
            let principal = try await principal(request, tenant: tenant)
            return ParcoursServer.json(try await domain.profile(tenant: tenant, account: principal.accountId))
        }

        // A structure, for its members only (a requester whose attachment is pending sees nothing).
        group.get("structures/:id") { request, context in
            let tenant = try Self.tenant(context)
            let principal = try await principal(request, tenant: tenant)
            return ParcoursServer.json(
                try await domain.structure(
                    tenant: tenant, id: try Self.parameter("id", context), visibleTo: principal.accountId))
        }
    }
}
