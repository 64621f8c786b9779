// What the journal's history can bring back, as `scan --deleted` shows it (text and JSON).
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue

/// The `history` object of `fsrescue.scan/1` (present with `--deleted`).
struct HistoryDocument: Encodable {
    struct Item: Encodable {
        let kind: HistoricalFile.Kind
        /// The path it had (`#<inode>` for a directory whose name is lost; empty when unnamed).
        let path: String
        let pathReachesRoot: Bool
        let nameSource: NameSource
        let inode: UInt32
        let type: FileType
        let size: UInt64
        /// The journal transaction of the inode copy, and its commit time; absent for a deleted inode
        /// read from today's inode table (then `deleted_at` is its dtime).
        let journalSequence: UInt32?
        let journalCommitTime: Date?
        let deletedAt: Date?
        let complete: Bool
        /// Byte ranges `[start, end)` whose blocks are in use today or could not be located.
        let missingRanges: [[UInt64]]
        /// Byte ranges mapped through tree blocks nothing could prove.
        let doubtfulRanges: [[UInt64]]
    }

    /// Whether a journal was read (without one, only deleted inodes that kept their maps are listed).
    let journalRead: Bool
    let transactions: Int
    let oldestSequence: UInt32?
    let newestSequence: UInt32?
    let oldestCommit: Date?
    let newestCommit: Date?
    let journalBlocksRead: Int
    let copies: Int
    let overwrittenCopies: Int
    let deleted: Int
    let previousVersions: Int
    let complete: Int
    /// Why nothing could be brought back, when something stood in the way.
    let problem: String?
    /// Deleted files remembered whose every block was reused since: nothing of them to bring back.
    let unrecoverable: Int
    let files: [Item]

    init(_ h: HistoryReport) {
        func date(_ s: UInt64?) -> Date? { s.map { Date(timeIntervalSince1970: TimeInterval($0)) } }
        journalRead = h.journalRead
        transactions = h.transactions
        oldestSequence = h.oldestSequence
        newestSequence = h.newestSequence
        oldestCommit = date(h.oldestCommit)
        newestCommit = date(h.newestCommit)
        journalBlocksRead = h.journalBlocks
        copies = h.copies
        overwrittenCopies = h.lostCopies
        deleted = h.deleted
        previousVersions = h.previousVersions
        complete = h.complete
        problem = h.problem
        unrecoverable = h.unrecoverable
        files = h.files.map { f in
            Item(kind: f.kind, path: Self.path(f), pathReachesRoot: f.pathReachesRoot, nameSource: f.nameSource,
                        inode: f.inode.number, type: f.inode.type, size: f.size, journalSequence: f.fromJournal ? f.sequence : nil,
                        journalCommitTime: f.fromJournal && f.commitTime != 0 ? date(f.commitTime) : nil,
                        deletedAt: f.fromJournal ? nil : date(f.commitTime), complete: f.isComplete,
                        missingRanges: f.missingRanges.map { [$0.start, $0.end] },
                        doubtfulRanges: f.unverified.map { [$0.start, $0.end] })
        }
    }

    static func path(_ f: HistoricalFile) -> String {
        let text = f.path.map { String(decoding: $0, as: UTF8.self) }.joined(separator: "/")
        return f.pathReachesRoot ? "/" + text : text
    }

    /// The text lines of `scan --deleted`.
    static func text(_ h: HistoryReport) -> String {
        var out = h.journalRead ? "\nJournal history: \(h.transactions) committed transaction(s) found" : "\nDeleted files (no journal: inodes that kept their block maps)"
        if let old = h.oldestSequence, let new = h.newestSequence { out += " (\(old)–\(new)" }
        if let a = h.oldestCommit, let b = h.newestCommit { out += ", \(UTCTime.format(Int64(a))) to \(UTCTime.format(Int64(b)))" }
        if h.oldestSequence != nil { out += ")" }
        out += "; \(h.deleted) deleted file(s) and \(h.previousVersions) previous version(s) can be brought back, \(h.complete) of them complete"
        out += h.files.isEmpty ? "" : " (fsrescue salvage --deleted writes them)"
        out += h.unrecoverable > 0 ? "; \(h.unrecoverable) more deleted file(s) remembered, every block reused since.\n" : ".\n"
        if let problem = h.problem { out += "  Nothing brought back: \(problem).\n" }
        if let oldest = h.oldestSequence {
            out += "  The oldest transaction the journal still holds is \(oldest)"
            if let time = h.oldestCommit { out += " (\(UTCTime.format(Int64(time))))" }
            out += ": what was deleted or overwritten before it is out of reach.\n"
        }
        for f in h.files.prefix(50) {
            let name = f.path.isEmpty ? "#\(f.inode.number)" : path(f)
            let state = f.isComplete ? "complete" : "partial"
            if f.fromJournal {
                out += "  \(f.kind.rawValue)  \(name)  \(f.size) bytes, \(state), transaction \(f.sequence)"
                if f.commitTime != 0 { out += " (\(UTCTime.format(Int64(f.commitTime))))" }
            } else {
                out += "  \(f.kind.rawValue)  \(name)  \(f.size) bytes, \(state), deleted \(UTCTime.format(Int64(f.commitTime)))"
            }
            out += "\n"
        }
        if h.files.count > 50 { out += "  … and \(h.files.count - 50) more (see --json)\n" }
        return out
    }
}
