// The blocks of a jbd2 log: descriptor blocks and their tags, commit blocks, revoke blocks.

/// The block types of a jbd2 log (`h_blocktype`).
enum JournalBlockType: UInt32 {
    case descriptor = 1
    case commit = 2
    case superblockV1 = 3
    case superblockV2 = 4
    case revoke = 5
}

/// One descriptor tag: a filesystem block whose copy is the log block at its position.
struct JournalTag: Equatable {
    let filesystemBlock: UInt64
    /// Its first four bytes were the journal magic and are stored as zeros (`JBD2_FLAG_ESCAPE`).
    let escaped: Bool
    /// The data block's checksum (checksum v2: the low 16 bits; v3: 32 bits); nil without checksums.
    let checksum: UInt32?
}

enum JournalLogBlocks {
    static let headerBytes = 12
    static let tailBytes = 4
    static let flagEscape: UInt32 = 0x1
    static let flagSameUUID: UInt32 = 0x2
    static let flagLastTag: UInt32 = 0x8

    /// The header of a log block: its type and sequence, when it carries the journal magic.
    static func header(_ block: UnsafeRawBufferPointer) -> (type: UInt32, sequence: UInt32)? {
        let b = JournalBytes(bytes: block)
        guard block.count >= headerBytes, b.u32(0) == JournalSuperblock.magic else { return nil }
        return (b.u32(4), b.u32(8))
    }

    /// Whether a descriptor or revoke block's tail checksum (`jbd2_journal_block_tail`) matches:
    /// crc32c from the seed over the whole block with the tail as zero.
    static func tailChecksumMatches(_ block: UnsafeRawBufferPointer, seed: UInt32) -> Bool {
        let end = block.count - tailBytes
        let provided = JournalBytes(bytes: block).u32(end)
        var crc = CRC32C.update(seed, UnsafeRawBufferPointer(rebasing: block[0..<end]))
        crc = CRC32C.update(crc, bigEndian: 0)
        return crc == provided
    }

    /// The tags of a descriptor block, in order, stopping at `JBD2_FLAG_LAST_TAG`, at the end of the
    /// tag area, or at `limit` tags (the log blocks left), whichever is first.
    static func tags(_ block: UnsafeRawBufferPointer, superblock sb: JournalSuperblock, limit: Int) -> [JournalTag] {
        let b = JournalBytes(bytes: block)
        let end = block.count - (sb.hasChecksums ? tailBytes : 0)
        let is64 = sb.incompat.contains(.is64bit), v3 = sb.incompat.contains(.checksumV3), v2 = sb.incompat.contains(.checksumV2)
        var tags: [JournalTag] = []
        var offset = headerBytes
        while offset + sb.tagBytes <= end, tags.count < limit {
            let low = UInt64(b.u32(offset))
            let flags: UInt32
            let checksum: UInt32?
            if v3 {
                // journal_block_tag3_t: blocknr, flags, blocknr_high, checksum.
                flags = b.u32(offset + 4)
                checksum = b.u32(offset + 12)
            } else {
                // journal_block_tag_t: blocknr, checksum (16 bits, v2 only), flags (16 bits), blocknr_high.
                flags = UInt32(b.u16(offset + 6))
                checksum = v2 ? UInt32(b.u16(offset + 4)) : nil
            }
            let high: UInt64 = is64 ? UInt64(b.u32(offset + 8)) : 0
            tags.append(JournalTag(filesystemBlock: high << 32 | low, escaped: flags & flagEscape != 0, checksum: checksum))
            offset += sb.tagBytes
            if flags & flagSameUUID == 0 { offset += 16 }
            if flags & flagLastTag != 0 { break }
        }
        return tags
    }

    /// Whether a logged data block matches its tag's checksum: crc32c from the seed over the
    /// big-endian sequence, then the block as stored in the log (v3: all 32 bits; v2: the low 16).
    static func dataChecksumMatches(_ block: UnsafeRawBufferPointer, tag: JournalTag, sequence: UInt32, superblock sb: JournalSuperblock) -> Bool {
        guard let provided = tag.checksum else { return true }
        var crc = CRC32C.update(sb.checksumSeed, bigEndian: sequence)
        crc = CRC32C.update(crc, block)
        return sb.incompat.contains(.checksumV3) ? crc == provided : crc & 0xFFFF == provided
    }

    /// A commit block's checksum (v2/v3): crc32c from the seed over the block with `h_chksum[0]` zero.
    static func commitChecksumMatches(_ block: UnsafeRawBufferPointer, seed: UInt32) -> Bool {
        let provided = JournalBytes(bytes: block).u32(16)
        var crc = CRC32C.update(seed, UnsafeRawBufferPointer(rebasing: block[0..<16]))
        crc = CRC32C.update(crc, bigEndian: 0)
        crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: block[20...]))
        return crc == provided
    }

    /// A commit block's time (`h_commit_sec`), when it has a plausible one (before the year 10000:
    /// tools that write journals by hand leave other values there).
    static func commitTime(_ block: UnsafeRawBufferPointer) -> UInt64? {
        guard block.count >= 60 else { return nil }
        let seconds = JournalBytes(bytes: block).u64(48)
        return seconds == 0 || seconds > 253_402_300_799 ? nil : seconds
    }

    /// The filesystem blocks a revoke block revokes (`r_count` bytes from the header, 4 or 8 bytes
    /// each); nil when `r_count` does not fit the block.
    static func revoked(_ block: UnsafeRawBufferPointer, superblock sb: JournalSuperblock) -> [UInt64]? {
        let b = JournalBytes(bytes: block)
        let count = Int(b.u32(headerBytes))
        let end = block.count - (sb.hasChecksums ? tailBytes : 0)
        guard count >= 16, count <= end else { return nil }
        let size = sb.incompat.contains(.is64bit) ? 8 : 4
        var blocks: [UInt64] = []
        var offset = 16
        while offset + size <= count {
            blocks.append(size == 8 ? b.u64(offset) : UInt64(b.u32(offset)))
            offset += size
        }
        return blocks
    }
}
