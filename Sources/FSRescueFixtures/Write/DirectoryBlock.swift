// Linear directory blocks: building them, and finding, removing and adding entries in them.

/// One `ext2_dir_entry_2` in a block.
struct DirectoryEntryRecord: Sendable, Hashable {
    /// Byte offset of the entry in its block.
    var offset: Int
    var inode: UInt32
    var recLen: Int
    var name: [UInt8]
    var fileType: UInt8

    /// The space the entry needs: 8 bytes of header and the name, rounded up to 4.
    static func size(nameLength: Int) -> Int { (8 + nameLength + 3) & ~3 }
    var minimumSize: Int { Self.size(nameLength: name.count) }
}

/// A directory block as bytes, with the entry layout of linear (non-htree) ext directories and,
/// with metadata_csum, the 12-byte checksum tail (`ext2_dir_entry_tail`) whose checksum libext2fs
/// fills (`ext2fs_dir_block_csum_set` / `ext2fs_write_dir_block4`).
struct DirectoryBlock: Sendable {
    var bytes: [UInt8]
    let hasTail: Bool

    var usable: Int { bytes.count - (hasTail ? 12 : 0) }

    init(bytes: [UInt8], hasTail: Bool) {
        self.bytes = bytes
        self.hasTail = hasTail
    }

    /// Lays `entries` (name, inode, file type) into as many blocks as they need, each last entry
    /// stretched to the end of its block; `dot` adds `.` and `..` first.
    static func build(_ entries: [(name: [UInt8], inode: UInt32, type: UInt8)], dot: (UInt32, UInt32)?,
                      blockSize: Int, tail: Bool) -> [DirectoryBlock] {
        var all = entries
        if let (me, parent) = dot { all = [(Array(".".utf8), me, 2), (Array("..".utf8), parent, 2)] + entries }
        let usable = blockSize - (tail ? 12 : 0)
        var blocks: [DirectoryBlock] = []
        var block = DirectoryBlock(bytes: [UInt8](repeating: 0, count: blockSize), hasTail: tail)
        var offset = 0, lastOffset = -1
        func close() {
            if lastOffset >= 0 { block.setRecLen(at: lastOffset, usable - lastOffset) } else { block.setRecLen(at: 0, usable) }
            if tail { block.writeTail() }
            blocks.append(block)
            block = DirectoryBlock(bytes: [UInt8](repeating: 0, count: blockSize), hasTail: tail)
            offset = 0; lastOffset = -1
        }
        for e in all {
            let size = DirectoryEntryRecord.size(nameLength: e.name.count)
            if offset + size > usable { close() }
            block.writeEntry(at: offset, inode: e.inode, recLen: size, name: e.name, type: e.type)
            lastOffset = offset
            offset += size
        }
        close()
        return blocks
    }

    /// The entries in chain order, stopping at the first impossible rec_len.
    var entries: [DirectoryEntryRecord] {
        var out: [DirectoryEntryRecord] = []
        var offset = 0
        while offset + 8 <= usable {
            let recLen = Int(u16(offset + 4))
            let nameLen = Int(bytes[offset + 6])
            guard recLen >= 12, recLen % 4 == 0, offset + recLen <= usable, 8 + nameLen <= recLen else { break }
            out.append(DirectoryEntryRecord(offset: offset, inode: u32(offset), recLen: recLen,
                                            name: Array(bytes[(offset + 8)..<(offset + 8 + nameLen)]), fileType: bytes[offset + 7]))
            offset += recLen
        }
        return out
    }

    /// Removes the entry at `offset` as the kernel's unlink does: the previous entry's rec_len
    /// swallows it (its bytes, name included, stay in that entry's slack), or, first in the block,
    /// its inode number becomes 0.
    mutating func remove(at offset: Int) {
        let chain = entries
        guard let k = chain.firstIndex(where: { $0.offset == offset }) else { return }
        if k == 0 {
            setU32(offset, 0)
        } else {
            let prev = chain[k - 1]
            setRecLen(at: prev.offset, prev.recLen + chain[k].recLen)
        }
    }

    /// Adds an entry in the first slack big enough (splitting the entry that has it); returns its
    /// offset, or nil when the block has no room.
    mutating func insert(name: [UInt8], inode: UInt32, type: UInt8) -> Int? {
        let need = DirectoryEntryRecord.size(nameLength: name.count)
        for e in entries {
            if e.inode == 0 && e.recLen >= need {
                writeEntry(at: e.offset, inode: inode, recLen: e.recLen, name: name, type: type)
                return e.offset
            }
            if e.recLen - e.minimumSize >= need {
                let at = e.offset + e.minimumSize
                setRecLen(at: e.offset, e.minimumSize)
                writeEntry(at: at, inode: inode, recLen: e.recLen - e.minimumSize, name: name, type: type)
                return at
            }
        }
        return nil
    }

    mutating func writeEntry(at offset: Int, inode: UInt32, recLen: Int, name: [UInt8], type: UInt8) {
        setU32(offset, inode)
        setRecLen(at: offset, recLen)
        bytes[offset + 6] = UInt8(name.count)
        bytes[offset + 7] = type
        for (i, b) in name.enumerated() { bytes[offset + 8 + i] = b }
    }

    mutating func setRecLen(at offset: Int, _ value: Int) {
        bytes[offset + 4] = UInt8(value & 0xFF)
        bytes[offset + 5] = UInt8(value >> 8)
    }

    /// The tail entry: inode 0, rec_len 12, name_len 0, file type 0xDE; libext2fs fills the checksum.
    mutating func writeTail() {
        let t = bytes.count - 12
        setU32(t, 0)
        setRecLen(at: t, 12)
        bytes[t + 6] = 0
        bytes[t + 7] = 0xDE
        setU32(t + 8, 0)
    }

    func u16(_ at: Int) -> UInt16 { UInt16(bytes[at]) | UInt16(bytes[at + 1]) << 8 }
    func u32(_ at: Int) -> UInt32 { UInt32(u16(at)) | UInt32(u16(at + 2)) << 16 }
    mutating func setU32(_ at: Int, _ v: UInt32) {
        for i in 0..<4 { bytes[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) }
    }
}
