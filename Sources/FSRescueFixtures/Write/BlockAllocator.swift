// Contiguous block runs from the block bitmap, in ascending order.
internal import CFSRescueExt2fs
import FSRescue

/// A physical run of blocks.
struct BlockRun: Sendable, Hashable {
    var start: UInt64
    var length: UInt64
}

/// Allocates blocks first-fit from a moving cursor, as long contiguous runs: it asks the in-memory
/// bitmap for the next free block (`ext2fs_find_first_zero_block_bitmap2`) and how far the gap goes
/// (`ext2fs_find_first_set_block_bitmap2`), then marks the run with `ext2fs_block_alloc_stats_range`
/// (bitmap, group and superblock counts, BLOCK_UNINIT cleared). Consecutive files therefore get
/// consecutive blocks, and allocations made meanwhile by libext2fs itself (EA blocks) are respected.
struct BlockAllocator {
    private let fs: ext2_filsys
    private var cursor: UInt64
    private let last: UInt64

    init(_ wfs: WritableFilesystem) {
        fs = wfs.fs
        cursor = UInt64(wfs.fs.pointee.super.pointee.s_first_data_block)
        last = wfs.blocksCount - 1
    }

    /// `count` blocks as one or more runs, each at most `maxRun` long.
    mutating func allocate(_ count: UInt64, maxRun: UInt64 = .max) throws(FSRescueError) -> [BlockRun] {
        var runs: [BlockRun] = []
        var remaining = count
        while remaining > 0 {
            var start: blk64_t = 0
            if cursor > last || ext2fs_find_first_zero_block_bitmap2(fs.pointee.block_map, cursor, last, &start) != 0 {
                throw FSRescueError(.outputFailed, "the image is full: the tree needs more blocks than it has; omit --size (it is then computed) or give a larger one.")
            }
            let want = Swift.min(remaining, maxRun)
            var end = start + want - 1
            if end > last { end = last }
            var used: blk64_t = 0
            if ext2fs_find_first_set_block_bitmap2(fs.pointee.block_map, start, end, &used) == 0 { end = used - 1 }
            let length = end - start + 1
            ext2fs_block_alloc_stats_range(fs, start, UInt32(length), 1)
            runs.append(BlockRun(start: start, length: length))
            remaining -= length
            cursor = end + 1
        }
        return runs
    }

    /// One block.
    mutating func allocateOne() throws(FSRescueError) -> UInt64 { try allocate(1)[0].start }
}
