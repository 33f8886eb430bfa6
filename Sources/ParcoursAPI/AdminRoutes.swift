import Foundation
import HTTPTypes
import Hummingbird
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime

extension API {
    /// Tenant administration, with the tenant's administrator key as bearer token.
    func addAdminRoutes(to group: RouterGroup<APIContext>) {
        group.post("deployments") { request, context in
            let tenant = try Self.tenant(context)
            _ = try await administrator(request, context: context, tenant: tenant)
            let body = try await Self.body(request, context: context)
            guard case .list(let files)? = body["files"], !files.isEmpty else {
                throw APIProblem.invalid("files", "give a non-empty list of {name, content}")
            }
            var sources: [(file: String, text: String)] = []
            for (index, file) in files.enumerated() {
                guard let name = file[member: "name"].stringValue, !name.isEmpty else {
                    throw APIProblem.invalid("files[\(index)].name", "is required")
                }
                guard let content = file[member: "content"].stringValue else {
                    throw APIProblem.invalid("files[\(index)].content", "is required")
                }
                sources.append((name, content))
            }
            let result = try await runtime.deploy(tenant: tenant, sources: sources)
            return ParcoursServer.json(
                [
                    "processes": .list(
                        result.processes.map {
                            [
                                "process": .string($0.process), "version": .number(Double($0.version)),
                                "created": .bool($0.created),
                            ]
                        }),
                    "settings_applied": .list(result.settingsApplied.map(Value.string)),
                    "warnings": .list(result.warnings.map { .string($0.description) }),
                ])
        }

        group.get("versions") { request, context in
            let tenant = try Self.tenant(context)
            _ = try await administrator(request, context: context, tenant: tenant)
            let versions = try await runtime.versions(tenant: tenant)
            return ParcoursServer.json(
                Self.page(
                    versions.map {
                        [
                            "process": .string($0.process), "version": .number(Double($0.version)),
                            "sha256": .string($0.sha256), "deployed_at": .date($0.deployedAt),
                        ]
                    }))
        }

        group.get("instances") { request, context in
            let tenant = try Self.tenant(context)
            _ = try await administrator(request, context: context, tenant: tenant)
            let status = Self.query(request, "status")
            if let status, status != "waiting" && status != "finished" {
                throw APIProblem.invalid("query.status", "must be waiting or finished")
            }
            let views = try await runtime.instances(
                tenant: tenant, process: Self.query(request, "process"), status: status,
                limit: try Self.limit(request, default: 50, range: 1...500))
            return ParcoursServer.json(Self.page(views.map(\.value)))
        }

        group.get("tasks") { request, context in
            let tenant = try Self.tenant(context)
            _ = try await administrator(request, context: context, tenant: tenant)
            let (status, structure, limit, after) = try Self.taskQuery(request)
            let page = try await runtime.tasks(
                tenant: tenant, candidate: nil, status: status, structure: structure, limit: limit, after: after)
            return ParcoursServer.json(Self.page(page.items.map(\.value), next: page.next))
        }

        // Re-sends an account's activation link: the `resend` event of its activation instance.
        group.post("accounts/:account/activation-link") { request, context in
            let tenant = try Self.tenant(context)
            let admin = try await administrator(request, context: context, tenant: tenant)
            let instance = try await domain.activationInstance(
                tenant: tenant, account: try Self.parameter("account", context))
            let view = try await runtime.send(
                tenant: tenant, instance: instance, event: "resend", payload: [:], actor: "admin:\(admin.keyId)",
                idempotencyKey: try Self.idempotencyKey(request, scope: "admin:\(admin.keyId)"))
            return ParcoursServer.json(view.value)
        }

        group.post("tasks/:id/reassign") { request, context in
            let tenant = try Self.tenant(context)
            let admin = try await administrator(request, context: context, tenant: tenant)
            let body = try await Self.body(request, context: context)
            guard case .list(let items)? = body["candidates"] else {
                throw APIProblem.invalid("candidates", "give a list of account ids")
            }
            let candidates = items.compactMap(\.stringValue)
            guard candidates.count == items.count, !candidates.isEmpty, !candidates.contains(where: \.isEmpty) else {
                throw APIProblem.invalid("candidates", "give a non-empty list of account ids")
            }
            let task = try await runtime.reassign(
                tenant: tenant, task: try Self.parameter("id", context), to: candidates, by: admin.keyId)
            return ParcoursServer.json(task.value)
        }
    }
}
