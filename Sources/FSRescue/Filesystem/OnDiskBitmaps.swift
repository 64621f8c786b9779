// The on-disk block and inode bitmaps, loaded into the handle's memory and read a range at a time.
internal import CFSRescueExt2fs

/// One of the two on-disk bitmaps.
enum OnDiskBitmap {
    /// The block bitmap (one bit per cluster).
    case blocks
    /// The inode bitmap.
    case inodes
}

/// How loading the on-disk bitmaps went (``Filesystem/loadBitmaps()``).
enum BitmapLoad {
    /// Loaded, every checksum matching (or not kept).
    case loaded
    /// Loaded with checksums ignored: some group's bitmap does not match its checksum.
    case loadedDespiteChecksums
    /// Not loaded.
    case failed(Ext2Error)
}

extension Filesystem {
    /// libext2fs checks inode checksums as it reads: the open did not have to ignore them (`EXT2_FLAG_IGNORE_CSUM_ERRORS`).
    var verifiesInodeChecksums: Bool { handle.pointee.flags & Int32(EXT2_FLAG_IGNORE_CSUM_ERRORS) == 0 }

    /// Makes every bitmap libext2fs allocates from now on (the on-disk ones, the metadata map) a
    /// red-black tree of extents (`EXT2FS_BMAP64_RBTREE`, e2fsck's choice): memory that follows
    /// fragmentation, not filesystem size (as a bit array, the metadata map alone was 128 MiB on an
    /// empty 4 TiB filesystem).
    func keepBitmapsAsExtentTrees() { handle.pointee.default_bitmap_type = UInt16(EXT2FS_BMAP64_RBTREE) }

    /// Loads the block and inode bitmaps once (`ext2fs_read_bitmaps`, in memory only). A checksum
    /// mismatch does not hide the bits: they are loaded again with checksums ignored
    /// (``withChecksumsIgnored(_:_:)``).
    func loadBitmaps() -> BitmapLoad {
        if bitmapsLoaded { return .loaded }
        let rc = ext2fs_read_bitmaps(handle)
        guard let error = ext2Error(rc) else { return .loaded }
        guard rc == EXT2_ET_BLOCK_BITMAP_CSUM_INVALID || rc == EXT2_ET_INODE_BITMAP_CSUM_INVALID else { return .failed(error) }
        return ext2Error(ignoringChecksums { ext2fs_read_bitmaps(handle) }).map(BitmapLoad.failed) ?? .loadedDespiteChecksums
    }

    /// Both bitmaps are loaded (``loadBitmaps()``).
    var bitmapsLoaded: Bool { handle.pointee.block_map != nil && handle.pointee.inode_map != nil }

    /// Copies `count` bits of the loaded `bitmap` from `first` (a cluster, or an inode) into `buffer`
    /// (`ext2fs_get_block_bitmap_range2`, `ext2fs_get_inode_bitmap_range2`); false when they cannot be
    /// copied at once.
    func copyBits(of bitmap: OnDiskBitmap, from first: UInt64, count: Int, into buffer: UnsafeMutableRawPointer?) -> Bool {
        switch bitmap {
        case .blocks: handle.pointee.block_map.map { ext2fs_get_block_bitmap_range2($0, first, count, buffer) == 0 } ?? false
        case .inodes: handle.pointee.inode_map.map { ext2fs_get_inode_bitmap_range2($0, first, count, buffer) == 0 } ?? false
        }
    }

    /// Whether the loaded `bitmap` marks `item` (a block, or an inode) in use (`ext2fs_test_block_bitmap2`,
    /// `ext2fs_test_inode_bitmap2`).
    func marks(_ bitmap: OnDiskBitmap, _ item: UInt64) -> Bool {
        switch bitmap {
        case .blocks: handle.pointee.block_map.map { ext2fs_test_block_bitmap2($0, item) != 0 } ?? false
        case .inodes: handle.pointee.inode_map.map { ext2fs_test_inode_bitmap2($0, ext2_ino_t(truncatingIfNeeded: item)) != 0 } ?? false
        }
    }

    /// Whether group `g`'s loaded block bitmap matches the checksum its descriptor keeps
    /// (`ext2fs_block_bitmap_csum_verify`); nil when its bits cannot be copied. `buffer` holds at
    /// least a group's bits.
    func blockBitmapChecksumMatches(group g: UInt32, buffer: UnsafeMutableRawPointer) -> Bool? {
        let sb = superblock
        let bytes = Int(sb.clustersPerGroup / 8)
        guard copyBits(of: .blocks, from: (sb.firstDataBlock >> sb.clusterBits) + UInt64(g) * UInt64(bytes * 8), count: bytes * 8, into: buffer)
        else { return nil }
        return ext2fs_block_bitmap_csum_verify(handle, g, buffer.assumingMemoryBound(to: CChar.self), Int32(bytes)) != 0
    }

    /// Whether group `g`'s loaded inode bitmap matches the checksum its descriptor keeps
    /// (`ext2fs_inode_bitmap_csum_verify`); nil when its bits cannot be copied.
    func inodeBitmapChecksumMatches(group g: UInt32, buffer: UnsafeMutableRawPointer) -> Bool? {
        let bytes = Int(superblock.inodesPerGroup / 8)
        guard copyBits(of: .inodes, from: 1 + UInt64(g) * UInt64(bytes * 8), count: bytes * 8, into: buffer) else { return nil }
        return ext2fs_inode_bitmap_csum_verify(handle, g, buffer.assumingMemoryBound(to: CChar.self), Int32(bytes)) != 0
    }

    /// Bytes a buffer for one group's block or inode bitmap needs.
    var groupBitmapBytes: Int {
        let sb = superblock
        return max(Int(sb.clustersPerGroup / 8), Int(sb.inodesPerGroup / 8), 1)
    }
}
