// Names are not kept by the scan: an inode's first name is found again by re-reading its parent directory.

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
    /// Blocks are read in physical order, as pass 2 reads them, so the first entry met is pass 2's first.
    private func firstNames(in directory: UInt32, at directoryIndex: Int, filesystem: Filesystem) -> [UInt32: [UInt8]] {
        let sb = filesystem.superblock
        let inodesCount = sb.inodesCount, firstInode = sb.firstInode
        var names: [UInt32: [UInt8]] = [:]
        // Mirrors pass 2's `checkEntry`: which live entries name their inode.
        filesystem.forEachDirectoryRecord(of: directory, order: .physical) { record in
            let e = record.entry
            if record.isSelfOrParent { return true }
            guard e.inode != 0, names[e.inode] == nil else { return true }
            guard e.inode <= inodesCount, e.inode >= firstInode || e.inode == ScanRun.rootInode,
                  let target = index(of: e.inode) else { return true }
            if (record.isDot || record.isDotDot) && isDirectory(at: target) { return true }
            names[e.inode] = Array(record.name)
            return true
        }
        return names
    }
}
