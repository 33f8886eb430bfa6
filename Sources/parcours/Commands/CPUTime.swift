import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// CPU time (user + system) of processes, for `parcours bench`: which side of a transition spends what. Linux's
/// `/proc` and `getrusage`; nil where they are missing.
enum CPUTime {
    static let ticksPerSecond: Double = {
        let ticks = sysconf(Int32(_SC_CLK_TCK))
        return ticks > 0 ? Double(ticks) : 100
    }()

    /// This process, all threads.
    static func ownProcess() -> Double { usage(RUSAGE_SELF.rawValue) }

    /// The children this process has waited for (pgbench, once it has exited).
    static func waitedChildren() -> Double { usage(RUSAGE_CHILDREN.rawValue) }

    private static func usage(_ who: __rusage_who_t) -> Double {
        var usage = rusage()
        guard getrusage(who, &usage) == 0 else { return 0 }
        func seconds(_ time: timeval) -> Double { Double(time.tv_sec) + Double(time.tv_usec) / 1e6 }
        return seconds(usage.ru_utime) + seconds(usage.ru_stime)
    }

    /// A PostgreSQL server: the postmaster (with the backends it has reaped: `cutime`, `cstime`) and every live
    /// process it started. Sampled before and after a phase, the difference is what the server spent in it, backends
    /// that ended meanwhile included.
    static func serverTree(postmaster: Int32) -> Double? {
        guard let root = stat(of: postmaster) else { return nil }
        var ticks = root.own + root.reapedChildren
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return nil }
        for entry in entries {
            guard let pid = Int32(entry), pid != postmaster, let process = stat(of: pid),
                process.parent == postmaster
            else { continue }
            ticks += process.own
        }
        return Double(ticks) / ticksPerSecond
    }

    private struct Stat {
        var parent: Int32
        var own: Int
        var reapedChildren: Int
    }

    /// Fields of `/proc/PID/stat` (proc(5)): after the command name in parentheses, the 4th is the parent; the 14th
    /// to 17th are utime, stime, cutime and cstime, in clock ticks.
    private static func stat(of pid: Int32) -> Stat? {
        guard let text = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8),
            let close = text.lastIndex(of: ")")
        else { return nil }
        let fields = text[text.index(after: close)...].split(separator: " ")
        // fields[0] is the state (field 3 of proc(5)).
        guard fields.count > 14, let parent = Int32(fields[1]), let user = Int(fields[11]),
            let system = Int(fields[12]),
            let childUser = Int(fields[13]), let childSystem = Int(fields[14])
        else { return nil }
        return Stat(parent: parent, own: user + system, reapedChildren: childUser + childSystem)
    }
}
