// The superblock fields the checks read, as a view of libext2fs's struct.
internal import CFSRescueExt2fs

/// The superblock the filesystem was opened with, as the checks need it: geometry, the inodes it
/// names, and its state. A view of `fs->super` (and the handle's derived geometry): each field is
/// read where it is asked for, from the handle the ``Filesystem`` keeps open, which nothing
/// changes once opened (the handle is read-only).
struct Superblock {
    private let fs: ext2_filsys
    /// `fs->super`, read field by field (never copied whole).
    private var sb: UnsafeMutablePointer<ext2_super_block> { fs.pointee.super }

    init(_ fs: ext2_filsys) { self.fs = fs }

    /// `s_inodes_count` as recorded (see ``Filesystem/readableInodesCount`` for what can be read).
    var inodesCount: UInt32 { sb.pointee.s_inodes_count }
    /// `EXT2_FIRST_INODE`: the first inode not reserved.
    var firstInode: UInt32 { fsr_first_inode(fs) }
    /// `EXT2_INODE_SIZE`: bytes per on-disk inode.
    var inodeSize: Int { Int(fsr_inode_size(fs)) }
    /// `EXT2_INODES_PER_GROUP`.
    var inodesPerGroup: UInt32 { fsr_inodes_per_group(fs) }
    /// `EXT2_BLOCKS_PER_GROUP`.
    var blocksPerGroup: UInt32 { fsr_blocks_per_group(fs) }
    /// `s_clusters_per_group`.
    var clustersPerGroup: UInt32 { sb.pointee.s_clusters_per_group }
    /// `fs->inode_blocks_per_group`: blocks of one group's inode table.
    var inodeTableBlocks: UInt32 { fs.pointee.inode_blocks_per_group }
    /// `ext2fs_blocks_count`: blocks in the filesystem.
    var blocksCount: UInt64 { UInt64(ext2fs_blocks_count(fs.pointee.super)) }
    /// `s_first_data_block`: 1 with 1 KiB blocks, else 0.
    var firstDataBlock: UInt64 { UInt64(sb.pointee.s_first_data_block) }
    /// `fs->cluster_ratio_bits`: log2(blocks per cluster), 0 unless bigalloc.
    var clusterBits: UInt64 { UInt64(fs.pointee.cluster_ratio_bits) }
    /// `s_journal_inum`, 0 when none.
    var journalInode: UInt32 { sb.pointee.s_journal_inum }
    /// `s_usr_quota_inum`, `s_grp_quota_inum`, `s_prj_quota_inum` (0 when unset), in ``QuotaType`` order.
    var quotaInodes: [UInt32] { [sb.pointee.s_usr_quota_inum, sb.pointee.s_grp_quota_inum, sb.pointee.s_prj_quota_inum] }
    /// The project quota file (`s_prj_quota_inum`), 0 when none.
    var projectQuotaInode: UInt32 { sb.pointee.s_prj_quota_inum }
    /// `s_orphan_file_inum`, 0 when none.
    var orphanFileInode: UInt32 { sb.pointee.s_orphan_file_inum }
    /// `s_last_orphan`: the head of the orphan list, 0 when empty.
    var lastOrphan: UInt32 { sb.pointee.s_last_orphan }
    /// `s_mmp_block`.
    var mmpBlock: UInt64 { UInt64(sb.pointee.s_mmp_block) }
    /// `s_free_inodes_count`.
    var freeInodes: UInt32 { sb.pointee.s_free_inodes_count }
    /// `ext2fs_free_blocks_count`.
    var freeBlocks: UInt64 { UInt64(ext2fs_free_blocks_count(fs.pointee.super)) }
    /// `EXT2_VALID_FS` is set in `s_state`: cleanly unmounted.
    var cleanlyUnmounted: Bool { sb.pointee.s_state & UInt16(EXT2_VALID_FS) != 0 }
    /// `EXT2_ERROR_FS` is set in `s_state`: the kernel met an error.
    var errorFlag: Bool { sb.pointee.s_state & UInt16(EXT2_ERROR_FS) != 0 }
    /// `s_hash_seed`, as four words.
    var hashSeed: [UInt32] { withUnsafeBytes(of: sb.pointee.s_hash_seed) { Array($0.bindMemory(to: UInt32.self)) } }
    /// `EXT2_FLAGS_UNSIGNED_HASH` in `s_flags`: the legacy and TEA hashes use unsigned chars.
    var unsignedHash: Bool { sb.pointee.s_flags & UInt32(EXT2_FLAGS_UNSIGNED_HASH) != 0 }
    /// `s_journal_uuid`: the external journal device this filesystem uses.
    var journalUUID: [UInt8] { withUnsafeBytes(of: sb.pointee.s_journal_uuid) { Array($0) } }
    /// The crc32c seed of metadata checksums: `s_checksum_seed` with the metadata_csum_seed
    /// feature, else crc32c(~0, `s_uuid`).
    var checksumSeed: UInt32 {
        sb.pointee.s_feature_incompat & UInt32(EXT4_FEATURE_INCOMPAT_CSUM_SEED) != 0
            ? sb.pointee.s_checksum_seed : withUnsafeBytes(of: sb.pointee.s_uuid) { CRC32C.update(~0, $0) }
    }
    /// `fs->desc_blocks`: blocks of group descriptors after each superblock copy.
    var descriptorBlocks: UInt64 { UInt64(fs.pointee.desc_blocks) }
}
