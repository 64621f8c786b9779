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
        guard let d = CorruptionContext.choose(candidates, 1, &rng, accept: { _ in true }).first else {
            throw noTarget(.directoryLoop, "directory with a subdirectory")
        }
        let e = (index.children[d.inode] ?? []).first { $0.type == "dir" && !touchedInodes.contains($0.inode) }!
        let name = TruthIndex.nameBytes(d)
        var inserted: NameLocation?
        for block in index.blocks(of: e.inode) {
            var db = DirectoryBlock(bytes: try wfs.readDirectoryBlock(block, dir: e.inode), hasTail: truth.filesystem.metadataChecksums)
            if let offset = db.insert(name: name, inode: d.inode, type: 2) {
                try wfs.writeDirectoryBlock(block, dir: e.inode, db.bytes)
                inserted = index.location(name: name, inode: d.inode, dir: e.inode, block: block, offset: offset, state: "live")
                touchedBlocks.insert(block)
                break
            }
        }
        guard let inserted else { throw noTarget(.directoryLoop, "subdirectory with room for one more entry") }
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
