// How to find and open the filesystem in an image.

/// Overrides for locating the filesystem. All optional: by default fsrescue finds the ext
/// partition of a whole-disk image and falls back to backup superblocks on its own.
public struct OpenOptions: Sendable, Equatable {
    /// Open partition number `N` of a partition table (as `blkid` and `sfdisk` number them).
    public var partition: Int?
    /// Byte offset of the filesystem in the image; overrides partition probing.
    public var offsetBytes: UInt64?
    /// Open from the superblock at this block number (needs ``blockSize``), like `e2fsck -b`.
    public var superblock: UInt64?
    /// Block size to use with ``superblock``, like `e2fsck -B`.
    public var blockSize: UInt32?
    /// Replay the journal in memory when the superblock asks for recovery (the default); false reads
    /// the image exactly as it is on disk (`--no-replay`).
    public var replayJournal: Bool = true
    /// The external journal device (an image of it), for a filesystem whose journal is not an inode
    /// (`--journal FILE`); opened read-only like the image.
    public var journalPath: String?
    /// What a GNU ddrescue mapfile says was never read from the disk (`--mapfile FILE`): those bytes
    /// of the image are never trusted as data or structures.
    public var mapfile: Mapfile?

    /// Options for ``Filesystem/open(path:options:)``; all nil lets the filesystem be found automatically.
    public init(partition: Int? = nil, offsetBytes: UInt64? = nil, superblock: UInt64? = nil, blockSize: UInt32? = nil) {
        self.partition = partition
        self.offsetBytes = offsetBytes
        self.superblock = superblock
        self.blockSize = blockSize
    }
}

/// Where in the image the filesystem was found, and how that was decided.
public struct FilesystemLocation: Sendable, Codable, Equatable {
    /// Byte offset of the filesystem in the image.
    public let offsetBytes: UInt64
    /// Size in bytes of the region holding it (the partition, or the rest of the image).
    public let regionBytes: UInt64
    /// The partition number, when the filesystem is in a partition.
    public let partition: Int?
    /// The partition table of the image, if any.
    public let partitionTable: PartitionTable?
    /// What libblkid says the region holds (`ext4`, …), if anything.
    public let blkidType: String?
    /// How the offset was chosen: `whole-image`, `partition`, `only-ext-partition`, `--offset`.
    public let chosenBy: String
}

/// The superblock the filesystem was opened from.
public struct SuperblockLocation: Sendable, Codable, Equatable {
    /// Block number (0 for the primary superblock at byte 1024).
    public let block: UInt64
    /// The block size it was opened with.
    public let blockSize: UInt32
    /// True when a backup was used because the primary was unusable (or when asked for).
    public let isBackup: Bool

    /// A superblock at `block` (0 is the primary) for a filesystem of `blockSize`-byte blocks.
    public init(block: UInt64, blockSize: UInt32, isBackup: Bool) {
        self.block = block
        self.blockSize = blockSize
        self.isBackup = isBackup
    }
}
