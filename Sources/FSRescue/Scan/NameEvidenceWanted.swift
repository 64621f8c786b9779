// Which inodes name evidence is for, so reads that only gather names are skipped when none needs one.

extension ScanRun {
    /// Whether the live inode `ino` at table position `i` is what name evidence is for (after pass 2):
    /// in use, not a system inode, and named by no live directory entry. The root has no entry naming
    /// it; it counts only when it is on an orphan list.
    /// The table and the orphan members are read once, into locals: the loops below run over every inode.
    private static func lacksLiveName(_ i: Int, _ ino: UInt32, _ table: InodeTable, _ orphanMembers: [UInt32: OrphanKind]) -> Bool {
        table.parentSlot(at: i) == 0 && !table.isSystem(at: i) && (ino != Self.rootInode || orphanMembers[ino] != nil)
    }

    /// The in-use inodes that lack a live name.
    func unnamedLiveInodes() -> Set<UInt32> {
        let table = table, orphanMembers = orphanMembers
        var wanted = Set<UInt32>()
        for (i, ino) in table.numbered where Self.lacksLiveName(i, ino, table, orphanMembers) { wanted.insert(ino) }
        return wanted
    }

    /// Whether any inode could use a recovered name: an in-use inode lacking a live name, or a deleted
    /// inode pass 1 found intact. False on a healthy filesystem, which then pays for no evidence reads.
    var nameEvidenceWanted: Bool {
        let table = table, orphanMembers = orphanMembers
        return !deleted.isEmpty || table.numbered.contains { Self.lacksLiveName($0.0, $0.1, table, orphanMembers) }
    }
}
