// Group descriptors whose "unused inodes" mark is stale: inodes in use, or named, where they say none is.

extension InodePass {
    /// Before a scan that must read every inode table: keeps each group's unused mark, then clears the
    /// marks in memory (``Filesystem/forgetUnusedInodeMarks()``), since the inode scan stops at them
    /// whatever its flags. Nothing is written: the handle is read-only.
    mutating func clearUnusedMarksForFullScan() {
        guard !scansLazily, filesystem.hasGroupDescriptorChecksums else { return }
        unusedMarks = (0..<groupCount).map { filesystem.firstUnusedInode(ofGroup: $0) ?? UInt64.max }
        filesystem.forgetUnusedInodeMarks()
    }

    /// After a scan that read every inode table (``Filesystem/scansInodesLazily`` false): the in-use
    /// inodes lying where their group's descriptor says no inode was ever used, one finding per group
    /// (e2fsck's "inode in use beyond bg_itable_unused"). The kernel updates those marks in the same
    /// transaction that allocates the inode, so on a disk whose journal was not replayed they lag.
    mutating func reportStaleUnusedMarks() {
        guard !unusedMarks.isEmpty else { return }
        var past: [UInt32: (count: Int, first: UInt32)] = [:]
        for (_, ino) in table.numbered where ino >= firstInode {
            let g = (ino - 1) / inodesPerGroup
            guard Int(g) < unusedMarks.count, UInt64(ino) >= unusedMarks[Int(g)] else { continue }
            let seen = past[g]
            past[g] = ((seen?.count ?? 0) + 1, seen?.first ?? ino)
        }
        for (g, hit) in past.sorted(by: { $0.key < $1.key }).prefix(100) {
            add(Finding(.groupStaleUnused, "Group \(g)'s descriptor says its inodes from \(unusedMarks[Int(g)]) on were never used, but \(hit.count) of them \(hit.count == 1 ? "is" : "are") in use (first: inode \(hit.first)): the descriptors are older than the inodes, as after a crash; every inode table block was read.", inode: hit.first, group: g))
        }
    }

}

extension ScanRun {
    /// Before pass 1, after the orphan chains are read: an orphan past its group's unused mark (the
    /// kernel put it there after the descriptors were last written) makes pass 1 read every table.
    func readEveryTableIfOrphansLieSkipped() {
        guard scansLazily, orphanMembers.keys.contains(where: liesInSkippedArea) else { return }
        scansLazily = false
    }

    /// Whether `inode`, which no scan saw in use, lies where a lazy scan did not look (past its group's
    /// unused mark): then an entry naming it says the descriptors are stale, not that the inode is free.
    func liesInSkippedArea(_ inode: UInt32) -> Bool {
        scansLazily && filesystem.liesPastUnusedMark(inode)
    }
}

extension Filesystem {
    /// Whether `inode` lies past its group's unused mark (``firstUnusedInode(ofGroup:)``), where a
    /// lazy inode scan does not look.
    func liesPastUnusedMark(_ inode: UInt32) -> Bool {
        let ipg = superblock.inodesPerGroup
        guard inode >= 1, ipg > 0 else { return false }
        let g = (inode - 1) / ipg
        guard g < groupCount, let mark = firstUnusedInode(ofGroup: g) else { return false }
        return UInt64(inode) >= mark
    }
}
