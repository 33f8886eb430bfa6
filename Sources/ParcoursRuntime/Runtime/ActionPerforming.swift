import Foundation
import ParcoursDSL
import ParcoursEngine
import PostgresNIO

/// What an action runs with: the tenant and the connection of the event's transaction, so that a domain action's
/// writes commit or roll back with the transition.
public struct ActionContext: Sendable {
    public var tenant: String
    public var instanceId: String
    /// Who sent the event being handled (an account id, `admin:…`, `timer`, `link:<token digest>`…), or nil.
    public var actor: String?
    public var connection: PostgresConnection
    public var now: Date
}

/// Performs the actions named in definitions (implemented by the domain layer).
public protocol ActionPerforming: Sendable {
    func perform(_ call: ActionCall, in context: ActionContext) async throws -> Value
}

/// Resolves who may decide a task.
public protocol AssigneeResolving: Sendable {
    func resolve(_ request: AssigneeRequest, in context: ActionContext) async throws -> [String]
}

/// Answers every action with its catalogue `example` and every resolver with its example candidates: the stand-in
/// used by `parcours dev` for actions that have no implementation yet, and by runtime tests.
public struct CatalogExamples: ActionPerforming, AssigneeResolving {
    public let catalog: ActionCatalog

    public init(catalog: ActionCatalog) {
        self.catalog = catalog
    }

    public func perform(_ call: ActionCall, in context: ActionContext) async throws -> Value {
        guard let example = catalog.actions[call.action]?.example else {
            throw RuntimeError(.actionFailed, "action '\(call.action)' has no implementation and no example")
        }
        return example
    }

    public func resolve(_ request: AssigneeRequest, in context: ActionContext) async throws -> [String] {
        switch request {
        case .accounts(let accounts): return accounts
        case .resolver(let name, _): return catalog.resolvers[name]?.example ?? []
        }
    }
}
