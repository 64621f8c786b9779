// Which blocks the filesystem itself uses: superblocks, descriptors, reserved GDT, bitmaps, inode tables.
internal import CFSRescueExt2fs

extension ScanRun {
    /// Marks every metadata block in ``metadata``: superblock and descriptor copies (and reserved GDT
    /// blocks) as `ext2fs_reserve_super_and_bgd` computes them, each group's bitmaps and inode table
    /// (`ext2fs_block_bitmap_loc`, `ext2fs_inode_bitmap_loc`, `ext2fs_inode_table_loc`), and the MMP block.
    /// Locations outside the filesystem are skipped (the open already reported bad descriptors).
    func markMetadata() {
        var bitmap: ext2fs_block_bitmap?
        if ext2fs_allocate_block_bitmap(fs, "fsrescue metadata", &bitmap) == 0, let bitmap {
            for g in 0..<groupCount { _ = ext2fs_reserve_super_and_bgd(fs, g, bitmap) }
            var start = firstDataBlock
            let last = blocksCount - 1
            while start <= last {
                var first: blk64_t = 0, end: blk64_t = 0
                guard ext2fs_find_first_set_block_bitmap2(bitmap, start, last, &first) == 0 else { break }
                if ext2fs_find_first_zero_block_bitmap2(bitmap, first, last, &end) != 0 { end = last + 1 }
                markMetadata(UInt64(first), UInt64(end) - UInt64(first))
                start = UInt64(end) + 1
            }
            ext2fs_free_block_bitmap(bitmap)
        }
        let itableBlocks = UInt64(fs.pointee.inode_blocks_per_group)
        for g in 0..<groupCount {
            // A location of 0 is a missing table or bitmap, never block 0 itself.
            for (start, length) in [(UInt64(ext2fs_block_bitmap_loc(fs, g)), UInt64(1)),
                                    (UInt64(ext2fs_inode_bitmap_loc(fs, g)), 1),
                                    (UInt64(ext2fs_inode_table_loc(fs, g)), itableBlocks)] where start != 0 {
                markMetadata(start, length)
            }
        }
        let sb = fs.pointee.super.pointee
        if sb.s_feature_incompat & UInt32(EXT4_FEATURE_INCOMPAT_MMP) != 0 { markMetadata(UInt64(sb.s_mmp_block), 1) }
    }

    private func markMetadata(_ start: UInt64, _ length: UInt64) {
        guard start >= firstDataBlock, start < blocksCount, length > 0 else { return }
        let end = min(start + length, blocksCount)
        let c0 = cluster(start), c1 = cluster(end - 1)
        metadata.claim(c0, c1 - c0 + 1)
    }
}
