// Before pass 1: the inodes the kernel has queued for deletion or truncation (orphan list, orphan file).

extension ScanRun {
    /// `EXT4_ORPHAN_BLOCK_MAGIC`, in the tail of every orphan file block.
    static let orphanBlockMagic: UInt32 = 0x0B10_CA04

    /// Follows the `s_last_orphan` chain (next link in `i_dtime`)
    /// and reads the orphan file's blocks, filling ``orphanMembers``. Cycle-safe and bounded by the
    /// inode count. Done before pass 1 so pass 1 knows why these inodes have no links.
    func readOrphanChains() {
        let sb = filesystem.superblock
        let buffer = InodeBuffer(filesystem)
        var ino = sb.lastOrphan
        var seen = Set<UInt32>()
        while ino != 0 {
            guard ino >= firstInode, ino <= inodesCount else {
                add(Finding(.orphanListBad, "The orphan list names inode \(ino), outside the inodes it may hold (\(firstInode)…\(inodesCount)); the rest of the chain is lost.", inode: ino))
                break
            }
            guard seen.insert(ino).inserted else {
                add(Finding(.orphanListBad, "The orphan list loops back to inode \(ino) after \(seen.count) inodes.", inode: ino))
                break
            }
            if let error = filesystem.readInode(InodeNumber(ino), into: buffer) {
                add(Finding(.orphanListBad, "Inode \(ino) on the orphan list cannot be read (\(error.message)).", inode: ino))
                break
            }
            let raw = buffer.view
            if raw.mode == 0 {
                add(Finding(.orphanListBad, "The orphan list names inode \(ino), which is not in use (mode 0); the rest of the chain is not trusted.", inode: ino))
                break
            }
            orphanMembers[ino] = .orphanList
            ino = raw.dtime
        }
        if filesystem.features.contains(.orphanFile), sb.orphanFileInode != 0 {
            readOrphanFile(sb.orphanFileInode, buffer)
        }
    }

    /// Reads every block of the orphan file: `(block size − 8) / 4` inode numbers and a tail with
    /// `EXT4_ORPHAN_BLOCK_MAGIC`.
    private func readOrphanFile(_ fileInode: UInt32, _ buffer: InodeBuffer) {
        guard fileInode <= inodesCount else {
            add(Finding(.orphanFileBad, "The orphan file inode \(fileInode) is outside the filesystem.", inode: fileInode))
            return
        }
        if let error = filesystem.readInode(InodeNumber(fileInode), into: buffer) {
            add(Finding(.orphanFileBad, "The orphan file inode \(fileInode) cannot be read (\(error.message)).", inode: fileInode))
            return
        }
        guard buffer.view.hasValidBlocks else { return }
        let walker = BlockWalker(filesystem)
        walker.walk(fileInode, buffer)
        let bs = Int(blockSize)
        let block = UnsafeMutableRawPointer.allocate(byteCount: bs, alignment: 8)
        defer { block.deallocate() }
        let perBlock = (bs - 8) / 4
        var entries = 0
        defer {
            if entries == 0 && filesystem.features.contains(.orphanPresent) {
                add(Finding(.orphanPresentClean, "The orphan_present feature is set but the orphan file (inode \(fileInode)) holds no inodes.", inode: fileInode))
            }
        }
        for run in walker.runs {
            for i in 0..<UInt64(run.length) {
                let blk = run.physical + i
                guard read(blk, into: block) == nil else {
                    add(Finding(.orphanFileBad, "Orphan file block \(blk) cannot be read.", inode: fileInode, block: blk))
                    continue
                }
                guard block.load(fromByteOffset: bs - 8, as: UInt32.self) == Self.orphanBlockMagic else {
                    add(Finding(.orphanFileBad, "Orphan file block \(blk) has no orphan block magic; its entries are not trusted.", inode: fileInode, block: blk))
                    continue
                }
                for slot in 0..<perBlock {
                    let ino = block.load(fromByteOffset: slot * 4, as: UInt32.self)
                    guard ino != 0 else { continue }
                    guard ino >= firstInode, ino <= inodesCount else {
                        add(Finding(.orphanFileBad, "Orphan file block \(blk) names inode \(ino), outside the filesystem's regular inodes.", inode: fileInode, block: blk))
                        continue
                    }
                    entries += 1
                    if orphanMembers[ino] == nil { orphanMembers[ino] = .orphanFile }
                }
            }
        }
    }
}
