import Foundation
import HTTPTypes
import Hummingbird
import ParcoursDSL
import ParcoursDomain
import ParcoursRuntime

extension API {
    static let taskStatuses: Set<String> = ["open", "decided", "closed", "all"]

    /// The caller's approval tasks: those whose candidates include them and, for a task about a structure, only
    /// while they manage that structure.
    func addTaskRoutes(to group: RouterGroup<APIContext>) {
        group.get("tasks") { request, context in
            let tenant = try Self.tenant(context)
            let principal = try await principal(request, tenant: tenant)
            let (status, structure, limit, after) = try Self.taskQuery(request)
            let page = try await runtime.tasks(
                tenant: tenant, candidate: principal.accountId, status: status, structure: structure, limit: limit,
                after: after)
            var managed: [String: Bool] = [:]
            var visible: [Value] = []
            for task in page.items {
                if let structure = task.structureId {
                    if managed[structure] == nil {
                        managed[structure] = try await domain.isManager(
                            tenant: tenant, account: principal.accountId, structure: structure)
                    }
                    if managed[structure] != true { continue }
                }
                visible.append(task.value)
            }
            return ParcoursServer.json(Self.page(visible, next: page.next))
        }

        group.get("tasks/:id") { request, context in
            let tenant = try Self.tenant(context)
            let principal = try await principal(request, tenant: tenant)
            let task = try await visibleTask(try Self.parameter("id", context), tenant: tenant, to: principal)
            return ParcoursServer.json(task.value)
        }

        group.post("tasks/:id/approve") { request, context in
            try await decide(request, context: context, outcome: "approve", commentRequired: false)
        }

        group.post("tasks/:id/reject") { request, context in
            try await decide(request, context: context, outcome: "reject", commentRequired: true)
        }
    }

    /// `status` (open by default; `all` for every status), `structure`, `limit` (1–200, default 20), `after`.
    static func taskQuery(_ request: Request) throws -> (String?, String?, Int, String?) {
        let status = query(request, "status") ?? "open"
        guard taskStatuses.contains(status) else {
            throw APIProblem.invalid("query.status", "must be one of open, decided, closed, all")
        }
        return (
            status == "all" ? nil : status, query(request, "structure"),
            try limit(request, default: 20, range: 1...200),
            query(request, "after")
        )
    }

    /// The task when `principal` may see it: a candidate, and a manager of its structure if it has one. 403
    /// otherwise (404 when the tenant has no such task).
    func visibleTask(_ id: String, tenant: String, to principal: Principal) async throws -> TaskView {
        let task = try await runtime.task(tenant: tenant, id: id)
        guard task.candidates.contains(principal.accountId) else {
            throw APIProblem.forbidden("task '\(id)' is not assigned to you")
        }
        if let structure = task.structureId,
            !(try await domain.isManager(tenant: tenant, account: principal.accountId, structure: structure))
        {
            throw APIProblem.forbidden("task '\(id)' is about a structure you do not manage")
        }
        return task
    }

    func decide(_ request: Request, context: APIContext, outcome: String, commentRequired: Bool) async throws
        -> Response
    {
        let tenant = try Self.tenant(context)
        let principal = try await principal(request, tenant: tenant)
        let id = try Self.parameter("id", context)
        let body = try await Self.body(request, context: context)
        let comment = try Self.string(body, "comment", required: commentRequired)
        _ = try await visibleTask(id, tenant: tenant, to: principal)
        let task = try await runtime.decide(
            tenant: tenant, task: id, outcome: outcome, comment: comment, by: .account(principal.accountId),
            idempotencyKey: try Self.idempotencyKey(request, scope: "decide:\(principal.accountId)"))
        return ParcoursServer.json(task.value)
    }
}
