// The contract between long-running work (scan passes, salvage, extract) and whoever shows progress.

/// One pass of a job, declared before the job starts so the whole job's remaining time can be estimated.
///
/// A *unit* is whatever the pass counts (inodes, directory blocks, files, bytes). The cost hints let a
/// progress engine predict a pass before it has measured it: how many bytes it reads and how many
/// entries it parses per unit.
public struct PassPlan: Sendable, Equatable {
    /// Short machine name, for example `inodes`, `directories`, `copy`.
    public let name: String
    /// Human title, for example `Pass 1: inodes`.
    public let title: String
    /// Units expected (refined by ``ProgressReporting/beginPass(_:units:)`` when known better).
    public var units: UInt64
    /// Expected bytes read from the image per unit.
    public var bytesPerUnit: Double
    /// Expected entries parsed per unit (inodes, directory entries, extents).
    public var entriesPerUnit: Double
    /// The pass's work differs in kind from the passes before it (copying and writing, after passes
    /// that only read), so their measured costs cannot predict it: the job's ETA is reported uncertain
    /// (the fraction still advances) until this pass has measured its own rate, and then rests on that
    /// rate alone.
    public var measuredAlone: Bool

    /// A pass of `units` units, each reading about `bytesPerUnit` bytes and parsing `entriesPerUnit` entries.
    public init(name: String, title: String, units: UInt64, bytesPerUnit: Double, entriesPerUnit: Double,
                measuredAlone: Bool = false) {
        self.name = name
        self.title = title
        self.units = units
        self.bytesPerUnit = bytesPerUnit
        self.entriesPerUnit = entriesPerUnit
        self.measuredAlone = measuredAlone
    }
}

/// Receives work reports from a job. Calls come from the job's thread, in this order:
/// `start(plan:)`, then for each pass `beginPass`, any number of `update`, `endPass`; finally `finish`.
/// `update` is on the hot path: implementations must make it cheap (store a number, render elsewhere),
/// and safe to call from another of the job's threads (salvage's copy thread counts the bytes it
/// writes), where two counts may arrive out of order: keep the highest.
public protocol ProgressReporting: AnyObject, Sendable {
    /// The job's passes, in order, before any starts.
    func start(plan: [PassPlan])
    /// Pass `index` of the plan starts; `units` is its total as known now.
    func beginPass(_ index: Int, units: UInt64)
    /// A pass still to come is now expected to do `units` units, each parsing `entriesPerUnit`
    /// entries (nil: as planned): what an earlier pass learned revises the plan before that pass
    /// starts (``beginPass(_:units:)`` gives its final total).
    func revisePass(_ index: Int, units: UInt64, entriesPerUnit: Double?)
    /// Units done so far in the current pass (cumulative, never decreasing).
    func update(done: UInt64)
    /// Pass `index` is complete.
    func endPass(_ index: Int)
    /// The job is over (`completed` false when it stopped early, for example on cancellation).
    func finish(completed: Bool)
    /// True once the user asked to stop (SIGINT/SIGTERM); jobs check it between units and stop cleanly.
    var cancellationRequested: Bool { get }
}

extension ProgressReporting {
    /// Ignores the revision: reporters that estimate nothing need not implement it.
    public func revisePass(_ index: Int, units: UInt64, entriesPerUnit: Double?) {}

    /// Revises a pass still to come to `units` units, its cost per unit as planned.
    public func revisePass(_ index: Int, units: UInt64) { revisePass(index, units: units, entriesPerUnit: nil) }
}

/// Reports nowhere and never cancels: the default for library callers that want no progress.
public final class NoProgress: ProgressReporting {
    /// Reports to nobody.
    public init() {}
    public func start(plan: [PassPlan]) {}
    public func beginPass(_ index: Int, units: UInt64) {}
    public func update(done: UInt64) {}
    public func endPass(_ index: Int) {}
    public func finish(completed: Bool) {}
    public var cancellationRequested: Bool { false }
}
