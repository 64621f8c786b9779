// What the history recovery asks of libext2fs: the inode tables' places, checksum seeds, today's bitmaps.
internal import CFSRescueExt2fs

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
    var hasJournal: Bool { handle.pointee.super.pointee.s_feature_compat & UInt32(EXT3_FEATURE_COMPAT_HAS_JOURNAL) != 0 }

    /// The first inode files may use (`s_first_ino`).
    var firstInode: UInt32 { fsr_first_inode(handle) }
    /// The internal journal's inode (`s_journal_inum`), 0 when none.
    var journalInodeNumber: UInt32 { handle.pointee.super.pointee.s_journal_inum }

    /// ``HistoryFacts`` from the superblock and group descriptors (`ext2fs_inode_table_loc`).
    var historyFacts: HistoryFacts {
        let sb = handle.pointee.super.pointee
        var tables: [(start: UInt64, group: UInt32)] = []
        for g in 0..<groupCount {
            let start = UInt64(ext2fs_inode_table_loc(handle, g))
            if start > 0 && start < blocksCount { tables.append((start, g)) }
        }
        tables.sort { $0.start < $1.start }
        let seed: UInt32
        if sb.s_feature_incompat & UInt32(EXT4_FEATURE_INCOMPAT_CSUM_SEED) != 0 {
            seed = sb.s_checksum_seed
        } else {
            seed = withUnsafeBytes(of: sb.s_uuid) { CRC32C.update(~0, $0) }
        }
        return HistoryFacts(blockSize: Int(blockSize), inodeSize: Int(fsr_inode_size(handle)),
                            inodesPerGroup: fsr_inodes_per_group(handle), inodesCount: readableInodesCount,
                            blocksCount: blocksCount, firstDataBlock: UInt64(sb.s_first_data_block),
                            inodeTableBlocks: UInt64(handle.pointee.inode_blocks_per_group), inodeTables: tables,
                            metadataCsum: sb.s_feature_ro_compat & UInt32(EXT4_FEATURE_RO_COMPAT_METADATA_CSUM) != 0,
                            hasFiletype: sb.s_feature_incompat & UInt32(EXT2_FEATURE_INCOMPAT_FILETYPE) != 0,
                            checksumSeed: seed)
    }

    /// Loads today's bitmaps into the handle's memory (`ext2fs_read_bitmaps`, checksum mismatches
    /// tolerated: the bits are what matters here); false when they cannot be read.
    func loadBitmapsForHistory() -> Bool {
        if handle.pointee.block_map != nil && handle.pointee.inode_map != nil { return true }
        return ignoringChecksums { ext2fs_read_bitmaps(handle) } == 0
    }

    /// Whether today's block bitmap marks `block` in use (`ext2fs_test_block_bitmap2`); true for
    /// blocks outside the filesystem, so nothing there is ever taken for free.
    func blockMarkedInUse(_ block: UInt64) -> Bool {
        guard let map = handle.pointee.block_map, block >= UInt64(handle.pointee.super.pointee.s_first_data_block),
              block < blocksCount else { return true }
        return ext2fs_test_block_bitmap2(map, block) != 0
    }

    /// Whether today's inode bitmap marks `inode` in use (`ext2fs_test_inode_bitmap2`).
    func inodeMarkedInUse(_ inode: UInt32) -> Bool {
        guard let map = handle.pointee.inode_map, inode >= 1, inode <= readableInodesCount else { return true }
        return ext2fs_test_inode_bitmap2(map, inode) != 0
    }

    /// An inode as its raw on-disk bytes hold it (an inode-table block's copy from the journal),
    /// read through libext2fs's own inode structure so it has the one inode reader's meaning.
    func inodeRecord(number: UInt32, raw: UnsafeRawBufferPointer) -> InodeRecord {
        var inode = ext2_inode_large()
        withUnsafeMutableBytes(of: &inode) { dst in
            dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: raw[0..<min(raw.count, dst.count)]))
        }
        if raw.count < MemoryLayout<ext2_inode_large>.size {
            // A 128-byte inode has no extra fields: none of the copied bytes may be read as them.
            inode.i_extra_isize = 0
        }
        return InodeRecord(number: number, inode)
    }
}
