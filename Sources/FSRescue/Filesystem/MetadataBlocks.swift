// Where the filesystem's own structures lie: superblock and descriptor copies, bitmaps, inode tables.
internal import CFSRescueExt2fs

extension Filesystem {
    /// Calls `body` with each run of blocks holding filesystem metadata: superblock and descriptor
    /// copies and reserved GDT blocks (as `ext2fs_reserve_super_and_bgd` computes them, in a bitmap
    /// of its own), then each group's block bitmap, inode bitmap and inode table (a location of 0 is
    /// a missing table or bitmap, never block 0, and is left out), then the MMP block. Runs may lie
    /// outside the filesystem when descriptors are damaged; the caller bounds them.
    func forEachMetadataRun(_ body: (_ start: UInt64, _ length: UInt64) -> Void) {
        var bitmap: ext2fs_block_bitmap?
        if ext2fs_allocate_block_bitmap(handle, "fsrescue metadata", &bitmap) == 0, let bitmap {
            for g in 0..<groupCount { _ = ext2fs_reserve_super_and_bgd(handle, g, bitmap) }
            var start = superblock.firstDataBlock
            let last = blocksCount - 1
            while start <= last {
                var first: blk64_t = 0, end: blk64_t = 0
                guard ext2fs_find_first_set_block_bitmap2(bitmap, start, last, &first) == 0 else { break }
                if ext2fs_find_first_zero_block_bitmap2(bitmap, first, last, &end) != 0 { end = last + 1 }
                body(UInt64(first), UInt64(end) - UInt64(first))
                start = UInt64(end) + 1
            }
            ext2fs_free_block_bitmap(bitmap)
        }
        let tableBlocks = UInt64(superblock.inodeTableBlocks)
        for g in 0..<groupCount {
            let descriptor = group(g)
            for (start, length) in [(descriptor.blockBitmap, UInt64(1)), (descriptor.inodeBitmap, 1), (descriptor.inodeTable, tableBlocks)]
            where start != 0 {
                body(start, length)
            }
        }
        if features.contains(.multiMountProtection) { body(superblock.mmpBlock, 1) }
    }
}
