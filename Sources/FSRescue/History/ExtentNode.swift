// One node of an ext4 extent tree read from raw bytes: the in-place decoding every reader of
// extent bytes shares (the scan's depth-0 roots, and older states of a file that libext2fs cannot
// reach, since it reads trees only from today's inodes).

/// An extent-tree node's header and entries decoded in place, without copying or allocating
/// (`ext4_extent_header`, `ext4_extent_idx`, `ext4_extent` in the kernel's ext4_extents.h). Its
/// fields are as on disk, unchecked: callers decide what they accept.
struct ExtentNodeBytes {
    let bytes: UnsafeRawBufferPointer

    /// Nil when `bytes` cannot hold a header.
    init?(_ bytes: UnsafeRawBufferPointer) {
        guard bytes.count >= 12 else { return nil }
        self.bytes = bytes
    }

    private func u16(_ o: Int) -> UInt16 { UInt16(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt16.self)) }
    private func u32(_ o: Int) -> UInt32 { UInt32(littleEndian: bytes.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }

    /// `eh_magic` (``ExtentNode/magic`` when this is a node).
    var magic: UInt16 { u16(0) }
    /// `eh_entries`.
    var entries: Int { Int(u16(2)) }
    /// `eh_max`: the entry slots the node has.
    var capacity: Int { Int(u16(4)) }
    /// `eh_depth`: 0 for a leaf node.
    var depth: Int { Int(u16(6)) }
    /// Whether entry `i` lies inside the bytes.
    func holds(_ i: Int) -> Bool { 24 + 12 * i <= bytes.count }

    /// Leaf entry `i` (``holds(_:)`` must be true): a length above 32,768 marks unwritten blocks.
    func leaf(_ i: Int) -> ExtentNode.Leaf {
        let o = 12 + 12 * i
        let raw = u16(o + 4)
        return ExtentNode.Leaf(logical: UInt64(u32(o)), physical: UInt64(u16(o + 6)) << 32 | UInt64(u32(o + 8)),
                               length: UInt64(raw > 32768 ? raw - 32768 : raw), unwritten: raw > 32768)
    }

    /// Index entry `i` (``holds(_:)`` must be true).
    func index(_ i: Int) -> ExtentNode.Index {
        let o = 12 + 12 * i
        return ExtentNode.Index(logical: UInt64(u32(o)), child: UInt64(u16(o + 8)) << 32 | UInt64(u32(o + 4)))
    }
}

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
        guard let node = ExtentNodeBytes(bytes) else { return nil }
        let entries = node.entries, capacity = node.capacity
        guard node.magic == Self.magic, entries <= capacity, 12 + 12 * capacity <= bytes.count, node.depth <= 5 else { return nil }
        depth = node.depth
        leaves = depth == 0 ? (0..<entries).map(node.leaf) : []
        indexes = depth == 0 ? [] : (0..<entries).map(node.index)
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

/// One walk of an extent tree from raw nodes, bounded: each tree block is visited once (a crafted
/// tree can name one child everywhere), at most `budget` of them, depths must step down by one, and
/// nothing at or past `fileBlocks` counts. The caller says how to read a child and what to do with
/// leaves and with ranges that cannot be mapped.
struct ExtentTreeWalk {
    /// What reading a tree block gave.
    enum Child {
        /// Its bytes, and whether they are proven to be this tree's (a journal copy, a matching checksum).
        case read([UInt8], proven: Bool)
        /// It cannot be used; the range it covers is lost for this reason.
        case lost(String)
        /// Not wanted (a caller that only lists tree blocks need not read the leaves).
        case notNeeded
    }

    let fileBlocks: UInt64
    var budget: UInt64
    private var visited: Set<UInt64> = []

    /// A walk of a tree for `fileBlocks` blocks of data: a tree block indexes at least ~340 extents,
    /// so a legitimate tree has at most fileBlocks/300 + a few blocks (and never more than `limit`).
    init(fileBlocks: UInt64, limit: UInt64) {
        self.fileBlocks = fileBlocks
        budget = min(fileBlocks / 300 + 16, limit)
    }

    /// Walks the tree whose root is `root` (`i_block`). `child(block, depth)` reads a tree block the
    /// tree names; `leaf(extent, proven)` gets each leaf below `fileBlocks` (cut to it) and returns
    /// false to stop; `lose(logical, length, reason)` gets what cannot be mapped.
    mutating func walk(root: UnsafeRawBufferPointer, child: (UInt64, Int) -> Child,
                       leaf: (ExtentNode.Leaf, Bool) -> Bool, lose: (UInt64, UInt64, String) -> Void) {
        guard ExtentNode(root) != nil else {
            lose(0, fileBlocks, "the inode holds no extent tree root")
            return
        }
        _ = node(root, depth: nil, proven: true, child: child, leaf: leaf, lose: lose)
    }

    /// One node and those below it; false once `leaf` asked to stop.
    private mutating func node(_ bytes: UnsafeRawBufferPointer, depth expected: Int?, proven: Bool, child: (UInt64, Int) -> Child,
                               leaf: (ExtentNode.Leaf, Bool) -> Bool, lose: (UInt64, UInt64, String) -> Void) -> Bool {
        guard let node = ExtentNode(bytes), expected == nil || node.depth == expected else { return true }
        for extent in node.leaves {
            guard extent.logical < fileBlocks else { break }
            let length = min(extent.length, fileBlocks - extent.logical)
            guard length > 0 else { continue }
            let cut = ExtentNode.Leaf(logical: extent.logical, physical: extent.physical, length: length, unwritten: extent.unwritten)
            if !leaf(cut, proven) { return false }
        }
        for (i, index) in node.indexes.enumerated() {
            guard index.logical < fileBlocks else { break }
            let end = i + 1 < node.indexes.count ? min(node.indexes[i + 1].logical, fileBlocks) : fileBlocks
            let covered = end > index.logical ? end - index.logical : 0
            guard budget > 0, visited.insert(index.child).inserted else {
                lose(index.logical, covered, "the extent tree has more blocks than its file could need, or names one twice")
                continue
            }
            budget -= 1
            switch child(index.child, node.depth - 1) {
            case .lost(let reason): lose(index.logical, covered, reason)
            case .notNeeded: continue
            case .read(let bytes, let childProven):
                let go = bytes.withUnsafeBytes { self.node($0, depth: node.depth - 1, proven: proven && childProven, child: child, leaf: leaf, lose: lose) }
                if !go { return false }
            }
        }
        return true
    }
}
