// From data runs to i_block: extent trees (ext4) and indirect block maps (ext2, ext3).
internal import CFSRescueExt2fs
import FSRescue

/// Logical blocks `logical..<logical+length` of a file live at `physical...`.
struct MappedExtent: Sendable, Hashable {
    var logical: UInt64
    var physical: UInt64
    var length: UInt64
    /// Allocated but never written (fallocate): reads as zeros whatever the blocks hold.
    var unwritten = false
}

/// How an inode maps its blocks: the 60 bytes of `i_block`, the flags that go with them, and the
/// mapping blocks (extent leaves, indirect blocks) written beside the data.
struct Placement: Sendable {
    var extents: [MappedExtent] = []
    var metadataBlocks: [UInt64] = []
    var iBlock = [UInt32](repeating: 0, count: 15)
    var flags: UInt32 = 0

    var dataBlocks: UInt64 { extents.reduce(0) { $0 + $1.length } }
    var totalBlocks: UInt64 { dataBlocks + UInt64(metadataBlocks.count) }
}

/// Builds the mapping of a file whose data blocks are already placed.
enum BlockMapper {
    static let extentsFlag: UInt32 = 0x80000      // EXT4_EXTENTS_FL
    static let maxExtentLength: UInt64 = 32768    // EXT_INIT_MAX_LEN

    static func map(_ extents: [MappedExtent], inode: UInt32, wfs: WritableFilesystem,
                    allocator: inout BlockAllocator, writer: BlockWriter) throws(FSRescueError) -> Placement {
        wfs.usesExtents
            ? try extentTree(extents, inode: inode, wfs: wfs, allocator: &allocator, writer: writer)
            : try blockMap(extents, allocator: &allocator, writer: writer)
    }

    /// An extent tree as the kernel grows one: up to four extents in the inode (depth 0), otherwise
    /// full leaf blocks of `(blockSize - 12) / 12` extents (the last one partly filled) under as many
    /// levels of full index blocks as it takes for four entries to remain for the inode: depth 2 from
    /// 4 × 340 + 1 extents with 4 KiB blocks. Each block's tail checksum is set by
    /// `ext2fs_extent_block_csum_set`; unwritten extents carry their length plus 32768 (EXT_INIT_MAX_LEN).
    private static func extentTree(_ extents: [MappedExtent], inode: UInt32, wfs: WritableFilesystem,
                                   allocator: inout BlockAllocator, writer: BlockWriter) throws(FSRescueError) -> Placement {
        var placement = Placement(extents: extents, flags: extentsFlag)
        func header(_ w: inout [UInt32], entries: Int, max: Int, depth: Int) {
            w[0] = 0xF30A | UInt32(entries) << 16
            w[1] = UInt32(max) | UInt32(depth) << 16
            w[2] = 0
        }
        // One level's entries as three words each: extents at the leaves, (logical, child) above.
        var level: [(logical: UInt64, words: (UInt32, UInt32, UInt32))] = extents.map { e in
            let length = UInt32(e.length) + (e.unwritten ? UInt32(maxExtentLength) : 0)
            return (e.logical, (UInt32(e.logical), length | UInt32(e.physical >> 32) << 16, UInt32(truncatingIfNeeded: e.physical)))
        }
        let capacity = (writer.blockSize - 12) / 12
        var depth = 0
        while level.count > 4 {
            var above: [(logical: UInt64, words: (UInt32, UInt32, UInt32))] = []
            for first in stride(from: 0, to: level.count, by: capacity) {
                let chunk = level[first..<min(first + capacity, level.count)]
                let block = try allocator.allocateOne()
                var words = [UInt32](repeating: 0, count: writer.blockSize / 4)
                header(&words, entries: chunk.count, max: capacity, depth: depth)
                for (k, entry) in chunk.enumerated() {
                    (words[3 + 3 * k], words[4 + 3 * k], words[5 + 3 * k]) = entry.words
                }
                let slot = try writer.slot(block)
                words.withUnsafeBytes { slot.copyMemory(from: $0) }
                try ext2Call(ext2fs_extent_block_csum_set(wfs.fs, inode, slot.baseAddress!.assumingMemoryBound(to: ext3_extent_header.self)),
                             "checksumming an extent block of inode \(inode)")
                placement.metadataBlocks.append(block)
                let logical = chunk.first!.logical
                above.append((logical, (UInt32(truncatingIfNeeded: logical), UInt32(truncatingIfNeeded: block), UInt32(block >> 32))))
            }
            level = above
            depth += 1
        }
        var words = [UInt32](repeating: 0, count: 15)
        header(&words, entries: level.count, max: 4, depth: depth)
        for (k, entry) in level.enumerated() { (words[3 + 3 * k], words[4 + 3 * k], words[5 + 3 * k]) = entry.words }
        placement.iBlock = words
        return placement
    }

    /// A classic block map: 12 direct pointers, then single, double and triple indirect blocks,
    /// allocated after the data they map and written through `writer`.
    private static func blockMap(_ extents: [MappedExtent], allocator: inout BlockAllocator,
                                 writer: BlockWriter) throws(FSRescueError) -> Placement {
        var placement = Placement(extents: extents)
        let p = UInt64(writer.blockSize / 4)
        // Mapping blocks keyed by their path from i_block: [slot] or [slot, i] or [slot, i, j].
        var nodes: [[UInt64]: [UInt32]] = [:]
        func set(_ path: [UInt64], _ value: UInt32) {
            for depth in 1..<path.count {
                let key = Array(path.prefix(depth))
                if nodes[key] == nil { nodes[key] = [UInt32](repeating: 0, count: Int(p)) }
            }
            if path.count == 1 { placement.iBlock[Int(path[0])] = value } else {
                nodes[Array(path.dropLast()), default: []][Int(path.last!)] = value
            }
        }
        for e in extents {
            for k in 0..<e.length {
                var l = e.logical + k
                let phys = UInt32(e.physical + k)
                if l < 12 { set([l], phys); continue }
                l -= 12
                if l < p { set([12, l], phys); continue }
                l -= p
                if l < p * p { set([13, l / p, l % p], phys); continue }
                l -= p * p
                guard l < p * p * p else {
                    throw FSRescueError(.outputFailed, "a file is larger than a block map can address; use ext4 or a larger --block-size.")
                }
                set([14, l / (p * p), (l / p) % p, l % p], phys)
            }
        }
        // Allocate parents before children so each pointer is known when its block is written.
        let keys = nodes.keys.sorted { $0.count != $1.count ? $0.count < $1.count : $0.lexicographicallyPrecedes($1) }
        var physical: [[UInt64]: UInt64] = [:]
        for key in keys {
            let block = try allocator.allocateOne()
            physical[key] = block
            placement.metadataBlocks.append(block)
            if key.count == 1 { placement.iBlock[Int(key[0])] = UInt32(block) } else {
                nodes[Array(key.dropLast())]![Int(key.last!)] = UInt32(block)
            }
        }
        for key in keys.sorted(by: { physical[$0]! < physical[$1]! }) {
            let slot = try writer.slot(physical[key]!)
            nodes[key]!.withUnsafeBytes { slot.copyMemory(from: $0) }
        }
        return placement
    }
}
