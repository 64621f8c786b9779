// Names are not kept by the scan: an inode's first name is found again by re-reading its parent directory.
internal import CFSRescueExt2fs

extension InodeTable {
    /// The name bytes of the first entry pass 2 found naming the inode at `i` (nil when none did, or
    /// when its directory can no longer be read).
    ///
    /// Pass 2 records only which directory holds that entry. This reads that directory's blocks in
    /// the order pass 2 did (physical order; an inline directory's two regions) and applies pass 2's
    /// rules for which entries name an inode, so the first entry it meets naming the inode is the one
    /// pass 2 met first. The names of the whole directory are cached until another one is read.
    func name(at i: Int) -> [UInt8]? {
        let slot = parentSlot(at: i)
        guard slot != 0, let filesystem else { return nil }
        let directoryIndex = Int(directoryIndices[slot - 1])
        let directory = number(at: directoryIndex)
        let names = nameCache.names(in: directory) {
            firstNames(in: directory, at: directoryIndex, filesystem: filesystem)
        }
        return names[number(at: i)]
    }

    /// For every inode an entry of `directory` names (by pass 2's rules), the first such entry's name.
    private func firstNames(in directory: UInt32, at directoryIndex: Int, filesystem: Filesystem) -> [UInt32: [UInt8]] {
        let fs = filesystem.handle
        let sb = fs.pointee.super.pointee
        let hasFiletype = sb.s_feature_incompat & UInt32(EXT2_FEATURE_INCOMPAT_FILETYPE) != 0
        let hasMetadataCsum = sb.s_feature_ro_compat & UInt32(EXT4_FEATURE_RO_COMPAT_METADATA_CSUM) != 0
        let inodesCount = sb.s_inodes_count, firstInode = fsr_first_inode(fs)
        let bs = Int(fs.pointee.blocksize)
        let blocksCount = UInt64(ext2fs_blocks_count(fs.pointee.super))
        var names: [UInt32: [UInt8]] = [:]

        /// Mirrors pass 2's `checkEntry`: which live entries name their inode.
        func take(_ e: DirectoryEntry, _ bytes: UnsafeRawBufferPointer, position: Int) {
            let name = UnsafeRawBufferPointer(rebasing: bytes[e.nameOffset..<e.nameOffset + e.nameLength])
            let isDot = e.nameLength == 1 && name[0] == 0x2E
            let isDotDot = e.nameLength == 2 && name[0] == 0x2E && name[1] == 0x2E
            if position == 0 && isDot || position == 1 && isDotDot { return }
            guard e.inode != 0, names[e.inode] == nil else { return }
            guard e.inode <= inodesCount, e.inode >= firstInode || e.inode == ScanRun.rootInode,
                  let target = index(of: e.inode) else { return }
            if (isDot || isDotDot) && isDirectory(at: target) { return }
            names[e.inode] = Array(name)
        }

        if flags[directoryIndex] & Flag.inline != 0 {
            var size = 0
            guard ext2fs_inline_data_size(fs, directory, &size) == 0, size >= 4, size <= bs + 256 else { return names }
            let buffer = UnsafeMutableRawPointer.allocate(byteCount: bs + 256, alignment: 8)
            defer { buffer.deallocate() }
            guard ext2fs_inline_data_get(fs, directory, nil, buffer, &size) == 0 else { return names }
            let bytes = UnsafeRawBufferPointer(start: buffer, count: size)
            for (start, end) in [(4, Swift.min(60, size)), (60, size)] where end > start {
                let region = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                _ = DirectoryParser.parse(region, limit: region.count, blockSize: region.count, minimumRecord: 8,
                                          hasFiletype: hasFiletype, inodesCount: inodesCount, slack: false,
                                          entry: { take($0, region, position: 2) }, stale: { _ in })
            }
            return names
        }

        guard let map = try? filesystem.blockMap(of: directory) else { return names }
        var blocks: [(logical: UInt64, physical: UInt64)] = []
        for run in map.runs {
            for k in 0..<UInt64(run.length) { blocks.append((run.logical + k, run.physical + k)) }
        }
        blocks.sort { $0.physical < $1.physical }
        let indexed = flags[directoryIndex] & Flag.indexed != 0
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bs, alignment: 8)
        defer { buffer.deallocate() }
        for (logical, physical) in blocks {
            guard physical < blocksCount, io_channel_read_blk64(fs.pointee.io, physical, 1, buffer) == 0 else { continue }
            let bytes = UnsafeRawBufferPointer(start: buffer, count: bs)
            let layout = DirectoryBlockLayout.of(bytes, context: .owned(logical: logical, indexed: indexed), metadataCsum: hasMetadataCsum)
            if layout.kind == .htreeNode { continue }
            var position = 0
            _ = DirectoryParser.parse(bytes, limit: layout.entriesEnd, blockSize: bs, hasFiletype: hasFiletype, inodesCount: inodesCount,
                                      slack: false,
                                      entry: { e in
                                          take(e, bytes, position: logical == 0 ? position : 2)
                                          position += 1
                                      },
                                      stale: { _ in })
        }
        return names
    }
}
