// The superblock fields the checks read, copied out of libext2fs's struct at once.
internal import CFSRescueExt2fs

/// The superblock the filesystem was opened with, as the checks need it: geometry, the inodes it
/// names, and its state. Copied from `fs->super` (and the handle's derived geometry) at once.
struct Superblock: Sendable {
    /// `s_inodes_count` as recorded (see ``Filesystem/readableInodesCount`` for what can be read).
    let inodesCount: UInt32
    /// `EXT2_FIRST_INODE`: the first inode not reserved.
    let firstInode: UInt32
    /// `EXT2_INODE_SIZE`: bytes per on-disk inode.
    let inodeSize: Int
    /// `EXT2_INODES_PER_GROUP`.
    let inodesPerGroup: UInt32
    /// `EXT2_BLOCKS_PER_GROUP`.
    let blocksPerGroup: UInt32
    /// `s_clusters_per_group`.
    let clustersPerGroup: UInt32
    /// `fs->inode_blocks_per_group`: blocks of one group's inode table.
    let inodeTableBlocks: UInt32
    /// `ext2fs_blocks_count`: blocks in the filesystem.
    let blocksCount: UInt64
    /// `s_first_data_block`: 1 with 1 KiB blocks, else 0.
    let firstDataBlock: UInt64
    /// `fs->cluster_ratio_bits`: log2(blocks per cluster), 0 unless bigalloc.
    let clusterBits: UInt64
    /// `s_journal_inum`, 0 when none.
    let journalInode: UInt32
    /// `s_usr_quota_inum`, `s_grp_quota_inum`, `s_prj_quota_inum` (0 when unset), in ``QuotaType`` order.
    let quotaInodes: [UInt32]
    /// `s_orphan_file_inum`, 0 when none.
    let orphanFileInode: UInt32
    /// `s_last_orphan`: the head of the orphan list, 0 when empty.
    let lastOrphan: UInt32
    /// `s_mmp_block`.
    let mmpBlock: UInt64
    /// `s_free_inodes_count`.
    let freeInodes: UInt32
    /// `ext2fs_free_blocks_count`.
    let freeBlocks: UInt64
    /// `EXT2_VALID_FS` is set in `s_state`: cleanly unmounted.
    let cleanlyUnmounted: Bool
    /// `EXT2_ERROR_FS` is set in `s_state`: the kernel met an error.
    let errorFlag: Bool
    /// `s_hash_seed`, as four words.
    let hashSeed: [UInt32]
    /// `EXT2_FLAGS_UNSIGNED_HASH` in `s_flags`: the legacy and TEA hashes use unsigned chars.
    let unsignedHash: Bool
    /// `s_journal_uuid`: the external journal device this filesystem uses.
    let journalUUID: [UInt8]
    /// The crc32c seed of metadata checksums: `s_checksum_seed` with the metadata_csum_seed
    /// feature, else crc32c(~0, `s_uuid`).
    let checksumSeed: UInt32
    /// `fs->desc_blocks`: blocks of group descriptors after each superblock copy.
    let descriptorBlocks: UInt64

    init(_ fs: ext2_filsys) {
        let sb = fs.pointee.super.pointee
        inodesCount = sb.s_inodes_count
        firstInode = fsr_first_inode(fs)
        inodeSize = Int(fsr_inode_size(fs))
        inodesPerGroup = fsr_inodes_per_group(fs)
        blocksPerGroup = fsr_blocks_per_group(fs)
        clustersPerGroup = sb.s_clusters_per_group
        inodeTableBlocks = fs.pointee.inode_blocks_per_group
        blocksCount = UInt64(ext2fs_blocks_count(fs.pointee.super))
        firstDataBlock = UInt64(sb.s_first_data_block)
        clusterBits = UInt64(fs.pointee.cluster_ratio_bits)
        journalInode = sb.s_journal_inum
        quotaInodes = [sb.s_usr_quota_inum, sb.s_grp_quota_inum, sb.s_prj_quota_inum]
        orphanFileInode = sb.s_orphan_file_inum
        lastOrphan = sb.s_last_orphan
        mmpBlock = UInt64(sb.s_mmp_block)
        freeInodes = sb.s_free_inodes_count
        freeBlocks = UInt64(ext2fs_free_blocks_count(fs.pointee.super))
        cleanlyUnmounted = sb.s_state & UInt16(EXT2_VALID_FS) != 0
        errorFlag = sb.s_state & UInt16(EXT2_ERROR_FS) != 0
        hashSeed = withUnsafeBytes(of: sb.s_hash_seed) { Array($0.bindMemory(to: UInt32.self)) }
        unsignedHash = sb.s_flags & UInt32(EXT2_FLAGS_UNSIGNED_HASH) != 0
        journalUUID = withUnsafeBytes(of: sb.s_journal_uuid) { Array($0) }
        checksumSeed = sb.s_feature_incompat & UInt32(EXT4_FEATURE_INCOMPAT_CSUM_SEED) != 0
            ? sb.s_checksum_seed : withUnsafeBytes(of: sb.s_uuid) { CRC32C.update(~0, $0) }
        descriptorBlocks = UInt64(fs.pointee.desc_blocks)
    }

    /// The project quota file (`s_prj_quota_inum`), 0 when none.
    var projectQuotaInode: UInt32 { quotaInodes[2] }
}
