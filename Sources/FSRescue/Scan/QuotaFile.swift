// The one reader of quota files: the v2 quota tree format (QFMT_VFS_V1) the kernel and e2fsprogs
// keep in the hidden quota inodes of a filesystem with the quota feature.

/// The three quota types of ext4, each kept in the inode its superblock field names.
enum QuotaType: Int, CaseIterable, Sendable {
    case user = 0, group = 1, project = 2

    /// `dqh_magic` of a v2 quota file of this type (`INITQMAGICS` in quotaio_v2.h).
    var magic: UInt32 {
        switch self {
        case .user: 0xD9C0_1F11
        case .group: 0xD9C0_1927
        case .project: 0xD9C0_3F14
        }
    }

    /// How the IDs are called in messages.
    var idName: String {
        switch self {
        case .user: "user"
        case .group: "group"
        case .project: "project"
        }
    }
}

/// What a quota file records, or what the files of the filesystem use, for one ID.
struct QuotaUsage: Equatable, Sendable, CustomStringConvertible {
    /// Bytes (`dqb_curspace`): i_blocks in bytes, as the kernel charges them.
    var space: UInt64 = 0
    /// Inodes (`dqb_curinodes`): each file, plus each attribute value kept in an EA inode.
    var inodes: UInt64 = 0

    var description: String { "\(space) bytes and \(inodes) inode\(inodes == 1 ? "" : "s")" }
}

/// A quota file parsed: one record per ID found in its tree.
struct QuotaFile {
    /// Each ID the tree holds, in the order met, with what it records (an ID may appear twice in a
    /// damaged tree: every record is compared, as e2fsck compares them).
    var records: [(id: UInt32, usage: QuotaUsage)] = []

    static let blockSize = 1024        // QT_BLKSIZE (1 << QT_BLKSIZE_BITS)
    static let treeDepth = 4           // QT_TREEDEPTH
    static let rootBlock = 1           // QT_TREEOFF
    static let entrySize = 72          // sizeof(struct v2r1_disk_dqblk)
    static let dataHeader = 16         // sizeof(struct qt_disk_dqdbheader)
    static let knownVersion: UInt32 = 1 // V2_VERSION_R1

    /// Parses a v2r1 quota file of `type`, `fileSize` bytes long, whose contents are `bytes` (up to
    /// its last mapped block: the rest reads as zeros, as holes do), walking its radix tree from
    /// block 1 down four levels of 256 references to the data blocks, whose used 72-byte entries (any
    /// non-zero byte) are the records. Throws a sentence on a header, reference or tree that is not
    /// one: e2fsck then cannot compare the usage either, and asks to rewrite the file. Each block is
    /// visited once, so a hostile tree costs at most one pass over the file.
    init(_ bytes: [UInt8], fileSize: UInt64, type: QuotaType) throws(QuotaFileError) {
        func u32(_ at: Int) -> UInt32 {
            guard at + 4 <= bytes.count else { return 0 }
            return UInt32(bytes[at]) | UInt32(bytes[at + 1]) << 8 | UInt32(bytes[at + 2]) << 16 | UInt32(bytes[at + 3]) << 24
        }
        func u64(_ at: Int) -> UInt64 { UInt64(u32(at)) | UInt64(u32(at + 4)) << 32 }
        let blocks = Int(min(fileSize / UInt64(Self.blockSize), UInt64(Int32.max)))
        guard blocks >= 2 else {
            throw QuotaFileError("it is \(fileSize) bytes long, too short for a header and a tree root")
        }
        guard u32(0) == type.magic else {
            throw QuotaFileError("its header's magic number is 0x\(String(u32(0), radix: 16)), not the \(type.idName) quota file's 0x\(String(type.magic, radix: 16))")
        }
        guard u32(4) <= Self.knownVersion else { throw QuotaFileError("its format version is \(u32(4)), which is unknown") }
        // The info block's sanity, as v2_init_io checks it (dqi_blocks, dqi_free_blk, dqi_free_entry).
        let dqiBlocks = Int(u32(20)), freeBlock = Int(u32(24)), freeEntry = Int(u32(28))
        let fileBlocks = Int(min((fileSize + UInt64(Self.blockSize) - 1) / UInt64(Self.blockSize), UInt64(Int32.max)))
        guard dqiBlocks <= fileBlocks else {
            throw QuotaFileError("its header counts \(dqiBlocks) blocks, more than the file's \(fileBlocks)")
        }
        guard freeBlock < dqiBlocks, freeEntry < dqiBlocks else {
            throw QuotaFileError("its header's free-block list (\(freeBlock)) or free-entry list (\(freeEntry)) lies outside its \(dqiBlocks) blocks")
        }
        var visited = Set<Int>([Self.rootBlock])
        // Depth-first over the tree blocks, depth 0 (the root) to 3, whose references are data blocks.
        var stack: [(block: Int, depth: Int)] = [(Self.rootBlock, 0)]
        while let (block, depth) = stack.popLast() {
            let base = block * Self.blockSize
            for slot in 0..<(Self.blockSize / 4) {
                let ref = Int(u32(base + 4 * slot))
                guard ref != 0 else { continue }
                guard ref > Self.rootBlock, ref < blocks else {
                    throw QuotaFileError("tree block \(block) refers to block \(ref), outside the file's \(blocks) blocks")
                }
                guard visited.insert(ref).inserted else { continue }
                if depth < Self.treeDepth - 1 {
                    stack.append((ref, depth + 1))
                } else {
                    readDataBlock(at: ref * Self.blockSize, u32: u32, u64: u64, bytes: bytes)
                }
            }
        }
    }

    private mutating func readDataBlock(at base: Int, u32: (Int) -> UInt32, u64: (Int) -> UInt64, bytes: [UInt8]) {
        var at = base + Self.dataHeader
        while at + Self.entrySize <= min(base + Self.blockSize, bytes.count) {
            defer { at += Self.entrySize }
            guard bytes[at..<(at + Self.entrySize)].contains(where: { $0 != 0 }) else { continue }
            records.append((id: u32(at), usage: QuotaUsage(space: u64(at + 48), inodes: u64(at + 24))))
        }
    }
}

/// Why a quota file cannot be read, as the end of a sentence.
struct QuotaFileError: Error {
    let reason: String
    init(_ reason: String) { self.reason = reason }
}
