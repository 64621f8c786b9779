// Indexed (htree) directories, laid out as the kernel's ext4 driver leaves them once a directory
// outgrows its first block.
internal import CFSRescueExt2fs
import FSRescue

/// The blocks of an indexed directory: the root (logical block 0: `.`, `..` spanning the block, then
/// `dx_root_info` and the index), the leaves in hash order, and under two levels the index nodes
/// (a fake entry spanning the block, then the index). With metadata_csum every index block keeps 8
/// bytes for its `dx_tail` and every leaf 12 for its dirent tail; libext2fs fills both checksums
/// (`ext2fs_dir_block_csum_set`).
struct IndexedDirectory {
    /// The directory's blocks in logical order.
    var blocks: [DirectoryBlock]
    /// The entries (indexes into the input) in on-disk order: hash order, leaf by leaf.
    var order: [Int]

    static let rootInfoOffset = 24
    static let rootIndexOffset = 32
    static let nodeIndexOffset = 8

    /// Builds the directory, or nil when its entries fit in one block (the kernel indexes a directory
    /// only when it grows past one) or the filesystem lacks dir_index. Names are hashed as
    /// `hashing` says (``DirectoryHashing``).
    /// Throws when the entries need more than two index levels (large_dir's third is not written).
    static func build(_ entries: [(name: [UInt8], inode: UInt32, type: UInt8)], me: UInt32, parent: UInt32,
                      blockSize bs: Int, tail: Bool, hashing: DirectoryHashing) throws(FSRescueError) -> IndexedDirectory? {
        let linear = 24 + entries.reduce(0) { $0 + DirectoryEntryRecord.size(nameLength: $1.name.count) }
        guard hashing.indexes, linear > bs - (tail ? 12 : 0) else { return nil }
        let hashes = entries.map { hashing.hash($0.name) }
        let order = entries.indices.sorted {
            (hashes[$0].hash, hashes[$0].minor, $0) < (hashes[$1].hash, hashes[$1].minor, $1)
        }

        // Leaves: entries in hash order, a new leaf when the next one would leave less room than one
        // more entry of the longest name takes (the kernel's leaves, split in halves, are never full
        // either; and a name added later, as a corruption adds one, fits the leaf its hash picks).
        // A leaf's index key is its first hash; when that hash continues the previous leaf's, bit 0
        // says so.
        let usable = bs - (tail ? 12 : 0)
        let fillLimit = usable - DirectoryEntryRecord.size(nameLength: 255)
        var leaves: [(key: UInt32, entries: [Int])] = []
        var fill = 0
        for k in order {
            let size = DirectoryEntryRecord.size(nameLength: entries[k].name.count)
            if leaves.isEmpty || fill + size > fillLimit {
                var key = hashes[k].hash
                if let last = leaves.last?.entries.last, hashes[last].hash == key { key |= 1 }
                leaves.append((key, []))
                fill = 0
            }
            leaves[leaves.count - 1].entries.append(k)
            fill += size
        }
        leaves[0].key = 0

        let csum = tail ? 1 : 0
        let rootLimit = (bs - rootIndexOffset) / 8 - csum
        let nodeLimit = (bs - nodeIndexOffset) / 8 - csum
        let levels: Int
        if leaves.count <= rootLimit { levels = 0 } else if leaves.count <= rootLimit * nodeLimit { levels = 1 } else {
            throw FSRescueError(.outputFailed, "directory inode \(me) needs more than two htree levels (\(leaves.count) leaves); use a larger --block-size or fewer files per directory.")
        }
        // Logical layout: 0 the root, then the leaves, then (two levels) the index nodes.
        let nodeCount = levels == 0 ? 0 : (leaves.count + nodeLimit - 1) / nodeLimit
        var blocks: [DirectoryBlock] = []
        var root = DirectoryBlock(bytes: [UInt8](repeating: 0, count: bs), hasTail: false)
        root.writeEntry(at: 0, inode: me, recLen: 12, name: Array(".".utf8), type: 2)
        root.writeEntry(at: 12, inode: parent, recLen: bs - 12, name: Array("..".utf8), type: 2)
        root.bytes[rootInfoOffset + 4] = hashing.definedVersion
        root.bytes[rootInfoOffset + 5] = 8
        root.bytes[rootInfoOffset + 6] = UInt8(levels)
        blocks.append(root)
        for leaf in leaves {
            let typed = leaf.entries.map { entries[$0] }
            blocks += DirectoryBlock.build(typed, dot: nil, blockSize: bs, tail: tail)
        }
        let firstLeaf: UInt32 = 1
        if levels == 0 {
            writeIndex(into: &blocks[0], at: rootIndexOffset, limit: rootLimit,
                       keys: leaves.enumerated().map { ($0.element.key, firstLeaf + UInt32($0.offset)) })
        } else {
            let firstNode = firstLeaf + UInt32(leaves.count)
            var rootKeys: [(UInt32, UInt32)] = []
            for n in 0..<nodeCount {
                let chunk = Array(leaves.indices)[(n * nodeLimit)..<min((n + 1) * nodeLimit, leaves.count)]
                var node = DirectoryBlock(bytes: [UInt8](repeating: 0, count: bs), hasTail: false)
                node.writeEntry(at: 0, inode: 0, recLen: bs, name: [], type: 0)
                writeIndex(into: &node, at: nodeIndexOffset, limit: nodeLimit,
                           keys: chunk.map { (leaves[$0].key, firstLeaf + UInt32($0)) })
                blocks.append(node)
                rootKeys.append((leaves[chunk.first!].key, firstNode + UInt32(n)))
            }
            writeIndex(into: &blocks[0], at: rootIndexOffset, limit: rootLimit, keys: rootKeys)
        }
        return IndexedDirectory(blocks: blocks, order: leaves.flatMap(\.entries))
    }

    /// `dx_countlimit` (limit, count) in place of the first entry's hash, then `(hash, block)` pairs;
    /// the first pair's hash is the count and limit.
    private static func writeIndex(into block: inout DirectoryBlock, at offset: Int, limit: Int, keys: [(hash: UInt32, block: UInt32)]) {
        block.bytes[offset] = UInt8(limit & 0xFF)
        block.bytes[offset + 1] = UInt8(limit >> 8)
        block.bytes[offset + 2] = UInt8(keys.count & 0xFF)
        block.bytes[offset + 3] = UInt8(keys.count >> 8)
        for (k, key) in keys.enumerated() {
            if k > 0 { block.setU32(offset + 8 * k, key.hash) }
            block.setU32(offset + 8 * k + 4, key.block)
        }
    }
}
