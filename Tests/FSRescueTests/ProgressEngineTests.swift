// The engine end to end: a synthetic job reporting to it, events checked as a consumer would.
import Foundation
import Testing
import FSRescue

/// Parses NDJSON text into objects, failing the test on a line that is not a JSON object.
private func parse(_ text: String) throws -> [[String: Any]] {
    try text.split(separator: "\n").map { line in
        try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
    }
}

/// A job doing real work in small units with short sleeps, reporting as scan and salvage will.
/// Stops early, as a job must, when cancellation is requested (`cancelAfter` units into pass 2 asks for it).
private func runSyntheticJob(_ engine: ProgressEngine, plan: [PassPlan], cancelAfter: UInt64? = nil) -> Bool {
    engine.start(plan: plan)
    var checksum: UInt64 = 0
    for (index, pass) in plan.enumerated() {
        engine.beginPass(index, units: pass.units)
        for unit in 1...pass.units {
            for k in 0..<2_000 { checksum = checksum &* 31 &+ UInt64(k) ^ unit }
            usleep(1_000)
            engine.update(done: unit)
            if index == 1, unit == cancelAfter { engine.requestCancellation() }
            if engine.cancellationRequested { break }
        }
        if engine.cancellationRequested { break }
        engine.endPass(index)
    }
    let completed = !engine.cancellationRequested && checksum != 1
    engine.finish(completed: completed)
    return completed
}

private let smallPlan = [
    PassPlan(name: "inodes", title: "Pass 1: inodes", units: 150, bytesPerUnit: 256, entriesPerUnit: 1),
    PassPlan(name: "directories", title: "Pass 2: directories", units: 100, bytesPerUnit: 4096, entriesPerUnit: 20),
    PassPlan(name: "summary", title: "Pass 3: summary", units: 50, bytesPerUnit: 0, entriesPerUnit: 8),
]

/// An engine on a hand-set clock, without a timer, recording what it renders; started on `smallPlan`.
private func recordedEngine() -> (ProgressEngine, ManualClock, EventLog) {
    let clock = ManualClock()
    let log = EventLog()
    let engine = ProgressEngine(renderers: [RecordingRenderer(log: log)], clock: clock, samplingInterval: nil)
    engine.start(plan: smallPlan)
    return (engine, clock, log)
}

@Suite("Progress engine")
struct ProgressEngineTests {
    @Test func jsonStreamOfARealJob() throws {
        let pipe = DrainedPipe()
        let engine = ProgressEngine(style: .json, eventFD: pipe.writeFD)
        #expect(runSyntheticJob(engine, plan: smallPlan))
        let events = try parse(pipe.finish())

        #expect(events.allSatisfy { $0["schema"] as? String == "fsrescue.progress/1" })
        let kinds = events.compactMap { $0["event"] as? String }
        #expect(kinds.first == "start")
        #expect(kinds.last == "done")
        #expect(kinds.filter { $0 == "pass_start" }.count == 3)
        #expect(kinds.filter { $0 == "pass_end" }.count == 3)
        #expect(kinds.contains("update"))
        #expect(events.last?["completed"] as? Bool == true)

        // fraction: from 0, never down, 1 at the end.
        let fractions = events.compactMap { $0["fraction"] as? Double }
        #expect(fractions.count == events.count)
        #expect(fractions.first == 0)
        #expect(fractions.last == 1)
        #expect(zip(fractions, fractions.dropFirst()).allSatisfy { $0 <= $1 })

        // done: never down within a pass, equal to total at its end; passes in order.
        var lastDone: [Int: Int] = [:]
        var lastIndex = 0
        for e in events where e["event"] as? String != "start" {
            let index = try #require(e["pass_index"] as? Int)
            let done = try #require(e["done"] as? Int)
            #expect(index >= lastIndex)
            #expect(done >= lastDone[index, default: 0])
            if e["event"] as? String == "pass_end" { #expect(done == e["total"] as? Int) }
            lastDone[index] = done
            lastIndex = index
            #expect(e["pass_count"] as? Int == 3)
        }
        // elapsed never goes back.
        let elapsed = events.compactMap { $0["elapsed_seconds"] as? Double }
        #expect(zip(elapsed, elapsed.dropFirst()).allSatisfy { $0 <= $1 })
    }

    @Test func noneRendersNothing() {
        let pipe = DrainedPipe()
        let engine = ProgressEngine(style: .none, eventFD: pipe.writeFD)
        #expect(runSyntheticJob(engine, plan: Array(smallPlan.prefix(1))))
        #expect(pipe.finish().isEmpty)
    }

    @Test func cancellationStopsTheJobAndEndsTheStream() throws {
        let pipe = DrainedPipe()
        let engine = ProgressEngine(style: .json, eventFD: pipe.writeFD)
        #expect(!engine.cancellationRequested)
        #expect(!runSyntheticJob(engine, plan: smallPlan, cancelAfter: 10))
        #expect(engine.cancellationRequested)
        let events = try parse(pipe.finish())
        let last = try #require(events.last)
        #expect(last["event"] as? String == "done")
        #expect(last["completed"] as? Bool == false)
        #expect(last["pass"] as? String == "directories")
        #expect(last["done"] as? Int == 10)
        #expect(try #require(last["fraction"] as? Double) < 1)
        #expect(last["eta_seconds"] is NSNull)
        #expect(!events.contains { $0["pass"] as? String == "summary" })
    }

    @Test func updatesAreThrottledByTheClock() {
        let (engine, clock, log) = recordedEngine()
        engine.beginPass(0, units: 150)
        for unit in 1...40 {               // 40 units over 2.5 s, sampled every 1/16 s
            clock.advance(0.0625)
            engine.update(done: UInt64(unit))
            engine.sample()
        }
        let updates = log.all.filter { $0.kind == .update }
        #expect(updates.map(\.done) == [4, 8, 12, 16, 20, 24, 28, 32, 36, 40])   // one per 0.25 s
        clock.advance(0.5)
        engine.sample()                    // nothing new, before the heartbeat: nothing rendered
        #expect(log.all.filter { $0.kind == .update }.count == 10)
        clock.advance(0.5)
        engine.sample()                    // heartbeat: the clock moves on a stalled pass
        #expect(log.all.filter { $0.kind == .update }.count == 11)
    }

    @Test("a pass that finds more work than declared: its total grows, done never passes it")
    func overrunRaisesTheTotal() {
        let (engine, clock, log) = recordedEngine()
        engine.beginPass(0, units: 10)
        for unit in stride(from: 5, through: 30, by: 5) {
            clock.advance(0.3)
            engine.update(done: UInt64(unit))
            engine.sample()
        }
        engine.endPass(0)
        let updates = log.all.filter { $0.kind == .update }
        #expect(updates.map(\.done).last == 30)
        #expect(log.all.allSatisfy { $0.done <= $0.total }, "\(log.all.map { ($0.done, $0.total) })")
        #expect(log.all.last { $0.kind == .passEnd }?.total == 30)
    }

    @Test func boundariesArriveInOrderWhateverTheThrottle() {
        let (engine, _, log) = recordedEngine()
        engine.beginPass(0, units: 3)
        engine.update(done: 3)
        engine.endPass(0)
        engine.beginPass(1, units: 0)      // nothing to do: still reported
        engine.endPass(1)
        engine.beginPass(2, units: 1)
        engine.update(done: 1)
        engine.sample()                    // too soon after pass_start: no update
        engine.endPass(2)
        engine.finish(completed: true)
        engine.finish(completed: false)    // only the first finish counts
        engine.update(done: 9)
        engine.sample()
        #expect(log.kinds == [.start, .passStart, .passEnd, .passStart, .passEnd, .passStart, .passEnd, .done])
        #expect(log.all.last?.completed == true)
        #expect(log.all.last?.estimate.fraction == 1)
        #expect(log.all[2].done == 3)
    }

    @Test func statusLineDescribesTheCurrentPass() {
        let clock = ManualClock()
        let pipe = DrainedPipe()
        let engine = ProgressEngine(renderers: [], clock: clock, samplingInterval: nil, statusFD: pipe.writeFD)
        engine.start(plan: Array(smallPlan.prefix(2)))
        engine.beginPass(1, units: 100)
        clock.advance(3)
        engine.update(done: 30)
        engine.reportStatus()
        let text = pipe.finish()
        #expect(text.hasPrefix("fsrescue: [2/2] Pass 2: directories: 30 of 100 (30.0%), job "))
        #expect(text.hasSuffix(" elapsed, ETA " + ProgressFormat.duration(7) + "\n"))
        #expect(text.filter { $0 == "\n" }.count == 1)
    }
}
