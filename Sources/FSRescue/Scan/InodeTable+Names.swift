// Names are not kept by the scan: an inode's first name is found again by re-reading its parent directory.

extension InodeTable {
    /// The name bytes of the first entry pass 2 found naming the inode at `i` (nil when none did, or
    /// when its directory can no longer be read).
    ///
    /// Pass 2 records only which directory holds that entry. This reads that directory's blocks in
    /// the order pass 2 did (physical order; an inline directory's two regions) and applies pass 2's
    /// rule for which entries name an inode (``namedPosition(of:dotName:inodesCount:firstInode:)``), so
    /// the first entry it meets naming the inode is the one pass 2 met first. The names of the whole directory are cached until another one is read.
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
        filesystem.forEachDirectoryRecord(of: directory, order: .physical) { record in
            let e = record.entry
            guard !record.isSelfOrParent, names[e.inode] == nil,
                  namedPosition(of: e.inode, dotName: record.isDot || record.isDotDot, inodesCount: inodesCount, firstInode: firstInode) != nil
            else { return true }
            names[e.inode] = Array(record.name)
            return true
        }
        return names
    }

    /// Whether a directory entry may name `inode` at all: not 0, within the inodes count, and not a
    /// reserved inode other than the root.
    static func entryMayName(_ inode: UInt32, inodesCount: UInt32, firstInode: UInt32) -> Bool {
        inode != 0 && inode <= inodesCount && (inode >= firstInode || inode == ScanRun.rootInode)
    }

    /// The table position of the inode a live entry (not `.` or `..` in their own place) gives a
    /// name and a parent: pass 2's rule, which ``name(at:)`` follows to find that name again. Nil when
    /// the entry may name no inode, names one not in use, or is a `.` or `..` out of place naming a
    /// directory (such an entry still counts as naming a file, as in e2fsck -n, but a directory gets
    /// no parent through it, which could close a loop in the parent map).
    func namedPosition(of inode: UInt32, dotName: Bool, inodesCount: UInt32, firstInode: UInt32) -> Int? {
        guard Self.entryMayName(inode, inodesCount: inodesCount, firstInode: firstInode), let target = index(of: inode) else { return nil }
        return dotName && isDirectory(at: target) ? nil : target
    }
}
