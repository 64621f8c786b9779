// Which blocks pass 2B reads: unowned blocks that may hold a lost directory's entries, within a budget.
internal import CFSRescueExt2fs

/// The blocks the ownerless-directory pass reads, as runs of consecutive block numbers.
///
/// Two kinds, both outside the blocks pass 1 saw claimed by an in-use inode or by metadata:
/// blocks the on-disk bitmap marks in use (a cleared inode leaves its blocks allocated: every one
/// is a candidate, up to ``allocatedLimit``), and free blocks of groups that were ever initialized
/// (a directory's blocks may have been freed; read until ``freeBudget`` is spent), only when some
/// inode could use a name they hold: on a healthy filesystem those reads were up to half a cold
/// scan's time for evidence nothing needed. Groups still `BLOCK_UNINIT` never held data and are
/// skipped; so is bigalloc, whose clusters mix owners.
struct OwnerlessCandidates {
    /// At most this many allocated-but-unowned blocks are read.
    static let allocatedLimit: UInt64 = 1 << 20
    /// At most this many free blocks are read.
    static let freeBudget: UInt64 = 1 << 16
    /// Runs are cut at this many blocks, the size of one read.
    static let maxRun: UInt64 = 64

    private(set) var runs: [(start: UInt64, length: UInt64)] = []
    private(set) var total: UInt64 = 0

    /// Free blocks the pass would read when names are wanted, from the group descriptors alone (for the plan).
    static func freeEstimate(_ fs: ext2_filsys) -> UInt64 {
        var free: UInt64 = 0
        for g in 0..<fs.pointee.group_desc_count where ext2fs_bg_flags_test(fs, g, UInt16(EXT2_BG_BLOCK_UNINIT)) == 0 {
            free += UInt64(ext2fs_bg_free_blocks_count(fs, g))
        }
        return min(free, freeBudget)
    }

    /// Collects the candidates of the scan so far (`ext2fs_read_bitmaps`, loaded in memory only and
    /// reused by pass 5), free blocks only when `includeFree`. Empty when the bitmaps cannot be read
    /// or the filesystem uses bigalloc.
    init(_ run: ScanRun, includeFree: Bool) {
        let fs = run.fs
        guard run.clusterBits == 0, run.loadBitmaps() == 0, let bitmap = fs.pointee.block_map else { return }
        var allocated: UInt64 = 0, free: UInt64 = 0
        var buffer: [UInt8] = []
        for g in 0..<run.groupCount {
            let freeWanted = includeFree && ext2fs_bg_flags_test(fs, g, UInt16(EXT2_BG_BLOCK_UNINIT)) == 0
            let first = UInt64(ext2fs_group_first_block2(fs, g))
            let last = min(UInt64(ext2fs_group_last_block2(fs, g)), run.blocksCount - 1)
            guard first <= last else { continue }
            run.forEachBlockWord(first: first, last: last, blockMap: bitmap, buffer: &buffer) { offset, used, onDisk, valid in
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

    private mutating func add(_ block: UInt64) {
        total += 1
        if let last = runs.last, last.start + last.length == block, last.length < Self.maxRun {
            runs[runs.count - 1].length += 1
        } else {
            runs.append((block, 1))
        }
    }
}
