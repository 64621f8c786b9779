// What `fsrescue info` reports: facts read from the superblock, the image and the partition table.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// A snapshot of what a filesystem is: the facts `fsrescue info` prints and the scan report embeds.
/// Every field is read from the superblock (`fs->super`) and the image, never written.
public struct FilesystemInfo: Sendable, Codable {
    /// The image file or device read.
    public struct Image: Sendable, Codable {
        /// The path as given.
        public let path: String
        /// A regular file or a block device.
        public let kind: ImageKind
        /// Its size in bytes.
        public let sizeBytes: UInt64
    }

    /// Superblock timestamps; nil when never set.
    public struct Times: Sendable, Codable {
        /// `s_mkfs_time`.
        public let created: Date?
        /// `s_mtime`.
        public let lastMount: Date?
        /// `s_wtime`.
        public let lastWrite: Date?
        /// `s_lastcheck`.
        public let lastCheck: Date?
    }

    /// State and error flags from the superblock.
    public struct State: Sendable, Codable {
        /// `EXT2_VALID_FS`: cleanly unmounted.
        public let clean: Bool
        /// `EXT2_ERROR_FS`: the kernel recorded errors.
        public let errors: Bool
        /// `s_errors`: what the kernel does on an error (`continue`, `remount-ro`, `panic`).
        public let errorBehavior: String
        /// `s_error_count`: errors the kernel recorded.
        public let errorCount: UInt32
        /// `s_mnt_count`: mounts since the last check.
        public let mountCount: UInt16
        /// `s_max_mnt_count`: mounts allowed between checks (-1: unlimited).
        public let maxMountCount: Int16
    }

    /// Where pending deletions are recorded.
    public struct Orphans: Sendable, Codable {
        /// `s_last_orphan`: head of the orphan inode list (0 when empty).
        public let listHead: UInt32
        /// The `orphan_file` feature is on.
        public let orphanFile: Bool
        /// `s_orphan_file_inum`, when the feature is on.
        public let orphanFileInode: UInt32?
    }

    /// The journal, as the superblock describes it.
    public struct Journal: Sendable, Codable {
        /// `has_journal` is on.
        public let present: Bool
        /// `s_journal_inum` for an internal journal.
        public let inode: UInt32?
        /// True when the journal lives on another device.
        public let external: Bool
        /// `needs_recovery`: transactions not yet replayed (on disk; see ``replay``).
        public let needsRecovery: Bool
        /// What the in-memory replay applied, when the journal was replayed.
        public let replay: JournalReplaySummary?
    }

    /// Whether the image holds every block the filesystem claims (e2fsck calls a short image clean).
    public struct Truncation: Sendable, Codable {
        /// Bytes the filesystem claims (blocks × block size, from its offset).
        public let filesystemBytes: UInt64
        /// Bytes the image region actually has.
        public let availableBytes: UInt64
        /// The image ends before the filesystem does.
        public var isShort: Bool { availableBytes < filesystemBytes }
        /// How many bytes are missing at the end (0 when complete).
        public var missingBytes: UInt64 { isShort ? filesystemBytes - availableBytes : 0 }

        private enum CodingKeys: String, CodingKey { case filesystemBytes, availableBytes, isShort, missingBytes }
        init(filesystemBytes: UInt64, availableBytes: UInt64) {
            self.filesystemBytes = filesystemBytes
            self.availableBytes = availableBytes
        }
        public init(from decoder: any Decoder) throws {
            let c = try decoder.container(keyedBy: CodingKeys.self)
            filesystemBytes = try c.decode(UInt64.self, forKey: .filesystemBytes)
            availableBytes = try c.decode(UInt64.self, forKey: .availableBytes)
        }
        public func encode(to encoder: any Encoder) throws {
            var c = encoder.container(keyedBy: CodingKeys.self)
            try c.encode(filesystemBytes, forKey: .filesystemBytes)
            try c.encode(availableBytes, forKey: .availableBytes)
            try c.encode(isShort, forKey: .isShort)
            try c.encode(missingBytes, forKey: .missingBytes)
        }
    }

    /// The image file or device read.
    public let image: Image
    /// Where in the image the filesystem is, and how that was chosen.
    public let location: FilesystemLocation
    /// `ext2`, `ext3` or `ext4`, from the feature set (as blkid decides).
    public let type: String
    /// Feature names as `dumpe2fs` prints them (`e2p_feature2string`).
    public let features: [String]
    /// `s_uuid`, as text.
    public let uuid: String
    /// `s_volume_name` (empty when none).
    public let label: String
    /// `s_last_mounted` (empty when never).
    public let lastMountedOn: String
    /// Block size in bytes.
    public let blockSize: UInt32
    /// `ext2fs_blocks_count`: blocks in the filesystem.
    public let blocksCount: UInt64
    /// `ext2fs_free_blocks_count`, as the superblock records it.
    public let freeBlocks: UInt64
    /// `ext2fs_r_blocks_count`: blocks reserved for root.
    public let reservedBlocks: UInt64
    /// `s_inodes_count`.
    public let inodesCount: UInt32
    /// `s_free_inodes_count`, as the superblock records it.
    public let freeInodes: UInt32
    /// Bytes per on-disk inode.
    public let inodeSize: UInt32
    /// `s_first_data_block`: 1 with 1 KiB blocks, else 0.
    public let firstDataBlock: UInt32
    /// Block groups.
    public let groupCount: UInt32
    /// `s_blocks_per_group`.
    public let blocksPerGroup: UInt32
    /// `s_inodes_per_group`.
    public let inodesPerGroup: UInt32
    /// State and error flags.
    public let state: State
    /// Creation, mount, write and check times.
    public let times: Times
    /// The superblock used: the primary, or the backup that opened.
    public let superblock: SuperblockLocation
    /// The orphan list head and the orphan file.
    public let orphans: Orphans
    /// The journal.
    public let journal: Journal
    /// Whether the image is shorter than the filesystem.
    public let truncation: Truncation
    /// Problems met while opening, and the state and truncation findings derived from these facts.
    public let findings: [Finding]

    /// True when no finding of warning or error severity was met.
    public var isClean: Bool { !findings.contains { $0.severity >= .warning } }
}
