// One node of an ext4 extent tree read from raw bytes (an inode's i_block, or a tree block), for
// older states of a file that libext2fs cannot reach: it reads trees only from today's inodes.

/// An extent-tree node: its header and entries, bounds-checked (`ext4_extent_header`,
/// `ext4_extent_idx`, `ext4_extent`, `ext4_extent_tail` in the kernel's ext4_extents.h).
struct ExtentNode {
    static let magic: UInt16 = 0xF30A
    struct Leaf: Equatable { let logical: UInt64; let physical: UInt64; let length: UInt64; let unwritten: Bool }
    struct Index: Equatable { let logical: UInt64; let child: UInt64 }

    let depth: Int
    let leaves: [Leaf]
    let indexes: [Index]

    /// Parses `bytes` (60 bytes of `i_block`, or a whole tree block); nil when the header is not an
    /// extent header, or claims more entries than its capacity or the bytes hold.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 12 else { return nil }
        func u16(_ o: Int) -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
        func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        let entries = Int(u16(2)), capacity = Int(u16(4))
        guard u16(0) == Self.magic, entries <= capacity, 12 + 12 * capacity <= bytes.count, u16(6) <= 5 else { return nil }
        depth = Int(u16(6))
        var leaves: [Leaf] = [], indexes: [Index] = []
        for i in 0..<entries {
            let o = 12 + 12 * i
            if depth == 0 {
                let raw = u16(o + 4)
                leaves.append(Leaf(logical: UInt64(u32(o)), physical: UInt64(u16(o + 6)) << 32 | UInt64(u32(o + 8)),
                                   length: UInt64(raw > 32768 ? raw - 32768 : raw), unwritten: raw > 32768))
            } else {
                indexes.append(Index(logical: UInt64(u32(o)), child: UInt64(u16(o + 8)) << 32 | UInt64(u32(o + 4))))
            }
        }
        self.leaves = leaves
        self.indexes = indexes
    }

    /// Whether a tree block's tail checksum (metadata_csum) matches: crc32c from the inode's seed
    /// (the filesystem seed, then the inode number and generation) over the header and all
    /// `eh_max` entry slots.
    static func tailMatches(_ bytes: UnsafeRawBufferPointer, inode: UInt32, generation: UInt32, seed: UInt32) -> Bool {
        guard bytes.count >= 12 else { return false }
        let capacity = Int(UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self)))
        let end = 12 + 12 * capacity
        guard end + 4 <= bytes.count else { return false }
        var crc = withUnsafeBytes(of: inode.littleEndian) { CRC32C.update(seed, $0) }
        crc = withUnsafeBytes(of: generation.littleEndian) { CRC32C.update(crc, $0) }
        crc = CRC32C.update(crc, UnsafeRawBufferPointer(rebasing: bytes[0..<end]))
        return crc == UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: end, as: UInt32.self))
    }
}
