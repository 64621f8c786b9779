// What `fsrescue info` reports: facts read from the superblock, the image and the partition table.
import Foundation

/// A snapshot of what a filesystem is: the facts `fsrescue info` prints and the scan report embeds.
/// Every field is read from the superblock (`fs->super`) and the image, never written.
public struct FilesystemInfo: Sendable, Codable {
    public struct Image: Sendable, Codable {
        public let path: String
        public let kind: ImageKind
        public let sizeBytes: UInt64
    }

    public struct Times: Sendable, Codable {
        public let created: Date?
        public let lastMount: Date?
        public let lastWrite: Date?
        public let lastCheck: Date?
    }

    public struct State: Sendable, Codable {
        /// `EXT2_VALID_FS`: cleanly unmounted.
        public let clean: Bool
        /// `EXT2_ERROR_FS`: the kernel recorded errors.
        public let errors: Bool
        /// `s_errors`: what the kernel does on an error (`continue`, `remount-ro`, `panic`).
        public let errorBehavior: String
        /// `s_error_count`: errors the kernel recorded.
        public let errorCount: UInt32
        public let mountCount: UInt16
        public let maxMountCount: Int16
    }

    public struct Orphans: Sendable, Codable {
        /// `s_last_orphan`: head of the orphan inode list (0 when empty).
        public let listHead: UInt32
        /// The `orphan_file` feature is on.
        public let orphanFile: Bool
        /// `s_orphan_file_inum`, when the feature is on.
        public let orphanFileInode: UInt32?
    }

    public struct Journal: Sendable, Codable {
        public let present: Bool
        /// `s_journal_inum` for an internal journal.
        public let inode: UInt32?
        /// True when the journal lives on another device.
        public let external: Bool
        /// `needs_recovery`: transactions not yet replayed.
        public let needsRecovery: Bool
    }

    public struct Truncation: Sendable, Codable {
        /// Bytes the filesystem claims (blocks × block size, from its offset).
        public let filesystemBytes: UInt64
        /// Bytes the image region actually has.
        public let availableBytes: UInt64
        public var isShort: Bool { availableBytes < filesystemBytes }
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

    public let image: Image
    public let location: FilesystemLocation
    /// `ext2`, `ext3` or `ext4`, from the feature set (as blkid decides).
    public let type: String
    /// Feature names as `dumpe2fs` prints them (`e2p_feature2string`).
    public let features: [String]
    public let uuid: String
    public let label: String
    public let lastMountedOn: String
    public let blockSize: UInt32
    public let blocksCount: UInt64
    public let freeBlocks: UInt64
    public let reservedBlocks: UInt64
    public let inodesCount: UInt32
    public let freeInodes: UInt32
    public let inodeSize: UInt32
    public let firstDataBlock: UInt32
    public let groupCount: UInt32
    public let blocksPerGroup: UInt32
    public let inodesPerGroup: UInt32
    public let state: State
    public let times: Times
    public let superblock: SuperblockLocation
    public let orphans: Orphans
    public let journal: Journal
    public let truncation: Truncation
    /// Problems met while opening, and the state and truncation findings derived from these facts.
    public let findings: [Finding]

    /// True when no finding of warning or error severity was met.
    public var isClean: Bool { !findings.contains { $0.severity >= .warning } }
}
