// Running a job that declares its own passes (a scan) as the first part of a longer job (a salvage).

/// Forwards a sub-job's reports to `target` as the first passes of a longer job: its
/// `start(plan:)` is extended with `laterPasses`, and its `finish(completed: true)` is held back so
/// the later passes can follow (an early stop is forwarded at once).
public final class ChainedProgress: ProgressReporting, @unchecked Sendable {
    private let target: any ProgressReporting
    private let laterPasses: [PassPlan]
    /// Passes the sub-job declared: the index of the first later pass.
    public private(set) var firstLaterPass = 0

    /// Reports to `target`, with `laterPasses` appended to the plan the sub-job declares.
    public init(_ target: any ProgressReporting, then laterPasses: [PassPlan]) {
        self.target = target
        self.laterPasses = laterPasses
    }

    public func start(plan: [PassPlan]) {
        firstLaterPass = plan.count
        target.start(plan: plan + laterPasses)
    }
    public func beginPass(_ index: Int, units: UInt64) { target.beginPass(index, units: units) }
    public func revisePass(_ index: Int, units: UInt64, entriesPerUnit: Double?) {
        target.revisePass(index, units: units, entriesPerUnit: entriesPerUnit)
    }
    public func update(done: UInt64) { target.update(done: done) }
    public func endPass(_ index: Int) { target.endPass(index) }
    public func finish(completed: Bool) { if !completed { target.finish(completed: false) } }
    public var cancellationRequested: Bool { target.cancellationRequested }
}
