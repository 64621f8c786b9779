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
}
