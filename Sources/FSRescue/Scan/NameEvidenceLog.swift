// The name evidence a scan gathers, from every source through one seam.

/// Every name the scan finds for inodes that may lack one, whatever its source: entries naming
/// inodes not in use and stale entries (pass 2), ownerless directory blocks (pass 2B), and each
/// ``NameEvidenceSource`` read after them (the journal). Bounded: past ``limit`` entries, more
/// evidence is dropped (a crafted image could otherwise fill memory with names).
struct NameEvidenceLog {
    /// Entries kept at most.
    static let limit = 4_000_000

    private(set) var entries: [NameEvidence] = []

    /// No more evidence is kept.
    var isFull: Bool { entries.count >= Self.limit }

    /// Keeps `evidence` unless the log is full.
    mutating func record(_ evidence: NameEvidence) {
        guard !isFull else { return }
        entries.append(evidence)
    }

    /// Hands the evidence on, leaving the log empty.
    mutating func take() -> [NameEvidence] {
        defer { entries = [] }
        return entries
    }
}

/// A source of name evidence read once pass 2 knows which in-use inodes no live entry names, beside
/// what the passes record as they read directory blocks. The journal's history is one
/// (``JournalNameEvidence``); a new source is one more conforming type, added to
/// ``ScanRun/nameEvidenceSources()``.
protocol NameEvidenceSource {
    /// Records in `log` the names this source holds for `wanted`, stopping early when `cancelled`
    /// says so; returns the blocks it read (its units of work).
    func collect(for wanted: Set<UInt32>, into log: inout NameEvidenceLog, cancelled: () -> Bool) -> UInt64
}
