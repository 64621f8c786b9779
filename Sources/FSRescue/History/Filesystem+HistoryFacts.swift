// What the history recovery asks of the filesystem: the inode tables' places, checksum seeds, today's bitmaps.

/// Facts about the filesystem as it is today, read once, for judging older copies of its blocks.
struct HistoryFacts {
    let blockSize: Int
    let inodeSize: Int
    let inodesPerGroup: UInt32
    let inodesCount: UInt32
    let blocksCount: UInt64
    let firstDataBlock: UInt64
    let inodeTableBlocks: UInt64
    /// Each group's inode table start, sorted, with its group.
    let inodeTables: [(start: UInt64, group: UInt32)]
    let metadataCsum: Bool
    let hasFiletype: Bool
    /// crc32c seed of metadata checksums (`s_checksum_seed`, else crc32c(~0, uuid)).
    let checksumSeed: UInt32

    /// The inode numbers an inode-table block holds, when `block` is one.
    func inodes(inTableBlock block: UInt64) -> ClosedRange<UInt32>? {
        var low = 0, high = inodeTables.count
        while low < high {
            let mid = (low + high) / 2
            if inodeTables[mid].start <= block { low = mid + 1 } else { high = mid }
        }
        guard low > 0 else { return nil }
        let table = inodeTables[low - 1]
        guard block - table.start < inodeTableBlocks else { return nil }
        let perBlock = UInt64(blockSize / inodeSize)
        let first = UInt64(table.group) * UInt64(inodesPerGroup) + (block - table.start) * perBlock + 1
        let last = min(first + perBlock - 1, UInt64(table.group + 1) * UInt64(inodesPerGroup), UInt64(inodesCount))
        guard first <= last else { return nil }
        return UInt32(first)...UInt32(last)
    }
}

extension Filesystem {
    /// Whether the superblock has `has_journal`.
    var hasJournal: Bool { features.contains(.hasJournal) }

    /// The first inode files may use (`s_first_ino`).
    var firstInode: UInt32 { superblock.firstInode }
    /// The internal journal's inode (`s_journal_inum`), 0 when none.
    var journalInodeNumber: UInt32 { superblock.journalInode }

    /// ``HistoryFacts`` from the superblock and group descriptors.
    var historyFacts: HistoryFacts {
        let sb = superblock, features = features
        var tables: [(start: UInt64, group: UInt32)] = []
        for g in 0..<groupCount {
            let start = group(g).inodeTable
            if start > 0 && start < blocksCount { tables.append((start, g)) }
        }
        tables.sort { $0.start < $1.start }
        return HistoryFacts(blockSize: Int(blockSize), inodeSize: sb.inodeSize,
                            inodesPerGroup: sb.inodesPerGroup, inodesCount: readableInodesCount,
                            blocksCount: blocksCount, firstDataBlock: sb.firstDataBlock,
                            inodeTableBlocks: UInt64(sb.inodeTableBlocks), inodeTables: tables,
                            metadataCsum: features.contains(.metadataChecksums), hasFiletype: features.contains(.fileType),
                            checksumSeed: sb.checksumSeed)
    }

    /// Loads today's bitmaps into memory (``loadBitmaps()``, checksum mismatches tolerated: the bits
    /// are what matters here); false when they cannot be read.
    func loadBitmapsForHistory() -> Bool {
        if case .failed = loadBitmaps() { return false }
        return true
    }

    /// Whether today's block bitmap marks `block` in use; true for blocks outside the filesystem, and
    /// when the bitmaps are not loaded, so nothing there is ever taken for free.
    func blockMarkedInUse(_ block: UInt64) -> Bool {
        guard bitmapsLoaded, block >= superblock.firstDataBlock, block < blocksCount else { return true }
        return marks(.blocks, block)
    }

    /// Whether today's inode bitmap marks `inode` in use (true when the bitmaps are not loaded).
    func inodeMarkedInUse(_ inode: UInt32) -> Bool {
        guard bitmapsLoaded, inode >= 1, inode <= readableInodesCount else { return true }
        return marks(.inodes, UInt64(inode))
    }
}
