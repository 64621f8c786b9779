// Writes a TreePlan into an open filesystem: data, directory blocks, inodes, xattrs.
internal import CFSRescueExt2fs
import FSRescue

/// What was written for one inode: where its blocks went, the SHA-256 of its content, its EA block.
struct WrittenInode: Sendable {
    var placement = Placement()
    var sha256: String?
    var xattrBlock: UInt64?
    /// An indexed directory's entries (indexes into its planned entries) in on-disk order.
    var entryOrder: [Int]?
}

/// Materializes planned inodes through libext2fs: inode numbers marked with
/// `ext2fs_inode_alloc_stats2`, blocks from ``BlockAllocator``, data and directory blocks batched by
/// ``BlockWriter`` (directory checksums by `ext2fs_dir_block_csum_set`), inodes written with
/// `ext2fs_write_inode_full`, xattrs with `ext2fs_xattrs_open` / `ext2fs_xattr_set`.
struct TreeWriter {
    /// Logical content larger than this is not hashed whole (a 1 TiB sparse file); its data ranges are.
    static let hashLimit: UInt64 = 4 << 30
    /// `EXT2_INDEX_FL`: the directory is indexed (htree).
    static let indexFlag: UInt32 = 0x1000

    let wfs: WritableFilesystem
    var allocator: BlockAllocator
    let writer: BlockWriter
    private let zeros: [UInt8]
    private let hashing: DirectoryHashing

    init(_ wfs: WritableFilesystem) {
        self.wfs = wfs
        allocator = BlockAllocator(wfs)
        writer = BlockWriter(wfs)
        zeros = [UInt8](repeating: 0, count: wfs.blockSize)
        hashing = DirectoryHashing(wfs.fs.pointee.super.pointee)
    }

    /// Marks the planned inode numbers in use; they must be free.
    func reserve(_ inodes: [PlannedInode]) throws(FSRescueError) {
        for node in inodes where node.number != TreePlanner.rootInode {
            guard ext2fs_test_inode_bitmap2(wfs.fs.pointee.inode_map, node.number) == 0 else {
                throw FSRescueError(.outputFailed, "inode \(node.number) is already in use; the fixture's inode numbering does not match this image.")
            }
            ext2fs_inode_alloc_stats2(wfs.fs, node.number, 1, node.isDirectory ? 1 : 0)
        }
    }

    /// Writes `inodes` (all blocks, then all xattrs). `fileType` gives the entry type of any inode
    /// a directory names.
    mutating func write(_ inodes: [PlannedInode], fileType: (UInt32) -> UInt8) throws(FSRescueError) -> [WrittenInode] {
        var written: [WrittenInode] = []
        written.reserveCapacity(inodes.count)
        for node in inodes {
            written.append(try write(node, fileType: fileType))
        }
        try writer.flush()
        for (k, node) in inodes.enumerated() where !node.xattrs.isEmpty {
            written[k].xattrBlock = try setXattrs(node)
        }
        return written
    }

    private mutating func write(_ node: PlannedInode, fileType: (UInt32) -> UInt8) throws(FSRescueError) -> WrittenInode {
        var result = WrittenInode()
        var size: UInt64 = 0
        var inline: [UInt8]?
        switch node.body {
        case .file(let content):
            size = content.size
            (result.placement, result.sha256) = try writeFile(content, inode: node.number)
        case .directory(let parent, let entries):
            let typed = entries.map { (name: $0.name, inode: $0.inode, type: fileType($0.inode)) }
            let blocks: [DirectoryBlock]
            let indexed = try IndexedDirectory.build(typed, me: node.number, parent: parent, blockSize: wfs.blockSize,
                                                     tail: wfs.hasMetadataChecksums, hashing: hashing)
            if let indexed {
                blocks = indexed.blocks
                result.entryOrder = indexed.order
            } else {
                blocks = DirectoryBlock.build(typed, dot: (node.number, parent), blockSize: wfs.blockSize, tail: wfs.hasMetadataChecksums)
            }
            size = UInt64(blocks.count * wfs.blockSize)
            let extents = try place(UInt64(blocks.count), at: 0)
            var k = 0
            for e in extents {
                for b in 0..<e.length {
                    let slot = try writer.slot(e.physical + b)
                    blocks[k].bytes.withUnsafeBytes { slot.copyMemory(from: $0) }
                    if wfs.hasMetadataChecksums {
                        try ext2Call(ext2fs_dir_block_csum_set(wfs.fs, node.number, slot.baseAddress!.assumingMemoryBound(to: ext2_dir_entry.self)),
                                     "checksumming a block of directory \(node.number)")
                    }
                    k += 1
                }
            }
            result.placement = try BlockMapper.map(extents, inode: node.number, wfs: wfs, allocator: &allocator, writer: writer)
            if indexed != nil { result.placement.flags |= TreeWriter.indexFlag }
        case .symlink(let target):
            size = UInt64(target.count)
            if target.count < 60 {
                inline = target
            } else {
                let content = FileContent(size: size, style: .text, seed: 0, dataRanges: nil, literal: target)
                (result.placement, _) = try writeFile(content, inode: node.number)
            }
        case .characterDevice(let major, let minor), .blockDevice(let major, let minor):
            inline = TreeWriter.deviceWords(major: major, minor: minor)
        case .fifo, .socket:
            break
        }
        var image = try InodeImage.new(wfs, mode: node.mode, uid: node.uid, gid: node.gid, links: node.links,
                                       time: node.time, size: size, placement: result.placement)
        if let inline { image.setInlineBlock(inline) }
        try wfs.writeInode(node.number, image.raw)
        result.placement.iBlock = []  // written; one allocation less per inode kept for the truth
        return result
    }

    /// Allocates `count` blocks for logical blocks starting at `logical`, as extents.
    private mutating func place(_ count: UInt64, at logical: UInt64) throws(FSRescueError) -> [MappedExtent] {
        var extents: [MappedExtent] = []
        var l = logical
        for run in try allocator.allocate(count, maxRun: BlockMapper.maxExtentLength) {
            extents.append(MappedExtent(logical: l, physical: run.start, length: run.length))
            l += run.length
        }
        return extents
    }

    /// Places, writes and hashes a file's data; holes are neither allocated nor written.
    private mutating func writeFile(_ content: FileContent, inode: UInt32) throws(FSRescueError) -> (Placement, String?) {
        let bs = UInt64(wfs.blockSize)
        var extents: [MappedExtent] = []
        for range in ContentGenerator.dataRanges(content, blockSize: bs) {
            extents += try place(UInt64(range.count), at: range.lowerBound)
        }
        if content.unwritten != nil { extents = TreeWriter.split(extents, content) }
        let hashing = content.size <= TreeWriter.hashLimit
        var hasher = SHA256()
        var logical: UInt64 = 0
        for e in extents {
            if hashing { hashZeros(&hasher, from: logical, to: e.logical, size: content.size) }
            for k in 0..<e.length {
                let slot = try writer.slot(e.physical + k)
                if e.unwritten {
                    ContentGenerator.fillStale(content, block: e.logical + k, into: slot)
                    if hashing { hashZeros(&hasher, from: e.logical + k, to: e.logical + k + 1, size: content.size) }
                    continue
                }
                ContentGenerator.fill(content, block: e.logical + k, into: slot)
                if hashing {
                    let n = Int(Swift.min(bs, content.size - (e.logical + k) * bs))
                    hasher.update(UnsafeRawBufferPointer(rebasing: slot[0..<n]))
                }
            }
            logical = e.logical + e.length
        }
        if hashing { hashZeros(&hasher, from: logical, to: (content.size + bs - 1) / bs, size: content.size) }
        let placement = try BlockMapper.map(extents, inode: inode, wfs: wfs, allocator: &allocator, writer: writer)
        return (placement, hashing ? hasher.finalizeHex() : nil)
    }

    /// Cuts extents where the content's unwritten ranges begin and end, each piece flagged: the
    /// kernel cannot merge a written and an unwritten extent, however contiguous their blocks.
    static func split(_ extents: [MappedExtent], _ content: FileContent) -> [MappedExtent] {
        var out: [MappedExtent] = []
        for e in extents {
            var start = e.logical
            let end = e.logical + e.length
            while start < end {
                let state = content.isUnwritten(start)
                var stop = start + 1
                while stop < end && content.isUnwritten(stop) == state && stop - start < BlockMapper.maxExtentLength - 1 { stop += 1 }
                out.append(MappedExtent(logical: start, physical: e.physical + (start - e.logical), length: stop - start, unwritten: state))
                start = stop
            }
        }
        return out
    }

    /// Hashes the zeros of a hole: logical blocks `from..<to` of a file of `size` bytes.
    private func hashZeros(_ hasher: inout SHA256, from: UInt64, to: UInt64, size: UInt64) {
        let bs = UInt64(zeros.count)
        for l in Swift.min(from, to)..<to {
            let n = Int(Swift.min(bs, size - l * bs))
            zeros.withUnsafeBytes { hasher.update(UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
        }
    }

    /// Sets the planned xattrs (`ext2fs_xattrs_open`, `ext2fs_xattrs_read`, `ext2fs_xattr_set`,
    /// `ext2fs_xattrs_close`) and returns the EA block libext2fs allocated, if any.
    private func setXattrs(_ node: PlannedInode) throws(FSRescueError) -> UInt64? {
        var handle: OpaquePointer?
        try ext2Call(ext2fs_xattrs_open(wfs.fs, node.number, &handle), "opening the xattrs of inode \(node.number)")
        defer { ext2fs_xattrs_close(&handle) }
        try ext2Call(ext2fs_xattrs_read(handle), "reading the xattrs of inode \(node.number)")
        for x in node.xattrs {
            try ext2Call(x.value.withUnsafeBytes { ext2fs_xattr_set(handle, x.name, $0.baseAddress, $0.count) },
                         "setting xattr \(x.name) on inode \(node.number)")
        }
        let raw = try wfs.readInode(node.number)
        let block = raw.withUnsafeBytes { ext2fs_file_acl_block(wfs.fs, $0.baseAddress!.assumingMemoryBound(to: ext2_inode.self)) }
        return block == 0 ? nil : block
    }

    /// Device numbers as the kernel stores them: the old 8:8 encoding in `i_block[0]` when it fits,
    /// else the new one in `i_block[1]`.
    static func deviceWords(major: UInt32, minor: UInt32) -> [UInt8] {
        var words: [UInt32] = [0, 0]
        if major < 256 && minor < 256 { words[0] = major << 8 | minor } else {
            words[1] = (minor & 0xFF) | (major << 8) | ((minor & ~0xFF) << 12)
        }
        return words.withUnsafeBytes { Array($0) }
    }
}
