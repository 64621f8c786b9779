// The ETA math: pure, driven by timestamps it is given, so tests can feed it synthetic clocks.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Glibc

/// Predicts a job's remaining time from its plan and the progress reported so far.
///
/// - The **current pass** is predicted from its own measured rate (``PassRateWindow``), blended in
///   from the cost model as the pass proves itself (fully its own after `trustSeconds` or
///   `trustFraction` of it).
/// - **Passes still to come** are predicted by a ``CostModel`` fitted to every pass measured so far
///   in this run (finished ones and the current one), from each pass's bytes-per-unit and
///   entries-per-unit hints. No fixed weights.
/// - The predicted **total** duration is exponentially smoothed, so the remaining time counts down
///   steadily instead of jumping with every sample. The time constant grows with the current pass
///   (`smoothingPassFraction` of its age, between `minimumSmoothingSeconds` and `smoothingSeconds`): a prediction made from a second
///   of a pass must not hold back one made from ten. (A fixed 3 s held a salvage's first figure, 26%
///   off, for seconds after the measured rate had corrected it.)
/// - The estimate is **uncertain** (no figure) until something measured can back it: the current pass
///   has run `warmupSeconds` or `warmupFraction` of its units (and at least `minimumSeconds`), or
///   finished passes have been timed for `calibrationSeconds` in all.
public struct ETAEstimator: Sendable {
    /// Tuning; the defaults suit passes of seconds to hours.
    public struct Configuration: Sendable {
        /// A pass's own rate counts after this many seconds of it…
        public var warmupSeconds = 2.0
        /// …or after this share of its units,
        public var warmupFraction = 0.03
        /// …or, for a pass measured alone (its rate is all there is), this share: such a pass (a copy)
        /// warms up over its first seconds (caches, read-ahead, write-behind), and 3% of a 12 s copy
        /// came at 1 s, while it still ran at half speed: its first figure was 28–68% off.
        public var aloneWarmupFraction = 0.20
        /// …but never before this many seconds (half a second was too little: the first figure of a
        /// many-directories salvage's copy was 26% off).
        public var minimumSeconds = 1.0
        /// Finished passes timed this long in all back the cost model's figure for a pass too young
        /// to be trusted on its own rate.
        public var calibrationSeconds = 1.0
        /// The current pass is predicted from its own rate alone after this many seconds…
        public var trustSeconds = 8.0
        /// …or this share of its units; before that, partly from the cost model.
        public var trustFraction = 0.10
        /// Time constant of the smoothing of the predicted total, in seconds, at most…
        public var smoothingSeconds = 3.0
        /// …and at most this share of the current pass's age…
        public var smoothingPassFraction = 0.25
        /// …but at least this many seconds (steadiness when the pass is young).
        public var minimumSmoothingSeconds = 0.75
        /// The current pass's rate is measured over this share of it, the most recent part…
        public var rateWindowFraction = 0.25
        /// …but over at least this many seconds (2 s kept a copy's slow first second in its first
        /// figures: see `aloneWarmupFraction`).
        public var rateWindowSeconds = 1.0
        /// What the cost model assumes before anything is measured.
        public var prior = CostModel.prior

        /// The defaults the CLI uses.
        public init() {}
    }

    private struct Measured: Sendable {
        var start: Double
        var end: Double?
        var done: UInt64
    }

    /// The plan, with each pass's units as last declared by ``beginPass(_:units:at:)``.
    public private(set) var plan: [PassPlan]
    /// The cost model as last fitted (the prior until something is measured).
    public private(set) var model: CostModel
    /// How the estimator trusts measurements and smooths its prediction.
    public let configuration: Configuration

    private let startTime: Double
    private var measured: [Measured?]
    private var current: Int?
    private var window: PassRateWindow?
    private var smoothedTotal: Double?
    private var smoothedAt = 0.0
    private var lastFraction = 0.0

    /// An estimator for a job with `plan`, started at `time` (seconds on any monotonic clock).
    public init(plan: [PassPlan], startedAt time: Double, configuration: Configuration = Configuration()) {
        self.plan = plan
        self.configuration = configuration
        self.model = configuration.prior
        self.startTime = time
        self.measured = Array(repeating: nil, count: plan.count)
    }

    /// Pass `index` starts at `time` with `units` to do. Passes of the plan skipped over count as
    /// taking no time; a pass still open is closed first.
    public mutating func beginPass(_ index: Int, units: UInt64, at time: Double) {
        guard plan.indices.contains(index) else { return }
        if let open = current, open != index { endPass(open, done: measured[open]?.done ?? 0, at: time) }
        // New facts (a refined unit count, passes skipped) move the smoothed total at once: smoothing
        // is for the noise in measured rates, not for information.
        if smoothedTotal != nil {
            let frontier = measured.lastIndex { $0 != nil } ?? -1
            var shift = model.seconds(units: Double(units) - Double(plan[index].units), of: plan[index])
            for skipped in plan.indices where skipped > frontier && skipped < index && measured[skipped] == nil {
                shift -= model.seconds(units: Double(plan[skipped].units), of: plan[skipped])
            }
            smoothedTotal? += shift
        }
        plan[index].units = units
        measured[index] = Measured(start: time, end: nil, done: 0)
        current = index
        window = PassRateWindow(start: time, minimumWindow: configuration.rateWindowSeconds,
                                windowFraction: configuration.rateWindowFraction)
    }

    /// Pass `index`, not begun yet, is now expected to do `units` units of `entriesPerUnit` entries
    /// each (nil: as planned). The smoothed total moves at once by the model's price of the
    /// difference: like a refined count at ``beginPass(_:units:at:)``, it is information, not noise.
    public mutating func revisePass(_ index: Int, units: UInt64, entriesPerUnit: Double? = nil) {
        guard plan.indices.contains(index), measured[index] == nil, index > (current ?? (measured.lastIndex { $0 != nil } ?? -1)) else { return }
        let before = model.seconds(units: Double(plan[index].units), of: plan[index])
        plan[index].units = units
        if let entriesPerUnit { plan[index].entriesPerUnit = entriesPerUnit }
        smoothedTotal? += model.seconds(units: Double(units), of: plan[index]) - before
    }

    /// Pass `index` ended at `time` having done `done` units.
    public mutating func endPass(_ index: Int, done: UInt64, at time: Double) {
        guard plan.indices.contains(index), var m = measured[index] else { return }
        m.done = max(m.done, done)
        m.end = time
        measured[index] = m
        // A pass that ends short of its units takes what it did not do off the total at once.
        if smoothedTotal != nil, m.done < plan[index].units {
            smoothedTotal? -= model.seconds(units: Double(plan[index].units - m.done), of: plan[index])
        }
        if current == index {
            current = nil
            window = nil
        }
    }

    /// The estimate at `time`, with `done` units of the current pass done.
    public mutating func estimate(done: UInt64, at time: Double) -> ETAEstimate {
        let c = configuration
        let elapsed = max(0, time - startTime)
        var passFraction = 1.0
        var rate: Double?
        var currentRemaining = 0.0
        var ownTrusted = false
        var measuredAlone = false
        var doneCost = 0.0, remainingCost = 0.0
        var smoothing = c.smoothingSeconds

        if let index = current, var m = measured[index] {
            m.done = max(m.done, done)
            measured[index] = m
            window?.add(done: m.done, at: time)
        }
        model = CostModel.fitted(to: observations(at: time), prior: c.prior) ?? c.prior

        // Passes before the frontier that never began were skipped; those after it are still to come.
        let frontier = current ?? (measured.lastIndex { $0 != nil } ?? -1)
        for (i, pass) in plan.enumerated() where i != current {
            if let m = measured[i] {
                doneCost += model.seconds(units: Double(m.done), of: pass)
            } else if i > frontier {
                remainingCost += model.seconds(units: Double(pass.units), of: pass)
            }
        }
        let futureSeconds = remainingCost

        if let index = current, let m = measured[index] {
            let pass = plan[index]
            let passSeconds = time - m.start
            smoothing = min(c.smoothingSeconds, max(c.minimumSmoothingSeconds, passSeconds * c.smoothingPassFraction))
            let units = Double(pass.units), doneUnits = Double(m.done)
            passFraction = units > 0 ? min(1, doneUnits / units) : 1
            let remainingUnits = max(0, units - doneUnits)
            let modelRemaining = model.seconds(units: remainingUnits, of: pass)
            doneCost += model.seconds(units: doneUnits, of: pass)
            remainingCost += modelRemaining
            rate = window?.rate(done: m.done, at: time)
            measuredAlone = pass.measuredAlone
            ownTrusted = passSeconds >= c.minimumSeconds
                && (passSeconds >= c.warmupSeconds || passFraction >= (measuredAlone ? c.aloneWarmupFraction : c.warmupFraction))
            if let rate, rate > 0, ownTrusted {
                let trust = measuredAlone ? 1 : min(1, max(passSeconds / c.trustSeconds, passFraction / c.trustFraction))
                currentRemaining = trust * (remainingUnits / rate) + (1 - trust) * modelRemaining
            } else {
                currentRemaining = modelRemaining
            }
        }

        let rawTotal = elapsed + currentRemaining + futureSeconds
        let calibrated = finishedSeconds() >= c.calibrationSeconds
        var eta: Double?
        var candidate: Double
        // A pass measured alone (and the whole job while one is still ahead) has no figure until the
        // pass's own rate is trusted: nothing measured so far can price it. Smoothing then starts afresh
        // from that rate instead of from a total the unrelated prior produced.
        let aloneAhead = plan.indices.contains { $0 > frontier && $0 != current && plan[$0].measuredAlone && measured[$0] == nil }
        let waitingForOwnRate = (measuredAlone && !ownTrusted) || aloneAhead
        if waitingForOwnRate { smoothedTotal = nil }
        if !waitingForOwnRate && (ownTrusted || calibrated) && elapsed >= c.minimumSeconds {
            var total = rawTotal
            if let previous = smoothedTotal {
                let alpha = 1 - exp(-max(0, time - smoothedAt) / smoothing)
                total = previous + alpha * (rawTotal - previous)
            }
            total = max(total, elapsed)
            smoothedTotal = total
            smoothedAt = time
            eta = total - elapsed
            candidate = total > 0 ? elapsed / total : 0
        } else {
            let all = doneCost + remainingCost
            candidate = all > 0 ? doneCost / all : 0
        }
        // Monotonic, and short of 1 until the job says it completed.
        lastFraction = max(lastFraction, min(candidate, 0.999))
        return ETAEstimate(elapsedSeconds: elapsed, etaSeconds: eta, fraction: lastFraction,
                           passFraction: passFraction, unitsPerSecond: rate)
    }

    /// The final estimate: nothing left if `completed`, otherwise the job stopped where it was.
    public mutating func finish(completed: Bool, done: UInt64, at time: Double) -> ETAEstimate {
        var e = estimate(done: done, at: time)
        if completed {
            lastFraction = 1
            e.fraction = 1
            e.etaSeconds = 0
        } else {
            e.etaSeconds = nil
        }
        return e
    }

    /// Every pass measured so far as (bytes, entries, seconds), the current one up to `time`.
    private func observations(at time: Double) -> [CostModel.Observation] {
        plan.indices.compactMap { i in
            guard let m = measured[i] else { return nil }
            let pass = plan[i]
            let units = Double(m.done)
            return CostModel.Observation(bytes: units * pass.bytesPerUnit, entries: units * pass.entriesPerUnit,
                                         seconds: (m.end ?? time) - m.start)
        }
    }

    /// Seconds spent in passes that have finished.
    private func finishedSeconds() -> Double {
        measured.reduce(0) { sum, m in
            guard let m, let end = m.end, m.done > 0 else { return sum }
            return sum + (end - m.start)
        }
    }
}

