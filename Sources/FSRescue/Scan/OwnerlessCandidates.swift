// Which blocks pass 2B reads: unowned blocks that may hold a lost directory's entries, within a budget.

/// The blocks the ownerless-directory pass reads, as reads of up to ``maxRun`` blocks, each with a
/// mask of the candidates among them.
///
/// Two kinds, both outside the blocks pass 1 saw claimed by an in-use inode or by metadata:
/// blocks the on-disk bitmap marks in use (a cleared inode leaves its blocks allocated: every one
/// is a candidate, up to ``allocatedLimit``), and free blocks of groups that were ever initialized
/// (a directory's blocks may have been freed; read until ``freeBudget`` is spent), only when some
/// inode could use a name they hold: on a healthy filesystem those reads were up to half a cold
/// scan's time for evidence nothing needed. Groups still `BLOCK_UNINIT` never held data and are
/// skipped; so is bigalloc, whose clusters mix owners.
///
/// A read spans gaps of up to ``maxGap`` blocks that are no candidates: where damage left every
/// other block allocated and unowned (505,813 candidates on a 4 GiB image), one read per candidate
/// kept the disk waiting on each (a cold scan took 8.4 s where e2fsck took 0.6), and the runs alone
/// took 8 MB; as reads of 64 blocks with masks they take 16 bytes for each 32 or so candidates.
struct OwnerlessCandidates {
    /// At most this many allocated-but-unowned blocks are read.
    static let allocatedLimit: UInt64 = 1 << 20
    /// At most this many free blocks are read.
    static let freeBudget: UInt64 = 1 << 16
    /// Reads are cut at this many blocks (one bit each in a read's mask).
    static let maxRun: UInt64 = 64
    /// A read goes on across at most this many blocks that are no candidates.
    static let maxGap: UInt64 = 7

    /// One read: `length` blocks from `start`; bit `k` of `mask` is set when block `start + k` is a candidate.
    struct Read {
        let start: UInt64
        var mask: UInt64
        var length: UInt64 { UInt64(64 - mask.leadingZeroBitCount) }
    }

    private(set) var reads: [Read] = []
    /// Candidate blocks in all (the pass's units).
    private(set) var total: UInt64 = 0

    /// Free blocks the pass would read when names are wanted, from the group descriptors alone (for the plan).
    static func freeEstimate(_ filesystem: Filesystem) -> UInt64 {
        var free: UInt64 = 0
        for g in 0..<filesystem.groupCount {
            let descriptor = filesystem.group(g)
            if !descriptor.blocksUninitialized { free += UInt64(descriptor.freeBlocks) }
        }
        return min(free, freeBudget)
    }

    /// Collects the candidates of the scan so far (``Filesystem/loadBitmaps()``, loaded in memory only and
    /// reused by pass 5), free blocks only when `includeFree`. Empty when the bitmaps cannot be read
    /// or the filesystem uses bigalloc.
    init(_ run: ScanRun, includeFree: Bool) {
        guard run.clusterBits == 0, run.loadBitmaps() == nil else { return }
        var allocated: UInt64 = 0, free: UInt64 = 0
        var buffer: [UInt8] = []
        let words = run.bitmapComparison
        for g in 0..<run.groupCount {
            let descriptor = run.filesystem.group(g)
            let freeWanted = includeFree && !descriptor.blocksUninitialized
            let first = descriptor.firstBlock
            let last = min(descriptor.lastBlock, run.blocksCount - 1)
            guard first <= last else { continue }
            words.forEachBlockWord(first: first, last: last, buffer: &buffer) { offset, used, onDisk, valid in
                // Blocks nothing owns: allocated ones up to the limit, free ones within the budget.
                var candidates = allocated < Self.allocatedLimit ? ~used & onDisk : 0
                if freeWanted, free < Self.freeBudget { candidates |= ~used & ~onDisk & valid }
                while candidates != 0 {
                    let bit = UInt64(candidates.trailingZeroBitCount)
                    candidates &= candidates - 1
                    if onDisk & (1 << bit) != 0 {
                        guard allocated < Self.allocatedLimit else { continue }
                        allocated += 1
                    } else {
                        guard free < Self.freeBudget else { continue }
                        free += 1
                    }
                    add(first + offset + bit)
                }
            }
        }
    }

    /// No candidates (add them with ``add(_:)``).
    init() {}

    /// Adds a candidate; blocks come in increasing order.
    mutating func add(_ block: UInt64) {
        total += 1
        if let last = reads.last, block - last.start < Self.maxRun, block - (last.start + last.length) <= Self.maxGap {
            reads[reads.count - 1].mask |= 1 << (block - last.start)
        } else {
            reads.append(Read(start: block, mask: 1))
        }
    }
}
