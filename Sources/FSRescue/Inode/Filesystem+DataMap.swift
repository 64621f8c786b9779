// Building an inode's DataMap: extent trees and block maps through the one block-map walker.

extension Filesystem {
    /// Maps where `inode`'s data is. Never throws: damage becomes ``DataMap/lost`` ranges and
    /// ``DataMap/problems``, and the rest of the map still stands. Only blocks below `i_size` count.
    public func dataMap(of inode: InodeRecord) -> DataMap {
        var map = DataMap()
        map.blockLimit = max(1, min(blocksCount, imageBlocks))
        let bs = UInt64(blockSize)
        let size = contentSize(of: inode)
        let fileBlocks = size / bs + (size % bs == 0 ? 0 : 1)
        if inode.hasInlineData {
            map.inline = inlineData(of: inode, problems: &map.problems)
            return map
        }
        if inode.type == .symlink && isFastSymlink(inode) {
            map.inline = Array(inode.blockArea.prefix(Int(min(inode.size, 60))))
            return map
        }
        if inode.usesExtents {
            walkExtents(inode, fileBlocks: fileBlocks, into: &map)
        } else {
            BlockMapWalker(fs: self, fileBlocks: fileBlocks).walk(inode.blockArea, into: &map)
        }
        return map
    }

    /// A symlink whose target lives in `i_block` (no data block; `ext2fs_is_fast_symlink`'s rule).
    func isFastSymlink(_ inode: InodeRecord) -> Bool {
        guard inode.type == .symlink, inode.size < 60 else { return false }
        if inode.usesExtents || inode.hasInlineData { return false }
        let perBlock = UInt64(blockSize) / 512
        let xattrBlocks: UInt64 = inode.xattrBlock != 0 ? perBlock : 0
        return inode.blockCount <= xattrBlocks
    }

    /// Whether `block..<block+count` lies inside the filesystem's data area (and has a byte offset
    /// that fits `off_t`, whatever a hostile superblock claims the block count is).
    func blocksInRange(_ block: UInt64, count: UInt64) -> Bool {
        let first = superblock.firstDataBlock
        let end = min(blocksCount, UInt64(Int64.max) / UInt64(blockSize) / 2)
        return block >= first && count <= end && block <= end - count
    }

    /// Blocks of the filesystem the image holds (at least partly): no real file maps more.
    var imageBlocks: UInt64 {
        let available = source.sizeBytes > location.offsetBytes ? source.sizeBytes - location.offsetBytes : 0
        return available / UInt64(blockSize) + 1
    }

    /// The most bytes `inode`'s map can address: 2^32 blocks for an extent tree, 12 + p + p² + p³
    /// blocks (p pointers a block) for a block map, the inode's own space for inline data.
    public func addressableBytes(of inode: InodeRecord) -> UInt64 {
        let bs = UInt64(blockSize)
        if inode.hasInlineData { return UInt64(superblock.inodeSize) + 60 }
        if inode.usesExtents { return (UInt64(1) << 32) * bs }
        let p = bs / 4
        return (12 + p + p * p + p * p * p) * bs
    }

    /// The bytes of `inode`'s content that can exist: `i_size`, cut to ``addressableBytes(of:)``.
    /// A crafted `i_size` (up to 2^64 - 1) would otherwise overflow file offsets or make a copy
    /// write zeros for ever.
    public func contentSize(of inode: InodeRecord) -> UInt64 {
        min(inode.size, addressableBytes(of: inode))
    }

    /// The extent tree walked by the scan's walker (``BlockWalker``: depth 0 parsed in place, deeper
    /// trees node by node with `ext2fs_extent_get`, checksums ignored), so a node that cannot be read
    /// loses only its own subtree, up to the next block the walk maps; extents outside the filesystem
    /// lose their own range. Runs past the file size are cut there.
    private func walkExtents(_ inode: InodeRecord, fileBlocks: UInt64, into map: inout DataMap) {
        let buffer = InodeBuffer(self)
        guard readInodeIgnoringChecksum(InodeNumber(inode.number), into: buffer) == nil else {
            map.lose(logical: 0, length: fileBlocks, "inode unreadable")
            return
        }
        let walker = BlockWalker(self)
        ignoringChecksums { walker.walk(inode.number, buffer) }
        var lost: [(logical: UInt64, length: UInt64, reason: String)] = []
        for u in walker.unknown where u.logical < fileBlocks {
            let end = u.length.map { u.logical + $0 } ?? walker.runs.first { $0.logical > u.logical }?.logical ?? fileBlocks
            lost.append((u.logical, min(end, fileBlocks) - u.logical, u.reason))
        }
        for problem in walker.problems where problem.code == .extentBadOrder {
            map.problems.append(problem.message)
        }
        var k = 0
        lost.sort { $0.logical < $1.logical }
        for run in walker.runs where run.logical < fileBlocks && !map.isFull {
            while k < lost.count && lost[k].logical <= run.logical {
                map.lose(logical: lost[k].logical, length: lost[k].length, lost[k].reason)
                k += 1
            }
            map.append(logical: run.logical, physical: run.physical, length: min(run.length, fileBlocks - run.logical),
                       unwritten: run.unwritten, fileBlocks: fileBlocks)
        }
        for rest in lost[k...] where !map.isFull { map.lose(logical: rest.logical, length: rest.length, rest.reason) }
    }
}
