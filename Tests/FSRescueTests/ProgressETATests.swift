// The ETA math, fed synthetic jobs on a synthetic clock: no sleeping, no timing flakiness.
import Foundation
import Testing
import FSRescue

/// What an estimator said at one moment of a synthetic job.
private struct Reading {
    var time: Double
    var estimate: ETAEstimate
}

/// Runs a synthetic job through an estimator in steps of `step` seconds. Pass `i` takes
/// `secondsPerUnit[i]` a unit, times `jitter(t)` (1 for a steady job). Returns the readings and the
/// job's real duration.
private func simulate(_ plan: [PassPlan], secondsPerUnit: [Double], step: Double = 0.1,
                      configuration: ETAEstimator.Configuration = .init(),
                      jitter: (Double) -> Double = { _ in 1 }) -> (readings: [Reading], total: Double) {
    var estimator = ETAEstimator(plan: plan, startedAt: 0, configuration: configuration)
    var readings: [Reading] = []
    var t = 0.0
    for (i, pass) in plan.enumerated() {
        estimator.beginPass(i, units: pass.units, at: t)
        var done = 0.0
        while done < Double(pass.units) {
            t += step
            done = min(Double(pass.units), done + step / (secondsPerUnit[i] * jitter(t)))
            readings.append(Reading(time: t, estimate: estimator.estimate(done: UInt64(done), at: t)))
        }
        estimator.endPass(i, done: pass.units, at: t)
    }
    readings.append(Reading(time: t, estimate: estimator.finish(completed: true, done: plan.last?.units ?? 0, at: t)))
    return (readings, t)
}

/// |elapsed + eta − total| / total for every reading with a figure after the first 10% of the job.
private func errors(_ run: (readings: [Reading], total: Double)) -> [Double] {
    run.readings.filter { $0.time >= 0.1 * run.total }.compactMap { r in
        r.estimate.etaSeconds.map { abs(r.time + $0 - run.total) / run.total }
    }
}

private func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

@Suite("Progress ETA")
struct ProgressETATests {
    /// A disk whose byte and entry costs are in a ratio unlike the prior's (a byte a third of the
    /// prior's price against an entry), so the fit has to learn it.
    static let truth = CostModel(secondsPerByte: 3e-3 * CostModel.prior.secondsPerByte / CostModel.prior.secondsPerEntry / 3,
                                 secondsPerEntry: 3e-3)
    static var truthPerUnit: [Double] { threePassPlan.map { truth.seconds(units: 1, of: $0) } }

    @Test func uncertainAtFirstThenAFigure() {
        var estimator = ETAEstimator(plan: [threePassPlan[0]], startedAt: 0)
        estimator.beginPass(0, units: 1000, at: 0)
        // 0.3 s in, 2% done: no figure.
        #expect(estimator.estimate(done: 20, at: 0.3).isUncertain)
        // 1.5 s in, 1.5% done (a slow start): still none.
        #expect(estimator.estimate(done: 15, at: 1.5).isUncertain)
        // 2 s in: the pass's own rate is trusted.
        let e = estimator.estimate(done: 20, at: 2.0)
        #expect(!e.isUncertain)
    }

    @Test func steadyPassCountsDownExactly() throws {
        let plan = [PassPlan(name: "copy", title: "Copying", units: 1000, bytesPerUnit: 1, entriesPerUnit: 0)]
        let run = simulate(plan, secondsPerUnit: [0.02])
        let errs = errors(run)
        #expect(!errs.isEmpty)
        #expect(try #require(errs.max()) < 0.02)
    }

    @Test func laterPassesArePredictedFromTheFittedModel() {
        let run = simulate(threePassPlan, secondsPerUnit: Self.truthPerUnit)
        let errs = errors(run)
        #expect(errs.count > 100)
        #expect(median(errs) <= 0.10)
        #expect(errs.max()! <= 0.25)
    }

    @Test("a pass measured alone (the copy after a scan) has no figure until its own rate, then no wild one")
    func measuredAlonePass() {
        // Two read passes (half the job), then a copy costing 10x what their fitted costs predict for it.
        let read = PassPlan(name: "inodes", title: "Pass 1", units: 2000, bytesPerUnit: 256, entriesPerUnit: 1)
        let dirs = PassPlan(name: "dirs", title: "Pass 2", units: 500, bytesPerUnit: 4096, entriesPerUnit: 40)
        let copy = PassPlan(name: "copy", title: "Copying", units: 200, bytesPerUnit: 4096, entriesPerUnit: 1,
                            measuredAlone: true)
        let perUnit = [Self.truth.seconds(units: 1, of: read), Self.truth.seconds(units: 1, of: dirs),
                       10 * Self.truth.seconds(units: 1, of: copy)]
        let run = simulate([read, dirs, copy], secondsPerUnit: perUnit)
        let copyStart = run.total - 200 * perUnit[2]
        // The copy's first second: uncertain, although earlier passes were timed.
        let early = run.readings.filter { $0.time > copyStart + 0.05 && $0.time < copyStart + 1 }
        #expect(!early.isEmpty && early.allSatisfy { $0.estimate.isUncertain })
        let errs = errors(run)
        #expect(errs.count > 100)
        #expect(median(errs) <= 0.10)
        #expect(errs.max()! <= 0.25)
        #expect(copyStart > 0.3 * run.total)

        // Without measuredAlone the same job shows the model's figure at the switch, far off.
        var unmarked = copy
        unmarked.measuredAlone = false
        let naive = errors(simulate([read, dirs, unmarked], secondsPerUnit: perUnit))
        #expect(naive.max()! > 0.25)
    }

    @Test func jitterDoesNotShakeTheFigure() {
        // The rate swings ±40% every few tenths of a second.
        let run = simulate(threePassPlan, secondsPerUnit: Self.truthPerUnit) { t in 1 + 0.4 * sin(t * 7) }
        let errs = errors(run)
        #expect(median(errs) <= 0.10)
        #expect(errs.max()! <= 0.25)
        // The predicted end (elapsed + eta) moves less than 10% of the job in any one second.
        let figures = run.readings.compactMap { r in r.estimate.etaSeconds.map { (r.time, r.time + $0) } }
        for (a, b) in zip(figures, figures.dropFirst()) where b.0 - a.0 > 0 {
            #expect(abs(b.1 - a.1) / (b.0 - a.0) <= 0.10 * run.total, "at \(a.0)-\(b.0): \(a.1) -> \(b.1) of \(run.total)")
        }
    }

    @Test("a copy that slows after a fast start: the figure follows the slower rate within seconds")
    func fastStartThenSlower() throws {
        // As measured on cold small-files salvages: about four times faster for the first 4 s (reads and
        // writes landing in cache), then steady to the end.
        let copy = PassPlan(name: "copy", title: "Copying", units: 1000, bytesPerUnit: 1, entriesPerUnit: 0, measuredAlone: true)
        let perUnit = 0.045
        let fastStart: (Double) -> Double = { t in t < 4 ? 0.25 : 1 }
        let run = simulate([copy], secondsPerUnit: [perUnit], jitter: fastStart)
        // The settings before this change: a window of the last half of the pass (at least 4 s), 0.5 s
        // of a pass enough to trust it, a fixed 3 s smoothing.
        var old = ETAEstimator.Configuration()
        old.rateWindowFraction = 0.5
        old.rateWindowSeconds = 4
        old.minimumSeconds = 0.5
        old.calibrationSeconds = 2
        old.minimumSmoothingSeconds = 3
        let before = simulate([copy], secondsPerUnit: [perUnit], configuration: old, jitter: fastStart)
        // No estimator can see the slowdown coming; what matters is how soon the figure is right again.
        let settled = try #require(Self.settledAfter(run, within: 0.10)), settledBefore = try #require(Self.settledAfter(before, within: 0.10))
        #expect(settled <= 10, "within 10% from \(settled) s after the start (the slowdown came at 4 s)")
        #expect(settled < settledBefore - 2, "within 10% from \(settled) s; with the old settings from \(settledBefore) s")
        #expect(median(errors(run)) <= 0.05)
    }

    @Test("a copy that starts slowly (caches, read-ahead and write-behind warming up): no figure from the ramp alone")
    func slowStartThenFaster() {
        // As measured on cold salvages written behind (200,000 files in 100,000 folders, 12–14 s):
        // half speed at the start, full speed after 1.5 s, steady to the end.
        let copy = PassPlan(name: "copy", title: "Copying", units: 1000, bytesPerUnit: 1, entriesPerUnit: 0, measuredAlone: true)
        let ramp: (Double) -> Double = { t in t < 1.5 ? 2 - t / 1.5 : 1 }
        let errs = errors(simulate([copy], secondsPerUnit: [0.011], jitter: ramp))
        #expect(median(errs) <= 0.05)
        #expect(errs.max()! <= 0.10)
        // The settings before: a pass measured alone trusted at 3% of it (1 s here), its rate over 2 s.
        var old = ETAEstimator.Configuration()
        old.aloneWarmupFraction = old.warmupFraction
        old.rateWindowSeconds = 2
        let before = errors(simulate([copy], secondsPerUnit: [0.011], configuration: old, jitter: ramp))
        #expect(before.max()! > 0.25, "the old settings' worst figure was \(Int(before.max()! * 100))% off")
    }

    /// The time from which every figure of `run` is within `error` of the real total.
    fileprivate static func settledAfter(_ run: (readings: [Reading], total: Double), within error: Double) -> Double? {
        var from: Double?
        for r in run.readings {
            guard let eta = r.estimate.etaSeconds else { continue }
            if abs(r.time + eta - run.total) / run.total > error { from = nil } else if from == nil { from = r.time }
        }
        return from
    }

    @Test func fractionRisesFromZeroToOne() {
        let run = simulate(threePassPlan, secondsPerUnit: Self.truthPerUnit)
        let fractions = run.readings.map(\.estimate.fraction)
        #expect(zip(fractions, fractions.dropFirst()).allSatisfy { $0 <= $1 })
        #expect(fractions.dropLast().allSatisfy { $0 < 1 })
        #expect(fractions.last == 1)
    }

    @Test func aStoppedJobNeverReachesOne() {
        var estimator = ETAEstimator(plan: threePassPlan, startedAt: 0)
        estimator.beginPass(0, units: 400, at: 0)
        _ = estimator.estimate(done: 200, at: 3)
        let last = estimator.finish(completed: false, done: 210, at: 3.2)
        #expect(last.fraction < 1)
        #expect(last.etaSeconds == nil)
    }

    @Test func skippedPassesCostNothing() throws {
        // Pass 2 never runs (nothing to do); once pass 3 begins, only pass 3 remains.
        var estimator = ETAEstimator(plan: threePassPlan, startedAt: 0)
        estimator.beginPass(0, units: 400, at: 0)
        _ = estimator.estimate(done: 400, at: 4)
        estimator.endPass(0, done: 400, at: 4)
        estimator.beginPass(2, units: 100, at: 4)
        let e = estimator.estimate(done: 50, at: 5)
        let eta = try #require(e.etaSeconds)
        #expect(eta < 5)
    }

    @Test func refinedUnitsReplaceThePlannedOnes() {
        var estimator = ETAEstimator(plan: threePassPlan, startedAt: 0)
        estimator.beginPass(1, units: 7, at: 0)
        #expect(estimator.plan[1].units == 7)
    }

    @Test func aRevisedFuturePassMovesTheETAAtOnce() throws {
        // Pass 0 runs steadily; at 5 s the job learns that pass 2 will do 10x fewer units.
        var estimator = ETAEstimator(plan: threePassPlan, startedAt: 0)
        estimator.beginPass(0, units: threePassPlan[0].units, at: 0)
        let perUnit = Self.truthPerUnit[0]
        let before = try #require(estimator.estimate(done: UInt64(5 / perUnit), at: 5).etaSeconds)
        estimator.revisePass(2, units: threePassPlan[2].units / 10)
        #expect(estimator.plan[2].units == threePassPlan[2].units / 10)
        let after = try #require(estimator.estimate(done: UInt64(5.1 / perUnit), at: 5.1).etaSeconds)
        let saved = estimator.model.seconds(units: Double(threePassPlan[2].units) * 0.9, of: threePassPlan[2])
        // The smoothing does not spread the news over seconds: nearly all of it shows in 0.1 s.
        #expect(before - after > 0.9 * saved)
        // A pass already begun (or past) is not revised: beginPass gave its total.
        estimator.revisePass(0, units: 1)
        #expect(estimator.plan[0].units == threePassPlan[0].units)
    }

    @Test func rateWindowFollowsAChangeOfSpeed() throws {
        var window = PassRateWindow(start: 0)
        var done: UInt64 = 0
        for step in 1...200 {          // 20 s at 100 units/s
            done += 10
            window.add(done: done, at: Double(step) * 0.1)
        }
        for step in 201...400 {        // then 20 s at 10 units/s
            done += 1
            window.add(done: done, at: Double(step) * 0.1)
        }
        let rate = try #require(window.rate(done: done, at: 40))
        #expect(rate < 20)             // the cumulative average would still say 55
    }
}
