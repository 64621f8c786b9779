// The progress engine: takes the job's reports, estimates, and hands events to renderers.
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The ``ProgressReporting`` implementation behind `--progress`.
///
/// The job's thread calls ``update(done:)`` as often as it likes: it is one relaxed atomic store.
/// A timer samples that number a few times a second, runs the ``ETAEstimator`` and hands update
/// events to the renderers, each as often as its ``UpdateThrottle`` allows. Pass boundaries are
/// rendered at once, on the job's thread, in order. Cancellation (``requestCancellation()``, which
/// ``SignalHandling`` calls on SIGINT/SIGTERM) is an atomic flag the job polls between units.
///
/// ```swift
/// let engine = ProgressEngine(style: .json, eventFD: 3)
/// engine.start(plan: passes)
/// engine.beginPass(0, units: inodes)
/// for … { …; engine.update(done: n); if engine.cancellationRequested { break } }
/// engine.endPass(0)
/// engine.finish(completed: !engine.cancellationRequested)
/// ```
public final class ProgressEngine: ProgressReporting, Sendable {
    private let unitsDone = Atomic<UInt64>(0)
    private let cancelled = Atomic<Bool>(false)
    private let state: Mutex<ProgressEngineState>
    private let clock: any ProgressClock
    private let configuration: ETAEstimator.Configuration
    private let samplingInterval: Double?
    private let statusFD: Int32

    /// An engine rendering to `renderers` (none: it only keeps count, for SIGUSR1 and cancellation).
    ///
    /// - Parameters:
    ///   - renderers: what shows the events: a terminal bar, NDJSON, or none.
    ///   - clock: where time comes from (tests pass a clock they set by hand).
    ///   - samplingInterval: seconds between samples by the engine's own timer; nil starts no timer,
    ///     and whoever owns the engine calls ``sample()`` (tests do, with their clock).
    ///   - statusFD: where ``reportStatus()`` writes its line (stderr).
    ///   - configuration: how the ETA estimator trusts measurements and smooths its prediction.
    public init(renderers: [any ProgressRenderer], clock: any ProgressClock = MonotonicClock(),
                samplingInterval: Double? = 0.05, statusFD: Int32 = 2,
                configuration: ETAEstimator.Configuration = ETAEstimator.Configuration()) {
        state = Mutex(ProgressEngineState(renderers: renderers))
        self.clock = clock
        self.samplingInterval = samplingInterval
        self.statusFD = statusFD
        self.configuration = configuration
    }

    deinit {
        state.withLock { $0.timer?.cancel() }
    }

    // MARK: ProgressReporting

    public func start(plan: [PassPlan]) {
        let now = clock.now()
        let needsTimer = state.withLock { s -> Bool in
            guard s.estimator == nil, !s.finished else { return false }
            s.plan = plan
            s.estimator = ETAEstimator(plan: plan, startedAt: now, configuration: configuration)
            s.emit(.start, done: 0, at: now, plan: plan)
            return !s.slots.isEmpty
        }
        if needsTimer, let interval = samplingInterval { startTimer(every: interval) }
    }

    public func beginPass(_ index: Int, units: UInt64) {
        let now = clock.now()
        state.withLock { s in
            guard !s.finished, s.estimator != nil, s.plan.indices.contains(index) else { return }
            if let open = s.current, open != index { s.end(open, done: max(unitsDone.load(ordering: .relaxed), s.lastDone), at: now) }
            unitsDone.store(0, ordering: .relaxed)
            s.plan[index].units = units
            s.estimator?.beginPass(index, units: units, at: now)
            s.current = index
            s.last = index
            s.lastDone = 0
            s.emit(.passStart, done: 0, at: now)
        }
    }

    public func revisePass(_ index: Int, units: UInt64, entriesPerUnit: Double?) {
        state.withLock { s in
            guard !s.finished, s.estimator != nil, s.plan.indices.contains(index), index > (s.last ?? -1) else { return }
            s.plan[index].units = units
            if let entriesPerUnit { s.plan[index].entriesPerUnit = entriesPerUnit }
            s.estimator?.revisePass(index, units: units, entriesPerUnit: entriesPerUnit)
        }
    }

    public func update(done: UInt64) {
        unitsDone.store(done, ordering: .relaxed)
    }

    public func endPass(_ index: Int) {
        let now = clock.now()
        state.withLock { s in
            guard !s.finished, s.current == index else { return }
            s.end(index, done: max(unitsDone.load(ordering: .relaxed), s.lastDone), at: now)
        }
    }

    public func finish(completed: Bool) {
        let now = clock.now()
        state.withLock { s in
            guard !s.finished, var estimator = s.estimator else { return }
            let done = s.current == nil ? s.lastDone : max(unitsDone.load(ordering: .relaxed), s.lastDone)
            let estimate = estimator.finish(completed: completed, done: done, at: now)
            s.estimator = estimator
            s.render(s.event(.done, done: done, estimate: estimate, completed: completed))
            s.finished = true
            s.current = nil
            s.timer?.cancel()
            s.timer = nil
        }
    }

    public var cancellationRequested: Bool {
        cancelled.load(ordering: .relaxed)
    }

    // MARK: Beyond the protocol

    /// Asks the job to stop at its next check of ``cancellationRequested``.
    public func requestCancellation() {
        cancelled.store(true, ordering: .relaxed)
    }

    /// Samples the job now and renders an update to each renderer whose throttle allows one. The
    /// engine's timer calls this; an engine made without a sampling interval relies on its owner.
    public func sample() {
        let now = clock.now()
        state.withLock { s in
            guard !s.finished, s.current != nil, var estimator = s.estimator else { return }
            let done = max(unitsDone.load(ordering: .relaxed), s.lastDone)
            s.lastDone = done
            // More work than declared (an estimate fell short): the total grows with it, as at the
            // pass's end, so `done` never passes `total`.
            if let index = s.current, s.plan.indices.contains(index), done > s.plan[index].units { s.plan[index].units = done }
            let estimate = estimator.estimate(done: done, at: now)
            s.estimator = estimator
            let due = s.slots.indices.filter { s.slots[$0].throttle.shouldRender(done: done, at: now) }
            guard !due.isEmpty else { return }
            let event = s.event(.update, done: done, estimate: estimate)
            for i in due {
                s.slots[i].renderer.render(event)
                s.slots[i].throttle.rendered(done: done, at: now)
            }
        }
    }

    /// The job as it stands now, as an update event (also before the start and after the end).
    public func snapshot() -> ProgressEvent {
        let now = clock.now()
        return state.withLock { s in
            let done = s.current == nil ? s.lastDone : max(unitsDone.load(ordering: .relaxed), s.lastDone)
            guard var estimator = s.estimator else {
                return ProgressEvent(kind: .update, pass: nil, passIndex: nil, passCount: 0, done: 0, total: 0,
                                     estimate: ETAEstimate(elapsedSeconds: 0, etaSeconds: nil, fraction: 0,
                                                           passFraction: 0, unitsPerSecond: nil))
            }
            let estimate = estimator.estimate(done: done, at: now)
            if !s.finished { s.estimator = estimator }
            return s.event(.update, done: done, estimate: estimate)
        }
    }

    /// The SIGUSR1 line: writes ``ProgressFormat/statusLine(_:)`` of ``snapshot()`` to stderr.
    public func reportStatus() {
        writeLine(ProgressFormat.statusLine(snapshot()))
    }

    /// Writes one line of text to stderr, first clearing the bar's line when stderr is a terminal
    /// (the bar redraws itself below on its next update).
    public func writeLine(_ text: String) {
        state.withLock { _ in
            var writer = FileDescriptorWriter(fd: statusFD)
            writer.write((isatty(statusFD) != 0 ? "\r" + TerminalProgressBar.clearToEnd : "") + text + "\n")
        }
    }

    private func startTimer(every interval: Double) {
        state.withLock { s in
            guard !s.finished, s.timer == nil else { return }
            let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "fsrescue.progress"))
            timer.schedule(deadline: .now() + interval, repeating: interval, leeway: .milliseconds(10))
            timer.setEventHandler { [weak self] in self?.sample() }
            timer.resume()
            s.timer = timer
        }
    }
}
