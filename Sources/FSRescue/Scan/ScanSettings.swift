// What a scan knows of the filesystem before it reads an inode, read once and shared by its passes.

/// The superblock's geometry and features as the scan uses them, copied once per scan from the
/// ``Filesystem``'s ``Superblock`` and ``Features``.
struct ScanSettings {
    let blockSize: UInt32
    let blocksCount: UInt64
    let firstDataBlock: UInt64
    /// The inodes the scan covers: `s_inodes_count`, but no more than the groups' inode tables hold.
    /// A damaged superblock (opened with `EXT2_FLAG_IGNORE_SB_ERRORS`) may claim billions on a
    /// one-group filesystem, and the scan sizes its per-inode bitmap by this number.
    let inodesCount: UInt32
    let firstInode: UInt32
    let inodesPerGroup: UInt32
    let groupCount: UInt32
    /// log2(blocks per cluster): 0 unless bigalloc.
    let clusterBits: UInt64
    /// Bytes per on-disk inode.
    let inodeSize: Int
    /// The project quota file and the orphan file (0 when none): never charged to a quota.
    let projectQuotaInode: UInt32, orphanFileInode: UInt32
    let features: Features
    /// libext2fs already verifies inode checksums in the inode scan unless the open had to ignore them.
    let verifiesInodeChecksums: Bool

    init(_ filesystem: Filesystem) {
        let sb = filesystem.superblock
        blockSize = filesystem.blockSize
        blocksCount = filesystem.blocksCount
        firstDataBlock = sb.firstDataBlock
        inodesCount = filesystem.readableInodesCount
        firstInode = sb.firstInode
        inodesPerGroup = sb.inodesPerGroup
        groupCount = filesystem.groupCount
        clusterBits = sb.clusterBits
        inodeSize = sb.inodeSize
        projectQuotaInode = sb.projectQuotaInode
        orphanFileInode = sb.orphanFileInode
        features = filesystem.features
        verifiesInodeChecksums = filesystem.verifiesInodeChecksums
    }
}

/// A scan or one of its passes: it reads `filesystem` with the ``ScanSettings`` of the scan, and
/// gets the settings its loops use most, the cluster of a block and block reads by name (the rest
/// through `settings`).
protocol ScanParticipant {
    var settings: ScanSettings { get }
    var filesystem: Filesystem { get }
}

extension ScanParticipant {
    var blockSize: UInt32 { settings.blockSize }
    var blocksCount: UInt64 { settings.blocksCount }
    var inodesCount: UInt32 { settings.inodesCount }
    var firstInode: UInt32 { settings.firstInode }
    var inodesPerGroup: UInt32 { settings.inodesPerGroup }
    var groupCount: UInt32 { settings.groupCount }
    var clusterBits: UInt64 { settings.clusterBits }
    var inodeSize: Int { settings.inodeSize }
    var hasFiletype: Bool { settings.features.contains(.fileType) }
    var hasMetadataCsum: Bool { settings.features.contains(.metadataChecksums) }
    var hasDirNlink: Bool { settings.features.contains(.directoryLinkLimit) }
    var hasEAInode: Bool { settings.features.contains(.attributeInodes) }

    func cluster(_ block: UInt64) -> UInt64 { block >> settings.clusterBits }

    /// Reads `count` blocks from `block` into `buffer` (``Filesystem/readBlocks(_:count:into:)``); nil when read.
    func read(_ block: UInt64, count: Int = 1, into buffer: UnsafeMutableRawPointer) -> Ext2Error? {
        filesystem.readBlocks(BlockNumber(block), count: count, into: buffer)
    }
}
