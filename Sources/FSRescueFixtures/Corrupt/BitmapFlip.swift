// bitmap-flip: bits of the block and inode bitmaps inverted, nothing else changed.
internal import CFSRescueExt2fs
import FSRescue

extension CorruptionContext {
    /// Flips `count` block-bitmap bits and `count` inode-bitmap bits (alternately a block or inode
    /// in use and a random one), through the in-memory bitmaps (`ext2fs_mark_block_bitmap2`,
    /// `ext2fs_unmark_inode_bitmap2`, …) that `ext2fs_close2` writes back with valid checksums.
    /// Only groups whose bitmaps are initialized are chosen: libext2fs does not write the
    /// bitmaps of BLOCK_UNINIT / INODE_UNINIT groups.
    mutating func bitmapFlip(_ wfs: WritableFilesystem, _ rng: inout SeededRandom) throws(FSRescueError) {
        let fs = wfs.fs
        let sb = fs.pointee.super.pointee
        var c = AppliedCorruption(kind: .bitmapFlip, seed: seed, summary: "")
        let usedBlocks = truth.entries.flatMap { e in (e.extents ?? []).map { $0[1] } }
        let usedInodes = truth.entries.map(\.inode).filter { $0 > TreePlanner.lostFoundInode }
        func blockOK(_ b: UInt64) -> Bool {
            b >= UInt64(sb.s_first_data_block) && b < wfs.blocksCount && !touchedBlocks.contains(b)
                && ext2fs_bg_flags_test(fs, ext2fs_group_of_blk2(fs, b), UInt16(EXT2_BG_BLOCK_UNINIT)) == 0
        }
        func inodeOK(_ i: UInt32) -> Bool {
            i > TreePlanner.lostFoundInode && i <= sb.s_inodes_count && !touchedInodes.contains(i)
                && ext2fs_bg_flags_test(fs, ext2fs_group_of_ino(fs, i), UInt16(EXT2_BG_INODE_UNINIT)) == 0
        }
        var flipped: [String] = []
        let firstData = UInt64(sb.s_first_data_block)
        for k in 0..<count {
            let draw = { (rng: inout SeededRandom) -> UInt64 in
                k % 2 == 0 && !usedBlocks.isEmpty ? rng.pick(usedBlocks) : firstData + rng.below(wfs.blocksCount - firstData)
            }
            guard let block = CorruptionContext.draw(&rng, draw, blockOK) else { continue }
            let wasUsed = ext2fs_test_block_bitmap2(fs.pointee.block_map, block) != 0
            if wasUsed { ext2fs_unmark_block_bitmap2(fs.pointee.block_map, block) } else { ext2fs_mark_block_bitmap2(fs.pointee.block_map, block) }
            c.blocks.append(block)
            touchedBlocks.insert(block)
            flipped.append("block \(block) \(wasUsed ? "used -> free" : "free -> used")")
        }
        let spread = UInt64(sb.s_inodes_count > TreePlanner.firstInode ? sb.s_inodes_count - TreePlanner.firstInode : 1)
        for k in 0..<count {
            let draw = { (rng: inout SeededRandom) -> UInt32 in
                k % 2 == 0 && !usedInodes.isEmpty ? rng.pick(usedInodes) : TreePlanner.firstInode + UInt32(rng.below(spread))
            }
            guard let ino = CorruptionContext.draw(&rng, draw, inodeOK) else { continue }
            let wasUsed = ext2fs_test_inode_bitmap2(fs.pointee.inode_map, ino) != 0
            if wasUsed { ext2fs_unmark_inode_bitmap2(fs.pointee.inode_map, ino) } else { ext2fs_mark_inode_bitmap2(fs.pointee.inode_map, ino) }
            c.inodes.append(ino)
            flipped.append("inode \(ino) \(wasUsed ? "used -> free" : "free -> used")")
            if index.byInode[ino] != nil { note(ino, "bitmap-flip: its inode bitmap bit now says free") } else { touchedInodes.insert(ino) }
        }
        guard !flipped.isEmpty else { throw noTarget(.bitmapFlip, "initialized bitmap group") }
        ext2fs_mark_bb_dirty(fs)
        ext2fs_mark_ib_dirty(fs)
        for (k, text) in flipped.enumerated() { c.details["flip \(k + 1)"] = text }
        c.summary = "Flipped \(c.blocks.count) block-bitmap and \(c.inodes.count) inode-bitmap bit(s); group free counts left as they were."
        record(c)
    }
}
