// From data runs to i_block: extent trees (ext4) and indirect block maps (ext2, ext3).
internal import CFSRescueExt2fs
import FSRescue

/// Logical blocks `logical..<logical+length` of a file live at `physical...`.
struct MappedExtent: Sendable, Hashable {
    var logical: UInt64
    var physical: UInt64
    var length: UInt64
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

    /// An extent tree: up to four extents in the inode (depth 0), otherwise one leaf block under a
    /// one-entry index (depth 1), its tail checksum set by `ext2fs_extent_block_csum_set`.
    private static func extentTree(_ extents: [MappedExtent], inode: UInt32, wfs: WritableFilesystem,
                                   allocator: inout BlockAllocator, writer: BlockWriter) throws(FSRescueError) -> Placement {
        var placement = Placement(extents: extents, flags: extentsFlag)
        var words = [UInt32](repeating: 0, count: 15)
        func header(_ w: inout [UInt32], at i: Int, entries: Int, max: Int, depth: Int) {
            w[i] = 0xF30A | UInt32(entries) << 16
            w[i + 1] = UInt32(max) | UInt32(depth) << 16
            w[i + 2] = 0
        }
        func entry(_ w: inout [UInt32], at i: Int, _ e: MappedExtent) {
            w[i] = UInt32(e.logical)
            w[i + 1] = UInt32(e.length) | UInt32(e.physical >> 32) << 16
            w[i + 2] = UInt32(truncatingIfNeeded: e.physical)
        }
        if extents.count <= 4 {
            header(&words, at: 0, entries: extents.count, max: 4, depth: 0)
            for (k, e) in extents.enumerated() { entry(&words, at: 3 + 3 * k, e) }
        } else {
            let capacity = (writer.blockSize - 12) / 12
            guard extents.count <= capacity else {
                throw FSRescueError(.outputFailed, "inode \(inode) needs \(extents.count) extents, more than one extent leaf holds (\(capacity)); use a larger --size so files stay contiguous.")
            }
            let leaf = try allocator.allocateOne()
            var leafWords = [UInt32](repeating: 0, count: writer.blockSize / 4)
            header(&leafWords, at: 0, entries: extents.count, max: capacity, depth: 0)
            for (k, e) in extents.enumerated() { entry(&leafWords, at: 3 + 3 * k, e) }
            let slot = try writer.slot(leaf)
            leafWords.withUnsafeBytes { slot.copyMemory(from: $0) }
            try ext2Call(ext2fs_extent_block_csum_set(wfs.fs, inode, slot.baseAddress!.assumingMemoryBound(to: ext3_extent_header.self)),
                         "checksumming the extent block of inode \(inode)")
            header(&words, at: 0, entries: 1, max: 4, depth: 1)
            words[3] = UInt32(extents[0].logical)
            words[4] = UInt32(truncatingIfNeeded: leaf)
            words[5] = UInt32(leaf >> 32)
            placement.metadataBlocks = [leaf]
        }
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
