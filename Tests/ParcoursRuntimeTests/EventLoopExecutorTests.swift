import NIOCore
import NIOPosix
import Testing

@testable import ParcoursRuntime

@Suite("Event-loop executors")
struct EventLoopExecutorTests {
    @Test func oneExecutorPerLoop() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let first = group.next()
        let second = group.next()
        #expect(EventLoopExecutor.for(first) === EventLoopExecutor.for(first))
        #expect(EventLoopExecutor.for(first) !== EventLoopExecutor.for(second))
        try await group.shutdownGracefully()
    }

    @Test func preferRunsOnTheLoopWhateverTheTaskPreferredBefore() async throws {
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 2)
        let first = group.next()
        let second = group.next()
        // From a task without a preference: the preference is pushed, then gone again.
        let onLoop = try await EventLoopExecutor.prefer(first) { first.inEventLoop }
        #expect(onLoop)
        #expect(withUnsafeCurrentTask { $0?.unownedTaskExecutor } == nil)
        // From a task that prefers that loop already (nothing pushed), and from one that prefers another loop.
        try await withTaskExecutorPreference(EventLoopExecutor.for(first)) {
            let same = try await EventLoopExecutor.prefer(first) { first.inEventLoop }
            #expect(same)
            let other = try await EventLoopExecutor.prefer(second) { second.inEventLoop && !first.inEventLoop }
            #expect(other)
            // Back on the task's own preference once the other loop's operation is done.
            #expect(
                withUnsafeCurrentTask { $0?.unownedTaskExecutor }
                    == EventLoopExecutor.for(first).asUnownedTaskExecutor())
            await Task.yield()
            #expect(first.inEventLoop)
        }
        try await group.shutdownGracefully()
    }

    @Test func preferPassesErrorsOn() async throws {
        struct Refused: Error {}
        let group = MultiThreadedEventLoopGroup(numberOfThreads: 1)
        let loop = group.next()
        await #expect(throws: Refused.self) {
            try await EventLoopExecutor.prefer(loop) { throw Refused() }
        }
        _ = await withTaskExecutorPreference(EventLoopExecutor.for(loop)) {
            await #expect(throws: Refused.self) {
                try await EventLoopExecutor.prefer(loop) { throw Refused() }
            }
        }
        try await group.shutdownGracefully()
    }
}
