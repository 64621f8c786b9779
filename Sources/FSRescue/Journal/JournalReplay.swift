// Replaying a jbd2 journal in memory: which filesystem blocks the committed transactions rewrite.

/// What a replay of the journal's committed transactions gives: for each filesystem block the log
/// block holding its newest committed copy, and what the walk found on the way. It writes nothing.
///
/// The walk follows the kernel's recovery (`jbd2_journal_recover`: scan, revoke and replay passes,
/// done here in one walk and one fold): from `s_start` with sequence `s_sequence`, every log block
/// must carry the journal magic and the expected sequence; a descriptor's tags name the blocks that
/// follow it; a commit block closes the transaction; a revoke block cancels earlier copies of its
/// blocks (in its transaction and before). The walk stops at the first block that is not the next
/// one of the log (wrong magic or sequence: the end of the log), at a descriptor, revoke or commit
/// block whose checksum fails (checksum v2/v3), or after as many blocks as the log holds.
/// A transaction without its commit block is not replayed. A data block whose tag checksum fails
/// is skipped, as the kernel skips it.
struct JournalReplay {
    /// Where the newest committed copy of a filesystem block lies in the log.
    struct Copy: Equatable {
        let logBlock: UInt32
        let escaped: Bool
    }

    /// The replayed copies by filesystem block.
    private(set) var copies: [UInt64: Copy] = [:]
    /// Committed transactions replayed, and their sequence numbers.
    private(set) var transactions = 0
    private(set) var firstSequence: UInt32 = 0
    private(set) var lastSequence: UInt32 = 0
    /// Tags skipped because a later revoke record cancels them.
    private(set) var revokedCopies = 0
    /// Distinct blocks revoke records name.
    private(set) var revokedBlocks = 0
    /// Data blocks whose tag checksum failed (not replayed).
    private(set) var badDataChecksums = 0
    /// Tags naming a block past the filesystem (not replayed).
    private(set) var outOfRange = 0
    /// The commit time of the last replayed transaction (seconds since 1970), when recorded.
    private(set) var lastCommitTime: UInt64?
    /// Why the walk stopped, in words: the normal end of the log, or a damaged block.
    private(set) var stop = ""
    /// Whether the stop was damage (a failed checksum, an unreadable block) rather than the log's end.
    private(set) var stoppedOnDamage = false

    var isEmpty: Bool { copies.isEmpty }

    /// The fast-commit area holds commits (ext4 fast_commit), which this replay does not apply.
    private(set) var fastCommitsPending = false

    mutating func noteFastCommits() {
        fastCommitsPending = true
        stop += "; the fast-commit area holds commits that are not replayed (e2fsck -E journal_only replays them)"
    }

    /// Walks the log of `superblock`, reading log block N with `read` (nil when it cannot be read).
    /// `filesystemBlocks` bounds the blocks a tag may name.
    init(superblock sb: JournalSuperblock, filesystemBlocks: UInt64, read: (UInt32) -> UnsafeRawBufferPointer?) {
        guard sb.start != 0 else {
            stop = "the journal is empty (s_start 0)"
            return
        }
        struct Pending { var tags: [(tag: JournalTag, logBlock: UInt32)] = []; var revokes: [UInt64] = [] }
        var revokedAt: [UInt64: UInt32] = [:]
        var committed: [(sequence: UInt32, pending: Pending)] = []
        var pending = Pending()
        var block = sb.start
        var sequence = sb.sequence
        firstSequence = sequence
        let logLength = Int(sb.last - sb.first)
        var visited = 0
        walk: while visited < logLength {
            guard let bytes = read(block) else {
                stop = "log block \(block) cannot be read"
                stoppedOnDamage = true
                break
            }
            visited += 1
            guard let header = JournalLogBlocks.header(bytes), header.sequence == sequence,
                  let type = JournalBlockType(rawValue: header.type) else {
                stop = "the log ends at block \(block) (transaction \(sequence) has no more blocks)"
                break
            }
            var damage: String?
            switch type {
            case .descriptor:
                if sb.hasChecksums && !JournalLogBlocks.tailChecksumMatches(bytes, seed: sb.checksumSeed) {
                    damage = "the descriptor block at log block \(block) (transaction \(sequence)) fails its checksum"
                    break
                }
                let tags = JournalLogBlocks.tags(bytes, superblock: sb, limit: logLength - visited)
                for tag in tags {
                    block = sb.next(block)
                    pending.tags.append((tag, block))
                    visited += 1
                }
                block = sb.next(block)
            case .revoke:
                if sb.hasChecksums && !JournalLogBlocks.tailChecksumMatches(bytes, seed: sb.checksumSeed) {
                    damage = "the revoke block at log block \(block) (transaction \(sequence)) fails its checksum"
                    break
                }
                guard let blocks = JournalLogBlocks.revoked(bytes, superblock: sb) else {
                    damage = "the revoke block at log block \(block) (transaction \(sequence)) has an impossible length"
                    break
                }
                pending.revokes += blocks
                block = sb.next(block)
            case .commit:
                if sb.hasChecksums && !JournalLogBlocks.commitChecksumMatches(bytes, seed: sb.checksumSeed) {
                    damage = "the commit block of transaction \(sequence) (log block \(block)) fails its checksum"
                    break
                }
                if let time = JournalLogBlocks.commitTime(bytes) { lastCommitTime = time }
                for b in pending.revokes { revokedAt[b] = sequence }
                committed.append((sequence, pending))
                pending = Pending()
                lastSequence = sequence
                sequence &+= 1
                block = sb.next(block)
            case .superblockV1, .superblockV2:
                stop = "the log ends at block \(block) (a superblock block)"
                break walk
            }
            if let damage {
                stop = damage
                stoppedOnDamage = true
                break
            }
        }
        if visited >= logLength && stop.isEmpty { stop = "the walk covered the whole log" }
        if !pending.tags.isEmpty && !stoppedOnDamage { stop += "; transaction \(sequence) was not committed and is not replayed" }
        revokedBlocks = revokedAt.count
        transactions = committed.count
        // Replay in order: a later copy replaces an earlier one; a revoke in a transaction at or after
        // a copy's cancels it (jbd2_journal_test_revoke).
        for (sequence, transaction) in committed {
            for (tag, logBlock) in transaction.tags {
                if let revokedIn = revokedAt[tag.filesystemBlock], revokedIn &- sequence < 0x8000_0000 {
                    revokedCopies += 1
                    continue
                }
                guard tag.filesystemBlock < filesystemBlocks else {
                    outOfRange += 1
                    continue
                }
                if tag.checksum != nil, let bytes = read(logBlock),
                   !JournalLogBlocks.dataChecksumMatches(bytes, tag: tag, sequence: sequence, superblock: sb) {
                    badDataChecksums += 1
                    continue
                }
                copies[tag.filesystemBlock] = Copy(logBlock: logBlock, escaped: tag.escaped)
            }
        }
    }
}
