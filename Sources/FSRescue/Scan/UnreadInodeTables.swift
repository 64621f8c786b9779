// Inode-table blocks the disk never gave (a ddrescue mapfile): skipped by the inode scan, as bad blocks are.

extension InodePass {
    /// Has the inode scan skip the inode-table blocks the mapfile marks unread, or that failed to read
    /// (``Filesystem/skipInInodeScan(_:)``), so it reads the rest of each table instead of failing the
    /// whole group's read. Returns them.
    mutating func listUnreadInodeTableBlocksAsBad() -> Set<UInt64> {
        let base = filesystem.location.offsetBytes
        let failed = filesystem.source.readErrors.all.filter { $0.upperBound > base }
            .map { (max($0.lowerBound, base) - base)..<($0.upperBound - base) }
        guard filesystem.mapfile != nil || !failed.isEmpty else { return [] }
        let bs = UInt64(blockSize), perGroup = UInt64(filesystem.superblock.inodeTableBlocks)
        let perBlock = max(1, bs / UInt64(inodeSize))
        var unread: Set<UInt64> = []
        var inodes: [ClosedRange<UInt32>] = []
        for g in 0..<groupCount {
            let start = filesystem.group(g).inodeTable
            guard start > 0, perGroup > 0, start < blocksCount else { continue }
            let table = start * bs..<(start + perGroup) * bs
            let lost = filesystem.unreadBytes(table) + failed.filter { $0.overlaps(table) }
                .map { max($0.lowerBound, table.lowerBound)..<min($0.upperBound, table.upperBound) }
            for part in lost {
                for b in (part.lowerBound / bs)...((part.upperBound - 1) / bs) where unread.insert(b).inserted {
                    // The inodes this table block holds, known from the group and the block's place in its table.
                    let first = UInt64(g) * UInt64(inodesPerGroup) + (b - start) * perBlock + 1
                    let last = min(first + perBlock - 1, UInt64(g + 1) * UInt64(inodesPerGroup), UInt64(inodesCount))
                    if first <= last { inodes.append(UInt32(first)...UInt32(last)) }
                }
            }
        }
        guard !unread.isEmpty else { return [] }
        // The list holds 32-bit block numbers; a table past 2^32 fails its group's read instead.
        filesystem.skipInInodeScan(Set(unread.map { BlockNumber($0) }))
        unreadInodes = UnreadInodeRanges(inodes)
        return unread
    }

    /// The inode-table block holding inode `ino`, when its group has a table.
    func inodeTableBlock(of ino: UInt32) -> UInt64? {
        guard ino >= 1, inodesPerGroup > 0 else { return nil }
        let g = (ino - 1) / inodesPerGroup, index = UInt64((ino - 1) % inodesPerGroup)
        guard g < groupCount else { return nil }
        let start = filesystem.group(g).inodeTable
        guard start > 0 else { return nil }
        return start + index * UInt64(inodeSize) / UInt64(blockSize)
    }
}
