// The units a salvage has done, counted by whichever thread did them: the walk and the copy thread.
import Synchronization

/// Work units done so far in a salvage's copy pass, added to by the main thread (per item, and the
/// bytes of items kept from an earlier run) and by the copy thread (bytes as they are written), each
/// addition reported at once to the progress reporter.
///
/// Bytes are counted as written, not as handed to the copy thread: a 512 MiB file queued in one piece
/// would otherwise show as done before its first byte was read, and the ETA of a few-huge-files salvage
/// jumped a file at a time (its error reached 53%).
final class CopyProgress: Sendable {
    private let total = Atomic<UInt64>(0)
    private let reporter: any ProgressReporting

    init(reporting reporter: any ProgressReporting) { self.reporter = reporter }

    /// Units counted so far.
    var done: UInt64 { total.load(ordering: .relaxed) }

    /// Counts `units` more and reports the new total. Two threads may report out of order by one
    /// addition; the engine keeps the highest count it has seen, so `done` never goes back.
    func add(_ units: UInt64) {
        guard units > 0 else { return }
        reporter.update(done: total.add(units, ordering: .relaxed).newValue)
    }
}
