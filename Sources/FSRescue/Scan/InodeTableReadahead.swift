// Pass 1's read-ahead: the kernel fetches the next groups' inode tables while this one is checked.

/// Keeps the kernel reading the in-use part of the inode tables a few groups ahead of pass 1
/// (``Filesystem/readAhead(_:count:)``), as e2fsck does
/// (its `e2fsck_readahead`). The inode scan reads a few blocks at a time and waits for each: cold,
/// on a 1M-file image without read-ahead, that was under a third of the rate of pass 2's read-ahead
/// directory blocks.
///
/// Only the part of a table a lazy scan reads is asked for: none of an `INODE_UNINIT` group, and
/// not the `itable_unused` tail. Table locations out of range (a corrupt descriptor) are skipped,
/// as are requests past the image's end; the scan itself reports those tables.
struct InodeTableReadahead {
    /// Bytes of inode table asked for ahead of the group being scanned.
    static let aheadBytes: UInt64 = 32 << 20

    private let filesystem: Filesystem
    private let groupCount: UInt32
    private let blocksCount: UInt64
    private let inodesPerGroup: UInt64
    private let inodeSize: UInt64
    private let blockSize: UInt64
    private let tableBlocks: UInt64
    private let lazy: Bool
    /// The first group not asked for yet.
    private var next: UInt32 = 0
    /// Groups asked for and not yet reached, with the bytes asked for each.
    private var queued: [(group: UInt32, bytes: UInt64)] = []

    init(_ filesystem: Filesystem, lazy: Bool) {
        self.filesystem = filesystem
        let sb = filesystem.superblock
        groupCount = filesystem.groupCount
        blocksCount = filesystem.blocksCount
        inodesPerGroup = UInt64(sb.inodesPerGroup)
        inodeSize = UInt64(sb.inodeSize)
        blockSize = UInt64(filesystem.blockSize)
        tableBlocks = UInt64(sb.inodeTableBlocks)
        self.lazy = lazy
    }

    /// The scan has reached `group`: asks for the tables of the groups after it, up to ``aheadBytes``
    /// in all (at least one group).
    mutating func reached(group: UInt32) {
        next = max(next, group + 1)
        while let first = queued.first, first.group <= group { queued.removeFirst() }
        var ahead = queued.reduce(0) { $0 + $1.bytes }
        while next < groupCount, ahead < Self.aheadBytes {
            let descriptor = filesystem.group(next)
            let blocks = usedTableBlocks(descriptor)
            let start = descriptor.inodeTable
            if blocks > 0, start > 0 { filesystem.readAhead(BlockNumber(start), count: blocks) }
            queued.append((next, blocks * blockSize))
            ahead += blocks * blockSize
            next += 1
        }
    }

    /// Blocks of group `g`'s inode table that a lazy scan reads.
    func usedTableBlocks(_ g: UInt32) -> UInt64 { usedTableBlocks(filesystem.group(g)) }

    /// Blocks of the inode table `descriptor`'s group holds that a lazy scan reads.
    func usedTableBlocks(_ descriptor: GroupDescriptor) -> UInt64 {
        guard lazy else { return tableBlocks }
        if descriptor.inodesUninitialized { return 0 }
        let used = inodesPerGroup - min(inodesPerGroup, UInt64(descriptor.unusedInodes))
        return min(tableBlocks, (used * inodeSize + blockSize - 1) / blockSize)
    }
}
