// SIGINT/SIGTERM request cancellation, a second SIGINT quits at once, SIGUSR1 prints a status line.
import Foundation
import Synchronization
import Testing
@testable import FSRescue

/// Waits (up to 10 s, polling) for `condition`: signal delivery is asynchronous.
private func eventually(_ condition: () -> Bool) -> Bool {
    for _ in 0..<1000 {
        if condition() { return true }
        usleep(10_000)
    }
    return condition()
}

@Suite("Progress signals", .serialized)
struct ProgressSignalTests {
    @Test func firstInterruptCancelsSecondQuits() {
        let pipe = DrainedPipe()
        let engine = ProgressEngine(renderers: [], samplingInterval: nil, statusFD: pipe.writeFD)
        let exits = Mutex<[Int32]>([])
        let handling = SignalHandling(engine: engine) { code in exits.withLock { $0.append(code) } }
        handling.handle(SIGINT)
        #expect(engine.cancellationRequested)
        #expect(exits.withLock { $0 }.isEmpty)
        handling.handle(SIGINT)
        #expect(exits.withLock { $0 } == [32])
        let text = pipe.finish()
        #expect(text.contains("partial report"))
        #expect(text.contains("quitting at once"))
    }

    @Test func terminateCancels() {
        let pipe = DrainedPipe()
        let engine = ProgressEngine(renderers: [], samplingInterval: nil, statusFD: pipe.writeFD)
        SignalHandling(engine: engine) { _ in Issue.record("SIGTERM must not exit at once") }.handle(SIGTERM)
        #expect(engine.cancellationRequested)
        _ = pipe.finish()
    }

    @Test func realSignalsReachTheEngine() {
        let pipe = DrainedPipe()
        let engine = ProgressEngine(renderers: [], samplingInterval: nil, statusFD: pipe.writeFD)
        engine.start(plan: threePassPlan)
        engine.beginPass(0, units: 400)
        engine.update(done: 40)
        let handling = SignalHandling.install(for: engine)
        // Process-directed, as from the shell: the test's own thread (a Dispatch worker) blocks signals.
        kill(getpid(), SIGUSR1)
        kill(getpid(), SIGTERM)
        #expect(eventually { engine.cancellationRequested && pipe.textSoFar.contains("Pass 1") })
        handling.uninstall()
        let text = pipe.finish()
        #expect(text.contains("fsrescue: [1/3] Pass 1: inodes: 40 of 400 (10.0%)"))
    }

    /// Both ends of the signal pipe are closed when `uninstall()` returns, not whenever Dispatch gets
    /// to the cancel handler: nothing is left open behind a finished command, and teardown runs the
    /// same code on every run. (The pipe is told apart by its inode: a closed descriptor's number
    /// may be reused at once by another test.)
    @Test func uninstallClosesThePipeBeforeReturning() throws {
        let pipe = DrainedPipe()
        let engine = ProgressEngine(renderers: [], samplingInterval: nil, statusFD: pipe.writeFD)
        for _ in 0..<20 {
            let handling = SignalHandling.install(for: engine)
            let fds = try #require(handling.pipeDescriptors)
            var before = stat()
            #expect(fstat(fds.read, &before) == 0)
            handling.uninstall()
            #expect(handling.pipeDescriptors == nil)
            var after = stat()
            let readEndOpen = fstat(fds.read, &after) == 0 && after.st_dev == before.st_dev && after.st_ino == before.st_ino
            #expect(!readEndOpen, "the read end of the signal pipe was still open after uninstall()")
        }
        _ = pipe.finish()
    }

    /// Releasing the last reference inside the sources' event handler (here `exitNow`, on a second
    /// SIGINT, drops it) uninstalls from the sources' own queue. That teardown must not wait for the
    /// cancel handler queued behind the running one: the wait could only time out, after a second.
    @Test func releasedInsideItsHandlerDoesNotWaitForItself() throws {
        final class Holder: Sendable { let handling = Mutex<SignalHandling?>(nil) }
        let pipe = DrainedPipe()
        let engine = ProgressEngine(renderers: [], samplingInterval: nil, statusFD: pipe.writeFD)
        let holder = Holder()
        let fds: (read: Int32, write: Int32) = try {
            let handling = SignalHandling(engine: engine) { _ in holder.handling.withLock { $0 = nil } }
            handling.install()
            holder.handling.withLock { $0 = handling }
            return try #require(handling.pipeDescriptors)
        }()
        var before = stat()
        #expect(fstat(fds.read, &before) == 0)
        kill(getpid(), SIGINT)
        #expect(eventually { engine.cancellationRequested })
        let start = DispatchTime.now().uptimeNanoseconds
        kill(getpid(), SIGINT)
        let closed = eventually {
            var now = stat()
            return !(fstat(fds.read, &now) == 0 && now.st_dev == before.st_dev && now.st_ino == before.st_ino)
        }
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        #expect(closed, "the read end of the signal pipe stayed open")
        #expect(holder.handling.withLock { $0 == nil })
        #expect(seconds < 0.8, "tearing down from the handler took \(seconds) s: it waited for its own queue")
        _ = pipe.finish()
    }
}
