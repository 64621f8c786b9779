// Blocks the superblock points at outside any directory: the journal superblock and the MMP block.

extension InodePass {
    static let journalMagic: UInt32 = 0xC03B_3998
    static let mmpMagic: UInt32 = 0x004D_4D50
    /// Size of a V1 journal superblock: header, block size, length, first block, sequence, start, errno.
    static let journalV1Size = 0x24

    /// Checks the internal journal's superblock (big-endian, JBD2): magic, type (V1 3 or V2 4), block
    /// size, length within the journal inode, first block, at most one user, and for V1 no V2 fields.
    /// Then the MMP block (`s_mmp_block`): magic and checksum (``Filesystem/mmpChecksumMatches(_:)``).
    mutating func checkSpecialBlocks() {
        let sb = filesystem.superblock, features = filesystem.features
        let bs = Int(blockSize)
        let block = UnsafeMutableRawPointer.allocate(byteCount: bs, alignment: 8)
        defer { block.deallocate() }
        if features.contains(.hasJournal), sb.journalInode != 0, sb.journalInode <= inodesCount,
           let map = try? filesystem.blockMap(of: sb.journalInode), let first = map.runs.first, first.logical == 0 {
            let journalBlocks = map.runs.reduce(UInt64(0)) { $0 + UInt64($1.length) }
            if read(first.physical, into: block) != nil {
                journalProblem("its first block \(first.physical) cannot be read", block: first.physical)
            } else if let problem = journalSuperblockProblem(UnsafeRawBufferPointer(start: block, count: bs), journalBlocks: journalBlocks) {
                journalProblem(problem, block: first.physical)
            }
        }
        if features.contains(.multiMountProtection) {
            let mmp = sb.mmpBlock
            if read(mmp, into: block) != nil {
                add(Finding(.mmpBad, "The MMP block \(mmp) cannot be read or is outside the filesystem.", block: mmp))
            } else if block.load(as: UInt32.self) != Self.mmpMagic {
                add(Finding(.mmpBad, "The MMP block \(mmp) has a bad magic number.", block: mmp))
            } else if !filesystem.mmpChecksumMatches(block) {
                add(Finding(.mmpBad, "The MMP block \(mmp)'s checksum does not match.", block: mmp))
            }
        }
    }

    private mutating func journalProblem(_ text: String, block: UInt64) {
        let ino = filesystem.superblock.journalInode
        add(Finding(.journalBadSuperblock, "The journal superblock (inode \(ino)) is invalid: \(text).", inode: ino, block: block))
    }

    private func journalSuperblockProblem(_ bytes: UnsafeRawBufferPointer, journalBlocks: UInt64) -> String? {
        func be32(_ offset: Int) -> UInt32 { UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)) }
        guard be32(0) == Self.journalMagic else { return "bad magic \(String(be32(0), radix: 16))" }
        let type = be32(4)
        guard type == 3 || type == 4 else { return "block type \(type) is not a superblock" }
        guard be32(12) == blockSize else { return "journal block size \(be32(12)) differs from the filesystem's \(blockSize)" }
        let maxLength = UInt64(be32(16)), first = UInt64(be32(20))
        guard maxLength <= journalBlocks else { return "it claims \(maxLength) blocks but the journal inode maps \(journalBlocks)" }
        guard first >= 1, first < maxLength else { return "first log block \(first) is outside the journal" }
        if type == 4 {
            let users = be32(0x40)
            guard users <= 1 else { return "\(users) filesystems use this internal journal" }
        } else if bytes[Self.journalV1Size..<min(1024, bytes.count)].contains(where: { $0 != 0 }) {
            return "a V1 superblock carries V2 fields"
        }
        return nil
    }
}
