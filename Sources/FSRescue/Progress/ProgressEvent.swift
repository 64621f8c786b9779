// What renderers are given: one moment of a job, at a start, a pass boundary, an update or the end.

/// One moment of a job's progress, as renderers show it.
public struct ProgressEvent: Sendable, Equatable {
    /// What happened.
    public enum Kind: String, Sendable, CaseIterable {
        /// The job started; ``ProgressEvent/plan`` holds its passes.
        case start
        /// A pass started.
        case passStart = "pass_start"
        /// Work was done in the current pass.
        case update
        /// A pass ended.
        case passEnd = "pass_end"
        /// The job ended; ``ProgressEvent/completed`` says whether it finished its work.
        case done
    }

    /// What happened.
    public var kind: Kind
    /// The pass concerned (the current or last one), or nil before any pass began.
    public var pass: PassPlan?
    /// Its index in the plan, from 0.
    public var passIndex: Int?
    /// Passes in the plan.
    public var passCount: Int
    /// Units of the pass done.
    public var done: UInt64
    /// Units of the pass in all, as last declared.
    public var total: UInt64
    /// Fractions, elapsed time, remaining time and rate.
    public var estimate: ETAEstimate
    /// For ``Kind/done``: whether the job completed (false when it stopped early).
    public var completed: Bool?
    /// For ``Kind/start``: the job's passes.
    public var plan: [PassPlan]?

    /// An event; renderers receive these from ``ProgressEngine``.
    public init(kind: Kind, pass: PassPlan?, passIndex: Int?, passCount: Int, done: UInt64, total: UInt64,
                estimate: ETAEstimate, completed: Bool? = nil, plan: [PassPlan]? = nil) {
        self.kind = kind
        self.pass = pass
        self.passIndex = passIndex
        self.passCount = passCount
        self.done = done
        self.total = total
        self.estimate = estimate
        self.completed = completed
        self.plan = plan
    }
}
