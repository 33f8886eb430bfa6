import ParcoursDSL
import Synchronization

/// Parsed definitions by tenant, process and version: a version never changes once deployed, so a parse is kept.
final class DefinitionCache: Sendable {
    struct Key: Hashable {
        var tenant: String
        var process: String
        var version: Int
    }

    private let entries = Mutex<[Key: ProcessDefinition]>([:])

    func get(_ key: Key) -> ProcessDefinition? { entries.withLock { $0[key] } }

    func put(_ key: Key, _ definition: ProcessDefinition) { entries.withLock { $0[key] = definition } }
}
