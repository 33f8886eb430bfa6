import ParcoursDSL
import ParcoursEngine
import Synchronization

/// Parsed definitions by tenant, process and version: a version never changes once deployed, so a parse is kept,
/// with what every view of its instances shares.
final class DefinitionCache: Sendable {
    struct Key: Hashable {
        var tenant: String
        var process: String
        var version: Int
    }

    /// A parsed definition and the parts of its instances' views that do not depend on the instance.
    final class Entry: Sendable {
        let definition: ProcessDefinition
        /// The `waiting.events` of an unfinished instance's view, by state, where they are the same for every
        /// instance (`Interpreter.instanceIndependentEvents(at:)`): built once instead of at every event.
        let sharedEvents: [String: Value]

        init(_ definition: ProcessDefinition) {
            self.definition = definition
            let interpreter = Interpreter(definition: definition)
            var shared: [String: Value] = [:]
            for state in definition.states {
                if let events = interpreter.instanceIndependentEvents(at: state.name) {
                    shared[state.name] = .list(events.map(\.value))
                }
            }
            sharedEvents = shared
        }
    }

    private let entries = Mutex<[Key: Entry]>([:])

    func get(_ key: Key) -> Entry? { entries.withLock { $0[key] } }

    /// Keeps `definition` (parsed from the stored source of `key`) and returns its entry.
    @discardableResult
    func put(_ key: Key, _ definition: ProcessDefinition) -> Entry {
        let entry = Entry(definition)
        entries.withLock { $0[key] = entry }
        return entry
    }
}
