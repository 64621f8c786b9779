// Lookups over a truth document: entries by inode and by directory, and where each name sits on disk.

/// An index of a ``FixtureTruth`` for choosing targets and locating names.
struct TruthIndex {
    let truth: FixtureTruth
    /// Entries (names) of each inode.
    let byInode: [UInt32: [FixtureTruth.Entry]]
    /// Entries of each directory, in on-disk order.
    let children: [UInt32: [FixtureTruth.Entry]]
    /// How the image hashes names for indexed directories (nil: its superblock was unreadable, and
    /// every directory is replayed as linear).
    var hashing: DirectoryHashing?

    init(_ truth: FixtureTruth) {
        self.truth = truth
        var byInode: [UInt32: [FixtureTruth.Entry]] = [:]
        var children: [UInt32: [FixtureTruth.Entry]] = [:]
        for e in truth.entries {
            byInode[e.inode, default: []].append(e)
            if e.inode != TreePlanner.rootInode || e.path != "/" { children[e.parentInode, default: []].append(e) }
        }
        self.byInode = byInode
        self.children = children
    }

    var blockSize: Int { Int(truth.filesystem.blockSize) }

    static func nameBytes(_ e: FixtureTruth.Entry) -> [UInt8] { e.nameHex.map(hexBytes) ?? Array(e.name.utf8) }
    static func nameBytes(_ n: NameLocation) -> [UInt8] { n.nameHex.map(hexBytes) ?? Array(n.name.utf8) }

    static func hexBytes(_ hex: String) -> [UInt8] {
        let digits = Array(hex.utf8).map { $0 <= 57 ? $0 - 48 : $0 - 87 }
        return stride(from: 0, to: digits.count - 1, by: 2).map { digits[$0] << 4 | digits[$0 + 1] }
    }

    /// The physical blocks of an inode, in logical order.
    func blocks(of ino: UInt32) -> [UInt64] {
        guard let e = byInode[ino]?.first, let extents = e.extents else { return [] }
        return extents.flatMap { x in (0..<x[2]).map { x[1] + $0 } }
    }

    /// Where each of a directory's entries was written: the generator's layout replayed from the
    /// truth (``DirectoryBlock/build``, or ``IndexedDirectory/build`` for a directory past one block
    /// on a filesystem with dir_index, hashed as `hashing` says), so no image read is needed.
    func layout(of dir: UInt32) -> [NameLocation] {
        guard let me = byInode[dir]?.first, me.type == "dir" else { return [] }
        let entries = (children[dir] ?? []).map { (name: TruthIndex.nameBytes($0), inode: $0.inode, type: UInt8(0)) }
        let parent = dir == TreePlanner.rootInode ? dir : me.parentInode
        let tail = truth.filesystem.metadataChecksums
        let built: [DirectoryBlock]
        if let hashing, let indexed = try? IndexedDirectory.build(entries, me: dir, parent: parent, blockSize: blockSize, tail: tail, hashing: hashing) {
            built = indexed.blocks
        } else {
            built = DirectoryBlock.build(entries, dot: (dir, parent), blockSize: blockSize, tail: tail)
        }
        let physical = blocks(of: dir)
        var out: [NameLocation] = []
        for (k, block) in built.enumerated() where k < physical.count {
            // Block 0 starts with `.` and `..` (an index root holds nothing else); index nodes hold a
            // fake entry of inode 0.
            for r in block.entries where r.offset >= (k == 0 ? 24 : 0) && r.inode != 0 {
                out.append(location(name: r.name, inode: r.inode, dir: dir, block: physical[k], offset: r.offset, state: "live"))
            }
        }
        return out
    }

    func location(name: [UInt8], inode: UInt32, dir: UInt32, block: UInt64, offset: Int, state: String) -> NameLocation {
        NameLocation(name: NameText.text(name), nameHex: NameText.hexIfNeeded(name), inode: inode, dirInode: dir, block: block,
                     offset: offset, imageOffset: block * UInt64(blockSize) + UInt64(offset), state: state)
    }

    /// Regular files with one name, in inode order (stable choices for a seed).
    var singleLinkFiles: [FixtureTruth.Entry] {
        truth.entries.filter { $0.type == "file" && $0.links == 1 && !$0.path.hasPrefix("/lost+found") }.sorted { $0.inode < $1.inode }
    }

    /// Directories other than the root and lost+found.
    var ordinaryDirs: [FixtureTruth.Entry] {
        truth.entries.filter { $0.type == "dir" && $0.inode != TreePlanner.rootInode && $0.inode != TreePlanner.lostFoundInode }
            .sorted { $0.inode < $1.inode }
    }
}
