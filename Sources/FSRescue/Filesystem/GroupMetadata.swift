// Where a group's superblock and descriptor copies lie, as libext2fs computes them.
internal import CFSRescueExt2fs

/// The superblock and descriptor copies a group holds (`ext2fs_super_and_bgd_loc2`).
struct GroupCopies {
    /// The superblock copy's block, 0 when the group has none (group 0's is at 0 or 1).
    let superblock: UInt64
    /// The first block of the descriptor table copy (not meta_bg), 0 when none.
    let oldDescriptors: UInt64
    /// The meta_bg descriptor block, 0 when none.
    let newDescriptor: UInt64
    /// Blocks at the group's start these and the reserved GDT blocks use.
    let usedBlocks: UInt64
}

extension Filesystem {
    /// Group `g`'s superblock and descriptor copies (`ext2fs_super_and_bgd_loc2`).
    func copies(inGroup g: UInt32) -> GroupCopies {
        var superblock: blk64_t = 0, old: blk64_t = 0, new: blk64_t = 0, used: blk_t = 0
        ext2fs_super_and_bgd_loc2(handle, g, &superblock, &old, &new, &used)
        return GroupCopies(superblock: UInt64(superblock), oldDescriptors: UInt64(old), newDescriptor: UInt64(new), usedBlocks: UInt64(used))
    }
}
