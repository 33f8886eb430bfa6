import NIOCore

/// Runs a task's jobs on one SwiftNIO event loop: the loop of the connection a transaction uses. The transaction's
/// code and its connection's I/O then share a thread, so every statement's answer resumes the transaction where it
/// arrived instead of hopping to Swift's global executor and back (two thread switches per round trip).
public final class EventLoopExecutor: TaskExecutor, @unchecked Sendable {
    // @unchecked: an EventLoop is thread-safe (`execute` may be called from any thread).
    public let loop: any EventLoop

    public init(_ loop: any EventLoop) {
        self.loop = loop
    }

    public func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        loop.execute {
            job.runSynchronously(on: self.asUnownedTaskExecutor())
        }
    }
}
