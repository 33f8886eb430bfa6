import Synchronization

/// Instances as this process last committed them, by tenant and id: what lets an event that only moves its instance
/// be applied in one statement (`Runtime.applyFromCache`). An entry may be stale — another process, or a
/// transaction of this one, may have changed the instance since — and that is safe: the statement applies only at
/// the revision the entry holds. Entries go when an instance is saved (and come back once its transaction commits)
/// and when an attempt finds them stale.
///
/// Bounded by count and by the size of the entries' context and output as stored; an instance larger than
/// `largestEntry` is not kept (its events take the locking path).
final class InstanceCache: Sendable {
    struct Key: Hashable {
        var tenant: String
        var instance: String
    }

    private struct Entries {
        var stored: [Key: (instance: StoredInstance, bytes: Int)] = [:]
        var bytes = 0

        mutating func remove(_ key: Key) {
            if let old = stored.removeValue(forKey: key) { bytes -= old.bytes }
        }
    }

    let capacity: Int
    let byteBudget: Int
    let largestEntry: Int
    private let entries = Mutex(Entries())

    init(capacity: Int = 10_000, byteBudget: Int = 64 << 20, largestEntry: Int = 64 << 10) {
        self.capacity = capacity
        self.byteBudget = byteBudget
        self.largestEntry = largestEntry
    }

    func get(tenant: String, instance: String) -> StoredInstance? {
        entries.withLock { $0.stored[Key(tenant: tenant, instance: instance)]?.instance }
    }

    /// Keeps `stored`, whose context and output take about `bytes` as stored; other entries go, in no particular
    /// order, while the cache is over its bounds.
    func put(tenant: String, _ stored: StoredInstance, bytes: Int) {
        let key = Key(tenant: tenant, instance: stored.state.id)
        entries.withLock { entries in
            guard bytes <= largestEntry else {
                entries.remove(key)
                return
            }
            // The usual case, an instance kept again after its event: replaced in place, with one lookup.
            if let index = entries.stored.index(forKey: key) {
                let old = entries.stored.values[index].bytes
                if entries.bytes - old + bytes <= byteBudget {
                    entries.stored.values[index] = (stored, bytes)
                    entries.bytes += bytes - old
                    return
                }
                entries.remove(key)
            }
            while !entries.stored.isEmpty
                && (entries.stored.count >= capacity || entries.bytes + bytes > byteBudget),
                let any = entries.stored.keys.first
            {
                entries.remove(any)
            }
            entries.stored[key] = (stored, bytes)
            entries.bytes += bytes
        }
    }

    func remove(tenant: String, instance: String) {
        entries.withLock { $0.remove(Key(tenant: tenant, instance: instance)) }
    }

    /// How many instances are kept, and their size.
    var usage: (count: Int, bytes: Int) { entries.withLock { ($0.stored.count, $0.bytes) } }
}
