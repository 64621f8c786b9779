// Ground-truth entries from the plan and what the writer did.
internal import CFSRescueExt2fs
import FSRescue

/// Builds ``FixtureTruth`` entries by walking the planned tree from the root (depth-first, each
/// directory's entries in on-disk order).
struct TruthBuilder {
    let plan: TreePlan
    let written: [WrittenInode]
    let blockSize: UInt64
    /// Entries for inodes the plan does not write (mke2fs's lost+found).
    let external: [UInt32: FixtureTruth.Entry]

    func entries(rootPath: String = "/", root: UInt32 = TreePlanner.rootInode) -> [FixtureTruth.Entry] {
        var out: [FixtureTruth.Entry] = []
        out.reserveCapacity(plan.inodes.count + 16)
        forEachEntry(rootPath: rootPath, root: root) { out.append($0) }
        return out
    }

    /// Hands each entry to `body` as the walk meets it, none kept: a truth streamed to disk.
    func forEachEntry<E: Error>(rootPath: String = "/", root: UInt32 = TreePlanner.rootInode,
                                _ body: (FixtureTruth.Entry) throws(E) -> Void) throws(E) {
        if let r = entry(for: root, path: rootPath, name: [], parent: root) { try body(r) }
        var stack: [(UInt32, String)] = [(root, rootPath)]
        while let (dir, path) = stack.popLast() {
            guard let k = plan.index[dir], case .directory(_, let planned) = plan.inodes[k].body else { continue }
            let children = written[k].entryOrder.map { $0.map { planned[$0] } } ?? planned
            var subdirs: [(UInt32, String)] = []
            for child in children {
                let childPath = (path.hasSuffix("/") ? path : path + "/") + NameText.text(child.name)
                guard let e = entry(for: child.inode, path: childPath, name: child.name, parent: dir) else { continue }
                try body(e)
                if e.type == "dir" && plan[child.inode] != nil { subdirs.append((child.inode, childPath)) }
            }
            stack += subdirs.reversed()
        }
    }

    func entry(for ino: UInt32, path: String, name: [UInt8], parent: UInt32) -> FixtureTruth.Entry? {
        if var e = external[ino] {
            e.path = path; e.name = NameText.text(name); e.nameHex = NameText.hexIfNeeded(name); e.parentInode = parent
            return e
        }
        guard let k = plan.index[ino] else { return nil }
        let node = plan.inodes[k]
        let w = written[k]
        var e = FixtureTruth.Entry(path: path, name: NameText.text(name), nameHex: NameText.hexIfNeeded(name), parentInode: parent,
                                   inode: ino, type: node.typeName, size: 0, mode: UInt32(node.mode), uid: node.uid, gid: node.gid,
                                   links: node.links, mtime: node.time)
        switch node.body {
        case .file(let c):
            e.size = c.size
            e.sha256 = w.sha256
            if c.dataRanges != nil {
                e.dataRanges = ContentGenerator.dataRanges(c, blockSize: blockSize).map {
                    [$0.lowerBound * blockSize, Swift.min(UInt64($0.count) * blockSize, c.size - $0.lowerBound * blockSize)]
                }
            }
            if let unwritten = c.unwritten {
                e.unwrittenRanges = unwritten.map { [$0.lowerBound * blockSize, UInt64($0.count) * blockSize] }
            }
        case .directory: e.size = w.placement.dataBlocks * blockSize
        case .symlink(let t): e.size = UInt64(t.count); e.target = NameText.text(t)
        case .characterDevice(let major, let minor), .blockDevice(let major, let minor): e.device = [major, minor]
        case .fifo, .socket: break
        }
        if !w.placement.extents.isEmpty { e.extents = w.placement.extents.map { [$0.logical, $0.physical, $0.length] } }
        if !w.placement.metadataBlocks.isEmpty { e.mappingBlocks = w.placement.metadataBlocks }
        if !node.xattrs.isEmpty {
            e.xattrs = node.xattrs.map { FixtureTruth.Xattr(name: $0.name, value: NameText.text($0.value), size: $0.value.count) }
        }
        e.xattrBlock = w.xattrBlock
        return e
    }
}

extension WritableFilesystem {
    /// The geometry facts the truth records (`ext2fs_inode_table_loc`, `ext2fs_bg_has_super`).
    func facts(type: FixtureType, uuid: String, createdAt: UInt32, imageBytes: UInt64) -> FixtureTruth.FilesystemFacts {
        let sb = fs.pointee.super.pointee
        let groups = fs.pointee.group_desc_count
        var backups: [UInt64] = []
        var tables: [UInt64] = []
        for g in 0..<groups {
            tables.append(ext2fs_inode_table_loc(fs, g))
            if g > 0 && ext2fs_bg_has_super(fs, dgrp_t(g)) != 0 { backups.append(ext2fs_group_first_block2(fs, g)) }
        }
        return FixtureTruth.FilesystemFacts(
            type: type, uuid: uuid, hashSeed: uuid, createdAt: createdAt, imageBytes: imageBytes,
            blockSize: UInt32(blockSize), blocksCount: blocksCount, inodesCount: sb.s_inodes_count,
            inodeSize: UInt32(inodeSize), inodesPerGroup: sb.s_inodes_per_group, blocksPerGroup: sb.s_blocks_per_group,
            groupCount: groups, firstDataBlock: sb.s_first_data_block, backupSuperblocks: backups, inodeTables: tables,
            metadataChecksums: hasMetadataChecksums)
    }

    /// The data blocks of a directory made by mke2fs (`ext2fs_bmap2`, one call per logical block).
    func mappedBlocks(_ ino: UInt32) throws(FSRescueError) -> (raw: [UInt8], extents: [MappedExtent]) {
        var raw = try readInode(ino)
        let size = raw.withUnsafeBytes { UInt64($0.load(fromByteOffset: 4, as: UInt32.self)) }
        var extents: [MappedExtent] = []
        for l in 0..<(size / UInt64(blockSize)) {
            var phys: blk64_t = 0
            let code = raw.withUnsafeMutableBytes {
                ext2fs_bmap2(fs, ino, $0.baseAddress!.assumingMemoryBound(to: ext2_inode.self), nil, 0, l, nil, &phys)
            }
            try ext2Call(code, "mapping block \(l) of inode \(ino)")
            if var last = extents.last, last.logical + last.length == l, last.physical + last.length == phys {
                last.length += 1
                extents[extents.count - 1] = last
            } else {
                extents.append(MappedExtent(logical: l, physical: phys, length: 1))
            }
        }
        return (raw, extents)
    }
}
