// Ground truth beside every fixture image: schema fsrescue.truth/1.

/// What a fixture image holds and what was done to it, written as `IMG.truth.json`.
///
/// Keys are snake_case in JSON (see README, "Truth schema"). Paths are `/`-separated from the
/// root; a name that is not printable UTF-8 or holds `/` also comes as `name_hex`.
public struct FixtureTruth: Codable, Sendable {
    public static let schemaName = "fsrescue.truth/1"

    public var schema: String = FixtureTruth.schemaName
    /// The spec the image was made from.
    public var spec: FixtureSpec
    public var filesystem: FilesystemFacts
    /// Every name in the tree (hard links: one entry per name), the root included, ordered by path.
    public var entries: [Entry]
    /// Inodes with more than one name.
    public var hardLinks: [HardLinkGroup]
    /// What `fixture corrupt` did, in the order applied (empty for a fresh image).
    public var corruptions: [AppliedCorruption] = []
    /// What a perfect recovery could still bring back (present once a corruption was applied).
    public var recoverable: Recoverable?

    public struct FilesystemFacts: Codable, Sendable, Hashable {
        public var type: FixtureType
        public var uuid: String
        public var hashSeed: String
        /// mke2fs's (fake) time, Unix seconds: the superblock times and the root's times.
        public var createdAt: UInt32
        public var imageBytes: UInt64
        public var blockSize: UInt32
        public var blocksCount: UInt64
        public var inodesCount: UInt32
        public var inodeSize: UInt32
        public var inodesPerGroup: UInt32
        public var blocksPerGroup: UInt32
        public var groupCount: UInt32
        public var firstDataBlock: UInt32
        /// Blocks holding backup superblocks (`zero-superblock` leaves these).
        public var backupSuperblocks: [UInt64]
        /// Where each group's inode table starts.
        public var inodeTables: [UInt64]
        public var metadataChecksums: Bool
    }

    /// One name in the tree.
    public struct Entry: Codable, Sendable, Hashable {
        public var path: String
        public var name: String
        /// The name's bytes in hex when `name` cannot carry them exactly.
        public var nameHex: String?
        public var parentInode: UInt32
        public var inode: UInt32
        /// `file`, `dir`, `symlink`, `char-device`, `block-device`, `fifo` or `socket`.
        public var type: String
        public var size: UInt64
        /// Full `st_mode` (type and permission bits), as a number.
        public var mode: UInt32
        public var uid: UInt32
        public var gid: UInt32
        public var links: UInt16
        public var mtime: UInt32
        /// Symlink target.
        public var target: String?
        /// SHA-256 of the content (regular files; holes read as zeros). Absent above 4 GiB.
        public var sha256: String?
        /// Data blocks: `[logical, physical, length]` triples.
        public var extents: [[UInt64]]?
        /// Extent leaves and indirect blocks.
        public var mappingBlocks: [UInt64]?
        /// For sparse files: byte ranges holding data, `[offset, length]`.
        public var dataRanges: [[UInt64]]?
        /// Byte ranges allocated but unwritten (they read as zeros; the blocks hold stale bytes),
        /// `[offset, length]`.
        public var unwrittenRanges: [[UInt64]]?
        public var xattrs: [Xattr]?
        public var xattrBlock: UInt64?
        /// Device numbers.
        public var device: [UInt32]?
    }

    public struct Xattr: Codable, Sendable, Hashable {
        public var name: String
        public var value: String
        public var size: Int
    }

    public struct HardLinkGroup: Codable, Sendable, Hashable {
        public var inode: UInt32
        public var paths: [String]
    }
}

/// One corruption as applied: the kind and exactly what it touched.
public struct AppliedCorruption: Codable, Sendable {
    public var kind: CorruptionKind
    public var seed: UInt64
    /// One sentence on what was done.
    public var summary: String
    public var inodes: [UInt32] = []
    public var blocks: [UInt64] = []
    public var names: [NameLocation] = []
    /// Byte ranges of the image that were overwritten, `[offset, length]`.
    public var byteRanges: [[UInt64]] = []
    /// Kind-specific facts (old and new values), as strings.
    public var details: [String: String] = [:]
    /// Entries added by the corruption (hostile names), described like the tree's entries.
    public var addedEntries: [FixtureTruth.Entry]?
}

/// Where a name is on disk.
public struct NameLocation: Codable, Sendable, Hashable {
    public var name: String
    public var nameHex: String?
    public var inode: UInt32
    public var dirInode: UInt32
    public var block: UInt64
    /// Offset of the entry in its block.
    public var offset: Int
    /// The entry's byte offset in the image.
    public var imageOffset: UInt64
    /// `live` (a valid entry), `slack` (only inside another entry's rec_len), `orphaned-block` (a
    /// valid entry in a block no inode maps any more) or `lost` (overwritten).
    public var state: String
}

/// The expected outcome of a perfect recovery, inode by inode, for the inodes a corruption touched
/// (directly or through an ancestor). Inodes not listed are unaffected: their content and names
/// survive as in `entries`.
public struct Recoverable: Codable, Sendable {
    public var affected: [InodeFate]
    /// Whether the filesystem can still be opened at all (from a backup superblock if needed).
    public var filesystemOpens: Bool
    public var notes: [String]
}

/// What survives of one inode.
public struct InodeFate: Codable, Sendable, Hashable {
    public var inode: UInt32
    /// The inode's original paths.
    public var paths: [String]
    public var type: String
    /// `intact` (byte-exact from its inode and blocks), `lost`, or `partial` (some blocks gone).
    public var content: String
    /// Whether the original path still resolves from the root.
    public var reachable: Bool
    /// Where its names can still be found on disk.
    public var names: [NameLocation]
    public var reasons: [String]
}
