// Building an inode's DataMap: extent trees through libext2fs, block maps by our own bounded walk.
internal import CFSRescueExt2fs

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
        let first = UInt64(handle.pointee.super.pointee.s_first_data_block)
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
        if inode.hasInlineData { return UInt64(fsr_inode_size(handle)) + 60 }
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

    /// Inline data (`ext2fs_inline_data_size` / `ext2fs_inline_data_get`), bounded by the inode's
    /// size; with `whole`, all of it (a directory's entries are read as far as libext2fs stores them,
    /// as pass 2 reads them, whatever `i_size` says).
    func inlineData(of inode: InodeRecord, problems: inout [String], whole: Bool = false) -> [UInt8]? {
        ignoringChecksums { () -> [UInt8]? in
            var size = 0
            var rc = ext2fs_inline_data_size(handle, inode.number, &size)
            guard rc == 0, size <= Int(fsr_inode_size(handle)) + 60 else {
                problems.append("inline data unreadable: \(rc == 0 ? "size \(size)" : Ext2Error.text(of: rc))")
                return nil
            }
            var buffer = [UInt8](repeating: 0, count: max(size, 60) + Int(fsr_inode_size(handle)))
            var raw: ext2_inode_large
            do throws(Ext2Error) { raw = try readRawInode(inode.number) } catch {
                problems.append("inode unreadable: \(error.message)")
                return nil
            }
            rc = withUnsafeMutablePointer(to: &raw) { p in
                p.withMemoryRebound(to: ext2_inode.self, capacity: 1) { small in
                    buffer.withUnsafeMutableBytes { ext2fs_inline_data_get(handle, inode.number, small, $0.baseAddress, &size) }
                }
            }
            guard rc == 0 else {
                problems.append("inline data unreadable: \(Ext2Error.text(of: rc))")
                return nil
            }
            return Array(buffer.prefix(whole ? size : min(size, Int(clamping: inode.size))))
        }
    }

    /// The extent tree walked by the scan's walker (``BlockWalker``: depth 0 parsed in place, deeper
    /// trees node by node with `ext2fs_extent_get`, checksums ignored), so a node that cannot be read
    /// loses only its own subtree, up to the next block the walk maps; extents outside the filesystem
    /// lose their own range. Runs past the file size are cut there.
    private func walkExtents(_ inode: InodeRecord, fileBlocks: UInt64, into map: inout DataMap) {
        guard var raw = try? readRawInode(inode.number) else {
            map.lose(logical: 0, length: fileBlocks, "inode unreadable")
            return
        }
        let walker = BlockWalker(self)
        ignoringChecksums {
            withUnsafeMutablePointer(to: &raw) { p in
                p.withMemoryRebound(to: ext2_inode.self, capacity: 1) { walker.walk(inode.number, $0) }
            }
        }
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
