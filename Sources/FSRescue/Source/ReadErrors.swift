// Reads a failing disk refused: recorded as they happen (any thread), for the report and for ddrescue.
#if canImport(Glibc)
import Glibc
#endif

/// The image byte ranges whose reads failed twice (the first failure is retried once), gathered
/// from every reader: libext2fs's (through ``OverlayIOManager``), the copy thread's, fsrescue's own.
public final class ReadErrors: @unchecked Sendable {
    private let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()
    private var ranges: [Range<UInt64>] = []

    deinit {
        pthread_mutex_destroy(lock)
        lock.deallocate()
    }

    func record(_ range: Range<UInt64>) {
        guard !range.isEmpty else { return }
        pthread_mutex_lock(lock)
        ranges.append(range)
        pthread_mutex_unlock(lock)
    }

    /// Every range recorded, sorted and merged.
    public var all: [Range<UInt64>] {
        pthread_mutex_lock(lock)
        let copy = ranges
        pthread_mutex_unlock(lock)
        var merged: [Range<UInt64>] = []
        for r in copy.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if let last = merged.last, r.lowerBound <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, r.upperBound)
            } else {
                merged.append(r)
            }
        }
        return merged
    }
}

/// Reads made to fail, for tests of failing disks where device-mapper is not available: the
/// environment variable `FSRESCUE_FAULT_RANGES` lists image byte ranges `START-END` (END excluded),
/// comma-separated, each optionally `:N` to fail only the first N reads touching it (a read that
/// succeeds when retried). Every read touching a range fails with `EIO` as a dying disk's would.
final class FaultInjection: @unchecked Sendable {
    private struct Fault { let range: Range<UInt64>; var failuresLeft: Int? }
    private var faults: [Fault]
    private let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()

    /// The faults `FSRESCUE_FAULT_RANGES` describes; nil when it is unset or lists none.
    static func fromEnvironment() -> FaultInjection? {
        guard let raw = getenv("FSRESCUE_FAULT_RANGES") else { return nil }
        var faults: [Fault] = []
        for item in String(cString: raw).split(separator: ",") {
            let parts = item.split(separator: ":")
            guard let range = parts.first else { continue }
            let bounds = range.split(separator: "-")
            guard bounds.count == 2, let start = UInt64(bounds[0]), let end = UInt64(bounds[1]), start < end else { continue }
            faults.append(Fault(range: start..<end, failuresLeft: parts.count > 1 ? Int(parts[1]) : nil))
        }
        return faults.isEmpty ? nil : FaultInjection(faults)
    }

    private init(_ faults: [Fault]) { self.faults = faults }

    /// Whether a read of `range` fails now (counting it against a fault that fails only N times).
    func fails(_ range: Range<UInt64>) -> Bool {
        pthread_mutex_lock(lock)
        defer { pthread_mutex_unlock(lock) }
        var hit = false
        for i in faults.indices where faults[i].range.overlaps(range) {
            if let left = faults[i].failuresLeft {
                if left > 0 { faults[i].failuresLeft = left - 1; hit = true }
            } else {
                hit = true
            }
        }
        return hit
    }
}
