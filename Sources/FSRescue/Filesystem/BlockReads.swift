// Reading blocks through the handle's I/O: the journal overlay and the unread areas beneath it.
internal import CFSRescueExt2fs

extension Filesystem {
    /// Reads `count` blocks from `block` into `buffer` (`io_channel_read_blk64` on the handle's I/O
    /// channel, so through the replayed journal and the mapfile's unread areas); nil when they were
    /// read. Blocks outside the filesystem are refused (`EXT2_ET_BAD_BLOCK_NUM`).
    func readBlocks(_ block: BlockNumber, count: Int = 1, into buffer: UnsafeMutableRawPointer) -> Ext2Error? {
        let total = blocksCount, block = block.rawValue
        guard count > 0, block < total, UInt64(count) <= total - block else { return .badBlockNumber }
        let rc = io_channel_read_blk64(handle.pointee.io, block, Int32(count), buffer)
        return ext2Error(rc)
    }

    /// Asks the kernel to fetch `count` blocks from `block` ahead of their reads
    /// (`io_channel_cache_readahead`, `posix_fadvise(POSIX_FADV_WILLNEED)` underneath). Blocks past
    /// the filesystem's end are not asked for.
    func readAhead(_ block: BlockNumber, count: UInt64) {
        let total = blocksCount, block = block.rawValue
        guard block < total, count > 0 else { return }
        _ = io_channel_cache_readahead(handle.pointee.io, block, min(count, total - block))
    }
}
