// Corruptions that remove or move directory entries: unlink-file, unlink-dir, orphan-list, directory-loop.
internal import CFSRescueExt2fs
import FSRescue

extension CorruptionContext {
    /// Removes the entry naming `inode` as `name` in `dir` the way the kernel unlinks (see
    /// ``DirectoryBlock/remove(at:)``), reading and writing the block through libext2fs.
    mutating func removeEntry(_ wfs: WritableFilesystem, dir: UInt32, inode: UInt32, name: [UInt8]) throws(FSRescueError) -> NameLocation {
        for block in index.blocks(of: dir) {
            var db = DirectoryBlock(bytes: try wfs.readDirectoryBlock(block, dir: dir), hasTail: truth.filesystem.metadataChecksums)
            guard let hit = db.entries.first(where: { $0.inode == inode && $0.name == name }) else { continue }
            db.remove(at: hit.offset)
            try wfs.writeDirectoryBlock(block, dir: dir, db.bytes)
            let where_ = index.location(name: name, inode: inode, dir: dir, block: block, offset: hit.offset, state: "slack")
            effects.removed[NameKey(dir: dir, inode: inode, name: name)] = where_
            touchedBlocks.insert(block)
            return where_
        }
        throw FSRescueError(.outputFailed, "the entry for inode \(inode) is not in directory \(dir) any more; the truth file does not match the image.")
    }

    /// Changes `i_links_count` by `delta` and returns the old value.
    @discardableResult
    func adjustLinks(_ wfs: WritableFilesystem, _ ino: UInt32, by delta: Int) throws(FSRescueError) -> UInt16 {
        var image = InodeImage(raw: try wfs.readInode(ino))
        let old = image.update { $0.pointee.i_links_count }
        image.update { $0.pointee.i_links_count = UInt16(clamping: Int(old) + delta) }
        try wfs.writeInode(ino, image.raw)
        return old
    }

    private func fresh(_ e: FixtureTruth.Entry) -> Bool {
        !touchedInodes.contains(e.inode) && !touchedInodes.contains(e.parentInode)
    }

    mutating func unlinkFiles(_ wfs: WritableFilesystem, _ rng: inout SeededRandom) throws(FSRescueError) {
        let targets = CorruptionContext.choose(index.singleLinkFiles, count, &rng) { fresh($0) }
        guard !targets.isEmpty else { throw noTarget(.unlinkFile, "file with a single name") }
        let c = try unlink(targets, kind: .unlinkFile, wfs: wfs, why: "the inode is allocated but unnamed")
        record(c)
    }

    mutating func unlinkDirs(_ wfs: WritableFilesystem, _ rng: inout SeededRandom) throws(FSRescueError) {
        let targets = CorruptionContext.choose(index.ordinaryDirs, count, &rng) { fresh($0) }
        guard !targets.isEmpty else { throw noTarget(.unlinkDir, "directory below the root") }
        var c = try unlink(targets, kind: .unlinkDir, wfs: wfs, why: "the subtree is disconnected")
        for t in targets {
            let old = try adjustLinks(wfs, t.parentInode, by: -1)
            c.details["parent \(t.parentInode) links"] = "\(old) -> \(old == 0 ? 0 : old - 1)"
        }
        c.summary += " Parents' link counts were lowered to match."
        record(c)
    }

    /// Removes the entries of `targets` and describes it.
    private mutating func unlink(_ targets: [FixtureTruth.Entry], kind: CorruptionKind, wfs: WritableFilesystem,
                                 why: String) throws(FSRescueError) -> AppliedCorruption {
        var c = AppliedCorruption(kind: kind, seed: seed, summary: "")
        for t in targets {
            c.names.append(try removeEntry(wfs, dir: t.parentInode, inode: t.inode, name: TruthIndex.nameBytes(t)))
            c.inodes.append(t.inode)
            note(t.inode, "\(kind): its entry in directory \(t.parentInode) was removed; \(why)")
        }
        c.summary = "Removed the directory entries of \(targets.count) \(kind == .unlinkDir ? "directory(ies)" : "file(s)") (inodes \(c.inodes.map(String.init).joined(separator: ", "))); their names remain in directory-block slack."
        return c
    }

    /// Unlinks files and chains them on the orphan list: `s_last_orphan` → first, each `i_dtime` → next, the last 0.
    mutating func orphanList(_ wfs: WritableFilesystem, _ rng: inout SeededRandom) throws(FSRescueError) {
        let targets = CorruptionContext.choose(index.singleLinkFiles, count, &rng) { fresh($0) && $0.size > 0 }
        guard !targets.isEmpty else { throw noTarget(.orphanList, "non-empty file with a single name") }
        var c = AppliedCorruption(kind: .orphanList, seed: seed, summary: "")
        let previousHead = wfs.fs.pointee.super.pointee.s_last_orphan
        for (k, t) in targets.enumerated() {
            c.names.append(try removeEntry(wfs, dir: t.parentInode, inode: t.inode, name: TruthIndex.nameBytes(t)))
            var image = InodeImage(raw: try wfs.readInode(t.inode))
            let next = k + 1 < targets.count ? targets[k + 1].inode : previousHead
            image.update { $0.pointee.i_links_count = 0; $0.pointee.i_dtime = next }
            try wfs.writeInode(t.inode, image.raw)
            c.inodes.append(t.inode)
            note(t.inode, "orphan-list: unlinked with links 0 and put on the orphan list (e2fsck -y would delete it)")
        }
        wfs.fs.pointee.super.pointee.s_last_orphan = targets[0].inode
        ext2fs_mark_super_dirty(wfs.fs)
        c.details["s_last_orphan"] = "\(previousHead) -> \(targets[0].inode)"
        c.details["chain"] = c.inodes.map(String.init).joined(separator: " -> ") + " -> \(previousHead)"
        c.summary = "Unlinked \(targets.count) file(s) and chained them on the orphan list (s_last_orphan \(targets[0].inode), next in i_dtime, links 0)."
        record(c)
    }

    /// Gives directory D a second entry inside its own subdirectory E (a directory hard link):
    /// walking down from the root now goes D, E, D, E … for ever. D's link count is raised to
    /// match, so the only damage is the loop (e2fsck: "link to directory … also found in …").
    mutating func directoryLoop(_ wfs: WritableFilesystem, _ rng: inout SeededRandom) throws(FSRescueError) {
        let candidates = index.ordinaryDirs.filter { d in
            fresh(d) && (index.children[d.inode] ?? []).contains { $0.type == "dir" && !touchedInodes.contains($0.inode) }
        }
        guard !candidates.isEmpty else { throw noTarget(.directoryLoop, "directory with a subdirectory") }
        // In seeded order, the first directory whose subdirectory has room for its name (in an indexed
        // subdirectory, room in the one leaf the name hashes to).
        var chosen: (d: FixtureTruth.Entry, e: FixtureTruth.Entry, at: NameLocation)?
        for d in CorruptionContext.choose(candidates, candidates.count, &rng, accept: { _ in true }) where chosen == nil {
            let e = (index.children[d.inode] ?? []).first { $0.type == "dir" && !touchedInodes.contains($0.inode) }!
            let name = TruthIndex.nameBytes(d)
            for block in try insertionBlocks(for: name, in: e.inode, wfs: wfs) {
                var db = DirectoryBlock(bytes: try wfs.readDirectoryBlock(block, dir: e.inode), hasTail: truth.filesystem.metadataChecksums)
                if let offset = db.insert(name: name, inode: d.inode, type: 2) {
                    try wfs.writeDirectoryBlock(block, dir: e.inode, db.bytes)
                    chosen = (d, e, index.location(name: name, inode: d.inode, dir: e.inode, block: block, offset: offset, state: "live"))
                    touchedBlocks.insert(block)
                    break
                }
            }
        }
        guard let (d, e, inserted) = chosen else { throw noTarget(.directoryLoop, "subdirectory with room for one more entry") }
        effects.added.append(inserted)
        let old = try adjustLinks(wfs, d.inode, by: 1)
        var c = AppliedCorruption(kind: .directoryLoop, seed: seed, summary: "")
        c.names = [inserted]
        c.inodes = [d.inode, e.inode]
        c.blocks = [inserted.block]
        c.details = ["directory": "\(d.inode)", "inside": "\(e.inode)", "links_of_\(d.inode)": "\(old) -> \(old + 1)"]
        note(d.inode, "directory-loop: also named inside its own subdirectory \(e.inode), so it is its own ancestor")
        note(e.inode, "directory-loop: holds an entry for its parent \(d.inode)")
        c.summary = "Linked directory \(d.inode) into its own subdirectory \(e.inode) under the same name: \(d.path) is its own ancestor."
        record(c)
    }
}

extension CorruptionContext {
    /// The blocks an entry named `name` may be added to in `dir`, as the kernel would add it: any
    /// block of a linear directory; in an indexed one (`EXT2_INDEX_FL`), only the leaf its hash falls
    /// in, found through the index as the kernel's lookup finds it (never an index block, whose
    /// `..` slack holds the index itself).
    func insertionBlocks(for name: [UInt8], in dir: UInt32, wfs: WritableFilesystem) throws(FSRescueError) -> [UInt64] {
        let physical = index.blocks(of: dir)
        let raw = try wfs.readInode(dir)
        let flags = raw.withUnsafeBytes { $0.load(fromByteOffset: 32, as: UInt32.self) }
        guard flags & TreeWriter.indexFlag != 0, let hashing = index.hashing, !physical.isEmpty else { return physical }
        let hash = hashing.hash(name).hash
        /// The logical block the last index entry at or below `hash` points to (dx_probe's search).
        func follow(_ block: [UInt8], countAt: Int) -> Int? {
            func u32(_ at: Int) -> UInt32 { block.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: at, as: UInt32.self) } }
            let count = Int(block.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: countAt + 2, as: UInt16.self) })
            guard count >= 1, countAt + 8 * count <= block.count else { return nil }
            var chosen = u32(countAt + 4)
            for k in 1..<max(1, count) where u32(countAt + 8 * k) <= hash { chosen = u32(countAt + 8 * k + 4) }
            return Int(chosen)
        }
        let root = try wfs.readDirectoryBlock(physical[0], dir: dir)
        guard var logical = follow(root, countAt: IndexedDirectory.rootIndexOffset) else { return [] }
        if root[IndexedDirectory.rootInfoOffset + 6] >= 1 {
            guard logical < physical.count,
                  let leaf = follow(try wfs.readDirectoryBlock(physical[logical], dir: dir), countAt: IndexedDirectory.nodeIndexOffset) else { return [] }
            logical = leaf
        }
        return logical < physical.count ? [physical[logical]] : []
    }
}
