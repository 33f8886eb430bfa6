import NIOCore
import Synchronization

/// Runs a task's jobs on one SwiftNIO event loop: the loop of the connection a transaction uses. The transaction's
/// code and its connection's I/O then share a thread, so every statement's answer resumes the transaction where it
/// arrived instead of hopping to Swift's global executor and back (two thread switches per round trip).
///
/// Use `EventLoopExecutor.for(_:)`: Swift's runtime skips the hop into a preferred executor only when the task
/// already runs on that very executor object, so one loop must always give the same executor.
public final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: an EventLoop is thread-safe (`execute` may be called from any thread).
    public let loop: any EventLoop

    /// One executor per loop. Bounded: past `sharedLimit` loops (test suites make and shut down many groups) the
    /// table starts again, which only costs a hop to tasks that still hold an older executor.
    private static let shared = Mutex<[ObjectIdentifier: EventLoopExecutor]>([:])
    private static let sharedLimit = 256

    /// The executor of `loop`, the same object at every call.
    public static func `for`(_ loop: any EventLoop) -> EventLoopExecutor {
        let key = ObjectIdentifier(loop)
        return shared.withLock { executors in
            if let executor = executors[key] { return executor }
            if executors.count >= sharedLimit { executors.removeAll() }
            let executor = EventLoopExecutor(loop)
            executors[key] = executor
            return executor
        }
    }

    private init(_ loop: any EventLoop) {
        self.loop = loop
    }

    /// Runs `operation` with the executor of `loop` preferred, as `withTaskExecutorPreference` does, without
    /// pushing the preference again when the task prefers that executor already (a preference is a record on the
    /// task's status, added and removed under the task's lock: about 2 % of the runtime's CPU per event).
    public static func prefer<Result>(
        _ loop: any EventLoop, isolation: isolated (any Actor)? = #isolation,
        _ operation: () async throws -> Result
    ) async throws -> Result {
        let executor = EventLoopExecutor.for(loop)
        let current = withUnsafeCurrentTask { $0?.unownedTaskExecutor }
        if current == executor.asUnownedTaskExecutor() { return try await operation() }
        return try await withTaskExecutorPreference(executor, isolation: isolation, operation: operation)
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
