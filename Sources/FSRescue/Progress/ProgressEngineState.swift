// The progress engine's state, kept under its lock: the plan, the estimator, the renderers.
import Dispatch

/// Everything ``ProgressEngine`` changes under its lock. Rendering happens here too, so events reach
/// each renderer in order and one at a time.
struct ProgressEngineState {
    struct Slot {
        var renderer: any ProgressRenderer
        var throttle: UpdateThrottle
    }

    var slots: [Slot]
    var plan: [PassPlan] = []
    var estimator: ETAEstimator?
    /// The pass running now, if any.
    var current: Int?
    /// The pass that began last (events between passes and at the end describe it).
    var last: Int?
    /// The highest count seen for the current (or last) pass.
    var lastDone: UInt64 = 0
    var finished = false
    var timer: (any DispatchSourceTimer)?

    init(renderers: [any ProgressRenderer]) {
        slots = renderers.map { Slot(renderer: $0, throttle: $0.throttle) }
    }

    /// Closes pass `index` with `done` units and renders its `pass_end`.
    mutating func end(_ index: Int, done: UInt64, at time: Double) {
        // More work than declared (an estimate fell short): the pass's total is what it really did.
        if plan.indices.contains(index), done > plan[index].units { plan[index].units = done }
        estimator?.endPass(index, done: done, at: time)
        lastDone = done
        emit(.passEnd, done: done, at: time)
        current = nil
    }

    /// Estimates at `time` and renders a boundary event of `kind` to every renderer.
    mutating func emit(_ kind: ProgressEvent.Kind, done: UInt64, at time: Double, plan: [PassPlan]? = nil) {
        guard var estimator else { return }
        let estimate = estimator.estimate(done: done, at: time)
        self.estimator = estimator
        render(event(kind, done: done, estimate: estimate, plan: plan))
        for i in slots.indices { slots[i].throttle.rendered(done: done, at: time) }
    }

    mutating func render(_ event: ProgressEvent) {
        for i in slots.indices { slots[i].renderer.render(event) }
    }

    func event(_ kind: ProgressEvent.Kind, done: UInt64, estimate: ETAEstimate,
               completed: Bool? = nil, plan: [PassPlan]? = nil) -> ProgressEvent {
        let pass = last.map { self.plan[$0] }
        return ProgressEvent(kind: kind, pass: pass, passIndex: last, passCount: self.plan.count, done: done,
                             total: pass?.units ?? 0, estimate: estimate, completed: completed, plan: plan)
    }
}
