// One line of manifest.jsonl: what was done with one inode at one output path.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// How much of an item was recovered.
public enum SalvageStatus: String, Sendable, Codable {
    /// Every byte written as it is on disk.
    case complete
    /// Written, but some byte ranges could not be read (they are holes) or are doubtful.
    case partial
    /// Not written (device nodes, FIFOs, sockets, loops, limits); `skipped_reason` says why.
    case skipped
}

/// One manifest line (`"record": "item"`), schema `fsrescue.manifest/1`.
public struct ManifestRecord: Sendable, Codable, Equatable {
    /// Always `item` (the manifest's other records are `run` and `end`).
    public var record = "item"
    /// Output path relative to the output folder (`root/etc/passwd`, `lost+found/#12`).
    public var path: String
    /// The inode written.
    public var inode: UInt32
    /// Its type.
    public var type: FileType
    /// `i_size` in bytes.
    public var size: UInt64
    /// Data bytes read from the image and written.
    public var bytesRecovered: UInt64
    /// SHA-256 (hex) of the content as written, holes and missing ranges as zeros.
    public var sha256: String?
    /// Why ``sha256`` is absent (files with over 1 GiB of holes).
    public var sha256Omitted: String?
    /// Complete, partial or skipped.
    public var status: SalvageStatus
    /// Byte ranges `[start, end)` that could not be read (written as holes).
    public var missingRanges: [[UInt64]]?
    /// The part of ``missingRanges`` the disk never gave (a ddrescue mapfile's unknown areas).
    public var unreadRanges: [[UInt64]]?
    /// `[[start, end), …]` byte ranges written from blocks another inode also claims: read, but possibly another file's data.
    public var doubtfulRanges: [[UInt64]]?
    /// Why the item was not written.
    public var skippedReason: String?
    /// The original name as UTF-8 text, when its bytes are valid UTF-8.
    public var name: String?
    /// The original name bytes, base64, when they are not valid UTF-8.
    public var nameBase64: String?
    /// Where the name came from.
    public var nameSource: NameSource
    /// How sure the name is, 0…1 (1 for a live directory entry).
    public var confidence: Double
    /// The path inside the image, when the item is attached.
    public var imagePath: String?
    /// A symlink's target.
    public var linkTarget: String?
    /// Output path of the first link of a hard-linked inode, when this entry is a link to it.
    public var hardLinkTo: String?
    /// Permission bits as on disk.
    public var mode: UInt16
    /// Owner as on disk.
    public var uid: UInt32
    /// Group as on disk.
    public var gid: UInt32
    /// Modification time as on disk, seconds since 1970.
    public var mtime: Int64
    /// Finding codes that touch this inode.
    public var findings: [String]
    /// For a file the journal's history brought back (`salvage --deleted`): `deleted` or `previous-version`.
    public var history: String?
    /// The journal transaction whose copy of the inode this is, and its commit time (seconds since 1970).
    public var journalSequence: UInt32?
    public var journalCommitTime: UInt64?

    /// A record for `inode` written at `path`; `nameBytes` go to ``name`` or ``nameBase64``.
    public init(path: String, inode: UInt32, type: FileType, size: UInt64, status: SalvageStatus,
                nameBytes: [UInt8]?, nameSource: NameSource, confidence: Double, mode: UInt16 = 0,
                uid: UInt32 = 0, gid: UInt32 = 0, mtime: Int64 = 0) {
        self.path = path
        self.inode = inode
        self.type = type
        self.size = size
        self.bytesRecovered = 0
        self.status = status
        self.nameSource = nameSource
        self.confidence = confidence
        self.mode = mode
        self.uid = uid
        self.gid = gid
        self.mtime = mtime
        self.findings = []
        if let nameBytes {
            if let text = String(validating: nameBytes, as: UTF8.self) { name = text } else { nameBase64 = Data(nameBytes).base64EncodedString() }
        }
    }
}
