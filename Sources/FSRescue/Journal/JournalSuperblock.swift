// The jbd2 journal superblock (journal block 0), v1 and v2: geometry, where the log starts, features.

/// Big-endian field reads of a jbd2 block (every jbd2 field is big-endian).
struct JournalBytes {
    let bytes: UnsafeRawBufferPointer
    func u32(_ offset: Int) -> UInt32 { UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
    func u16(_ offset: Int) -> UInt16 { UInt16(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self)) }
    func u64(_ offset: Int) -> UInt64 { UInt64(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self)) }
}

/// A journal superblock, checked: every later read trusts only what this accepted.
struct JournalSuperblock: Equatable {
    static let magic: UInt32 = 0xC03B_3998
    static let typeV1: UInt32 = 3
    static let typeV2: UInt32 = 4

    struct Features: OptionSet, Equatable {
        let rawValue: UInt32
        // incompat
        static let revoke = Features(rawValue: 0x1)
        static let is64bit = Features(rawValue: 0x2)
        static let asyncCommit = Features(rawValue: 0x4)
        static let checksumV2 = Features(rawValue: 0x8)
        static let checksumV3 = Features(rawValue: 0x10)
        static let fastCommit = Features(rawValue: 0x20)
    }

    let version: Int
    let blockSize: Int
    /// Blocks in the journal (`s_maxlen`), fast-commit area included.
    let maxLength: UInt32
    /// The first block of the log (`s_first`; block 0 is this superblock).
    let first: UInt32
    /// One past the last block of the transaction log (`s_maxlen` less the fast-commit blocks).
    let last: UInt32
    /// The sequence of the first transaction to replay (`s_sequence`).
    let sequence: UInt32
    /// Where the log starts (`s_start`); 0 when the journal is empty (nothing to replay).
    let start: UInt32
    let errno: Int32
    let incompat: Features
    /// `JBD2_FEATURE_COMPAT_CHECKSUM`: v1 commit checksums (crc32 of the transaction's blocks).
    let compatChecksum: Bool
    let uuid: [UInt8]
    /// The seed of every checksum v2/v3: crc32c(~0, uuid).
    let checksumSeed: UInt32

    var hasChecksums: Bool { incompat.contains(.checksumV2) || incompat.contains(.checksumV3) }

    /// Bytes of one descriptor tag (`journal_tag_bytes`): 16 with checksum v3; else 12 with 64bit,
    /// 8 without, plus 2 with checksum v2.
    var tagBytes: Int {
        if incompat.contains(.checksumV3) { return 16 }
        return (incompat.contains(.is64bit) ? 12 : 8) + (incompat.contains(.checksumV2) ? 2 : 0)
    }

    /// Why a block is not an acceptable journal superblock.
    enum Problem: Error, Equatable, CustomStringConvertible {
        case notJournal
        case badGeometry(String)
        case badChecksum
        case unknownFeatures(UInt32)

        var description: String {
            switch self {
            case .notJournal: return "journal block 0 holds no journal superblock (bad magic or type)"
            case .badGeometry(let what): return "the journal superblock is inconsistent: \(what)"
            case .badChecksum: return "the journal superblock's checksum does not match"
            case .unknownFeatures(let bits): return "the journal uses incompatible features unknown here (0x\(String(bits, radix: 16)))"
            }
        }
    }

    /// Parses journal block 0 for a filesystem of `blockSize` bytes a block whose journal has
    /// `journalBlocks` blocks mapped. `strict` false (reading the log's history, not replaying it)
    /// accepts a superblock whose checksum fails, whose log start is off, or that claims more blocks
    /// than are mapped: reads of unmapped blocks simply fail.
    init(_ raw: UnsafeRawBufferPointer, filesystemBlockSize: Int, journalBlocks: UInt64, strict: Bool = true) throws(Problem) {
        guard raw.count >= 1024 else { throw .notJournal }
        let b = JournalBytes(bytes: raw)
        let type = b.u32(4)
        guard b.u32(0) == Self.magic, type == Self.typeV1 || type == Self.typeV2 else { throw .notJournal }
        version = type == Self.typeV2 ? 2 : 1
        blockSize = Int(b.u32(12))
        maxLength = b.u32(16)
        first = b.u32(20)
        sequence = b.u32(24)
        start = b.u32(28)
        errno = Int32(bitPattern: b.u32(32))
        let incompatBits = version == 2 ? b.u32(40) : 0
        incompat = Features(rawValue: incompatBits)
        compatChecksum = version == 2 && b.u32(36) & 0x1 != 0
        uuid = Array(raw[48..<64])
        guard blockSize == filesystemBlockSize else {
            throw .badGeometry("block size \(blockSize), the filesystem's is \(filesystemBlockSize)")
        }
        guard maxLength >= 2, !strict || UInt64(maxLength) <= journalBlocks else {
            throw .badGeometry("it claims \(maxLength) blocks, the journal inode maps \(journalBlocks)")
        }
        guard first >= 1, first < maxLength else { throw .badGeometry("its log starts at block \(first) of \(maxLength)") }
        let known: UInt32 = 0x3F
        guard incompatBits & ~known == 0 else { throw .unknownFeatures(incompatBits & ~known) }
        var fastCommitBlocks: UInt32 = 0
        if incompatBits & Features.fastCommit.rawValue != 0 {
            let configured = b.u32(84)
            fastCommitBlocks = configured == 0 ? 256 : configured  // JBD2_DEFAULT_FAST_COMMIT_BLOCKS
        }
        guard fastCommitBlocks < maxLength - first else { throw .badGeometry("its fast-commit area (\(fastCommitBlocks) blocks) leaves no log") }
        last = maxLength - fastCommitBlocks
        guard !strict || start == 0 || (start >= first && start < last) else { throw .badGeometry("its log start \(start) lies outside \(first)…\(last - 1)") }
        checksumSeed = uuid.withUnsafeBytes { CRC32C.update(~0, $0) }
        if strict && incompatBits & (Features.checksumV2.rawValue | Features.checksumV3.rawValue) != 0 {
            var copy = Array(raw.prefix(1024))
            let provided = b.u32(0xFC)
            copy[0xFC..<0x100] = [0, 0, 0, 0]
            let computed = copy.withUnsafeBytes { CRC32C.update(~0, $0) }
            guard computed == provided else { throw .badChecksum }
        }
    }

    /// The log block after `block`, wrapping from ``last`` back to ``first``.
    func next(_ block: UInt32) -> UInt32 { block + 1 >= last ? first : block + 1 }
}
