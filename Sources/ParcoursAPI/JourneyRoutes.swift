import Foundation
import HTTPTypes
import Hummingbird
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime

extension API {
    /// Instances (start, read, history, events), e-mailed links, and the captcha.
    func addJourneyRoutes(to group: RouterGroup<APIContext>) {
        // Start: anonymously for the configured processes (signup, password reset), else with a session.
        group.post("processes/:process/instances") { request, context in
            let tenant = try Self.tenant(context)
            let process = try Self.parameter("process", context)
            let principal = try await optionalPrincipal(request, tenant: tenant)
            if principal == nil && !configuration.anonymousProcesses.contains(process) {
                throw APIProblem.unauthenticated("starting '\(process)' needs a session: log in first")
            }
            let body = try await Self.body(request, context: context)
            let params = try Self.object(body, "params")
            // A session starts a process on behalf of its own account only (an attachment request, « My account »).
            if let principal, let account = params["account_id"], account != .string(principal.accountId) {
                throw APIProblem.forbidden("a session may only start a process for its own account")
            }
            let actor = principal?.accountId
            let view = try await runtime.start(
                tenant: tenant, process: process, params: params, actor: actor,
                // Anonymous starts share no scope: the key is tied to the caller's address too, so a key another
                // client reuses (or guesses) does not hand it someone else's instance.
                idempotencyKey: try Self.idempotencyKey(
                    request, scope: "start:\(actor ?? "anonymous:\(context.source)")"))
            return Self.created(view.value, location: "/v1/tenants/\(tenant)/instances/\(view.id)")
        }

        // An instance is addressed by its random id: knowing the id is the capability to follow it.
        group.get("instances/:id") { _, context in
            let view = try await runtime.instance(
                tenant: try Self.tenant(context), id: try Self.parameter("id", context))
            return ParcoursServer.json(view.value)
        }

        group.get("instances/:id/history") { _, context in
            let entries = try await runtime.history(
                tenant: try Self.tenant(context), instance: try Self.parameter("id", context))
            return ParcoursServer.json(Self.page(entries.map(\.value)))
        }

        group.post("instances/:id/events/:event") { request, context in
            let tenant = try Self.tenant(context)
            let id = try Self.parameter("id", context)
            let event = try Self.parameter("event", context)
            let principal = try await optionalPrincipal(request, tenant: tenant)
            let payload = try await Self.body(request, context: context)
            if try await domain.requiresLink(tenant: tenant, instance: id, event: event) {
                throw APIProblem(
                    .forbidden, code: "link_required", title: "Link required",
                    detail: "'\(event)' can only be sent through the link e-mailed for it")
            }
            let actor = principal?.accountId
            let view = try await runtime.send(
                tenant: tenant, instance: id, event: event, payload: payload, actor: actor,
                idempotencyKey: try Self.idempotencyKey(request, scope: "event:\(actor ?? "anonymous")"))
            return ParcoursServer.json(view.value)
        }

        // Links: what the link opens (the form of its event), then the event itself.
        group.get("links/:token") { _, context in
            let tenant = try Self.tenant(context)
            let target = try await domain.link(tenant: tenant, token: try Self.parameter("token", context))
            let view = try await runtime.instance(tenant: tenant, id: target.instanceId)
            return ParcoursServer.json(Self.linkValue(target, view: view))
        }

        group.post("links/:token") { request, context in
            let tenant = try Self.tenant(context)
            let token = try Self.parameter("token", context)
            let target = try await domain.link(tenant: tenant, token: token)
            let payload = try await Self.body(request, context: context)
            // The link's actor lets the step's action use the link up in the event's own transaction.
            let view = try await runtime.send(
                tenant: tenant, instance: target.instanceId, event: target.event, payload: payload,
                actor: LinkTarget.actor(forToken: token),
                idempotencyKey: try Self.idempotencyKey(request, scope: "link:\(target.instanceId)"))
            return ParcoursServer.json(view.value)
        }

        group.post("captcha") { _, context in
            let challenge = try await domain.captcha(tenant: try Self.tenant(context))
            return ParcoursServer.json(
                [
                    "id": .string(challenge.id), "image": .string(challenge.image),
                    "expires_at": .date(challenge.expiresAt),
                ],
                status: .created)
        }
    }

    static func linkValue(_ target: LinkTarget, view: InstanceView) -> Value {
        [
            "purpose": .string(target.purpose.rawValue), "event": .string(target.event),
            "expires_at": .date(target.expiresAt), "instance": view.value,
        ]
    }
}
