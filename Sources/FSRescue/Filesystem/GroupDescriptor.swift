// One block group's descriptor, as libext2fs holds it in memory.
internal import CFSRescueExt2fs

/// A block group's descriptor fields, read through libext2fs's accessors (`ext2fs_bg_*`,
/// `ext2fs_*_loc`, `ext2fs_group_first_block2`): 32- and 64-bit descriptors alike. A view of the
/// handle's in-memory descriptors: each field is read where it is asked for.
struct GroupDescriptor {
    private let fs: ext2_filsys
    /// The group's number.
    let group: UInt32

    init(_ fs: ext2_filsys, _ g: UInt32) {
        self.fs = fs
        group = g
    }

    /// `ext2fs_block_bitmap_loc`.
    var blockBitmap: UInt64 { UInt64(ext2fs_block_bitmap_loc(fs, group)) }
    /// `ext2fs_inode_bitmap_loc`.
    var inodeBitmap: UInt64 { UInt64(ext2fs_inode_bitmap_loc(fs, group)) }
    /// `ext2fs_inode_table_loc`: the inode table's first block (0 or past the end when damaged).
    var inodeTable: UInt64 { UInt64(ext2fs_inode_table_loc(fs, group)) }
    /// `ext2fs_bg_free_blocks_count`.
    var freeBlocks: UInt32 { ext2fs_bg_free_blocks_count(fs, group) }
    /// `ext2fs_bg_free_inodes_count`.
    var freeInodes: UInt32 { ext2fs_bg_free_inodes_count(fs, group) }
    /// `ext2fs_bg_used_dirs_count`.
    var usedDirectories: UInt32 { ext2fs_bg_used_dirs_count(fs, group) }
    /// `ext2fs_bg_itable_unused`: inodes at the end of the table never used.
    var unusedInodes: UInt32 { ext2fs_bg_itable_unused(fs, group) }
    /// `EXT2_BG_INODE_UNINIT`: no inode of the group was ever used.
    var inodesUninitialized: Bool { ext2fs_bg_flags_test(fs, group, UInt16(EXT2_BG_INODE_UNINIT)) != 0 }
    /// `EXT2_BG_BLOCK_UNINIT`: the block bitmap was never written.
    var blocksUninitialized: Bool { ext2fs_bg_flags_test(fs, group, UInt16(EXT2_BG_BLOCK_UNINIT)) != 0 }
    /// `ext2fs_group_first_block2`.
    var firstBlock: UInt64 { UInt64(ext2fs_group_first_block2(fs, group)) }
    /// `ext2fs_group_last_block2`.
    var lastBlock: UInt64 { UInt64(ext2fs_group_last_block2(fs, group)) }
}

extension Filesystem {
    /// Group `g`'s descriptor (`g` below ``groupCount``).
    func group(_ g: UInt32) -> GroupDescriptor { GroupDescriptor(handle, g) }

    /// The descriptors carry checksums and unused marks (`ext2fs_has_group_desc_csum`: gdt_csum or metadata_csum).
    var hasGroupDescriptorChecksums: Bool { ext2fs_has_group_desc_csum(handle) != 0 }

    /// Clears every group's unused marks (`bg_itable_unused`, `INODE_UNINIT`) in the handle's
    /// in-memory descriptors (`ext2fs_bg_itable_unused_set`, `ext2fs_bg_flags_clear`), since
    /// libext2fs's inode scan stops at them whatever its flags. Nothing is written: the handle is read-only.
    func forgetUnusedInodeMarks() {
        for g in 0..<groupCount {
            ext2fs_bg_itable_unused_set(handle, g, 0)
            ext2fs_bg_flags_clear(handle, g, UInt16(EXT2_BG_INODE_UNINIT))
        }
    }
}
