import Synchronization

/// Instances as this process last committed them, by tenant and id: what lets an event that only moves its instance
/// be applied in one statement (`Runtime.applyFromCache`). An entry may be stale — another process, or a
/// transaction of this one, may have changed the instance since — and that is safe: the statement applies only at
/// the revision the entry holds. Entries go when an instance is saved (and come back once its transaction commits)
/// and when an attempt finds them stale.
final class InstanceCache: Sendable {
    struct Key: Hashable {
        var tenant: String
        var instance: String
    }

    /// Enough for the instances being worked on at once; beyond it, entries are dropped in no particular order.
    let capacity: Int
    private let entries = Mutex<[Key: StoredInstance]>([:])

    init(capacity: Int = 10_000) {
        self.capacity = capacity
    }

    func get(tenant: String, instance: String) -> StoredInstance? {
        entries.withLock { $0[Key(tenant: tenant, instance: instance)] }
    }

    func put(tenant: String, _ stored: StoredInstance) {
        entries.withLock { entries in
            if entries.count >= capacity, let any = entries.keys.first { entries[any] = nil }
            entries[Key(tenant: tenant, instance: stored.state.id)] = stored
        }
    }

    func remove(tenant: String, instance: String) {
        _ = entries.withLock { $0.removeValue(forKey: Key(tenant: tenant, instance: instance)) }
    }
}
