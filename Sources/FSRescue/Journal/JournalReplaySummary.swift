// What an in-memory journal replay did, as reported in info, scan and salvage.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// The outcome of replaying the journal in memory (``Filesystem/journalReplay``).
public struct JournalReplaySummary: Sendable, Equatable, Codable {
    /// Committed transactions applied.
    public let transactions: Int
    /// Their sequence numbers, first and last.
    public let firstSequence: UInt32
    public let lastSequence: UInt32
    /// Filesystem blocks now read from the journal.
    public let blocks: Int
    /// Logged copies a revoke record cancelled, and blocks revoke records name.
    public let revokedCopies: Int
    public let revokedBlocks: Int
    /// Logged copies not applied: failed data checksums, blocks past the filesystem.
    public let badDataChecksums: Int
    public let outOfRange: Int
    /// When the last applied transaction was committed, if its commit block says.
    public let lastCommit: Date?
    /// Why the walk of the log stopped.
    public let stop: String
    /// True when it stopped on damage (a failed checksum, an unreadable block), not at the log's end.
    public let stoppedOnDamage: Bool

    init(_ replay: JournalReplay, blocks: Int) {
        transactions = replay.transactions
        firstSequence = replay.firstSequence
        lastSequence = replay.lastSequence
        self.blocks = blocks
        revokedCopies = replay.revokedCopies
        revokedBlocks = replay.revokedBlocks
        badDataChecksums = replay.badDataChecksums
        outOfRange = replay.outOfRange
        lastCommit = replay.lastCommitTime.map { Date(timeIntervalSince1970: TimeInterval($0)) }
        stop = replay.stop
        stoppedOnDamage = replay.stoppedOnDamage
    }

    /// The finding that says what was replayed.
    var finding: Finding {
        let range = transactions == 1 ? "transaction \(firstSequence)" : "transactions \(firstSequence)–\(lastSequence)"
        var text = "The journal was replayed in memory (the image was not written): \(transactions) committed \(range), \(blocks) block\(blocks == 1 ? "" : "s") now read from the journal"
        if revokedCopies > 0 { text += ", \(revokedCopies) logged cop\(revokedCopies == 1 ? "y" : "ies") revoked" }
        if badDataChecksums > 0 { text += ", \(badDataChecksums) skipped for a failed checksum" }
        if outOfRange > 0 { text += ", \(outOfRange) naming blocks past the filesystem skipped" }
        if let lastCommit { text += "; the last was committed at \(lastCommit.formatted(.iso8601))" }
        text += ". Replay stopped where the kernel's would: \(stop). Use --no-replay to see the image as it is on disk."
        return Finding(.journalReplayed, text)
    }
}
