// Which inodes name evidence is for, so reads that only gather names are skipped when none needs one.

extension ScanRun {
    /// Whether the inode at table position `i` is in use, not a system inode, not the root, and named
    /// by no live directory entry (after pass 2): what name evidence is for.
    private func lacksLiveName(at i: Int) -> Bool {
        table.nameOffsets[i] == InodeTable.noName && !table.isSystem(at: i) && table.numbers[i] != Self.rootInode
    }

    /// The in-use inodes that lack a live name.
    func unnamedLiveInodes() -> Set<UInt32> {
        var wanted = Set<UInt32>()
        for i in table.indices where lacksLiveName(at: i) { wanted.insert(table.numbers[i]) }
        return wanted
    }

    /// Whether any inode could use a recovered name: an in-use inode lacking a live name, or a deleted
    /// inode pass 1 found intact. False on a healthy filesystem, which then pays for no evidence reads.
    var nameEvidenceWanted: Bool {
        !deleted.isEmpty || table.indices.contains(where: lacksLiveName)
    }
}
