// SIGINT/SIGTERM request cancellation, a second SIGINT quits at once, SIGUSR1 prints a status line.
import Foundation
import Synchronization
import Testing
import FSRescue

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
}
