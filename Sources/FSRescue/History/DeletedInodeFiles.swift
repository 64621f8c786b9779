// Deleted inodes that kept their block maps (as ext2 leaves them): files to bring back from today's inode table.

extension Filesystem {
    /// `map` with every written block that today's bitmap marks in use moved to the lost ranges
    /// ("reused since"): a block a live file holds is never read as a deleted file's data.
    func keepingFreeBlocks(_ map: DataMap, fileBlocks: UInt64) -> DataMap {
        HistoryRecovery.losing(map, fileBlocks: fileBlocks, "in use today: reused since") { blockMarkedInUse($0) }
    }

    /// The regular files and symlinks among the scan's deleted inodes that still map their blocks
    /// (``ScanReport/deletedInodes``: dtime set, no links, a map left, as the ext2 driver and
    /// `debugfs kill_file` leave them), as ``HistoricalFile``s of kind `deleted`: their map read as
    /// for a live file (`dataMap(of:)`), every block in use today lost, their name from the stale entry
    /// the scan ranked first and the path of its directory in today's tree.
    public func deletedInodeFiles(_ deleted: [DeletedInode]) -> [HistoricalFile] {
        guard !deleted.isEmpty, loadBitmapsForHistory() else { return [] }
        let bs = UInt64(blockSize)
        var files: [HistoricalFile] = []
        var directoryPaths: [UInt32: [[UInt8]]?] = [:]
        for d in deleted where d.type == .regular || d.type == .symlink {
            guard !inodeMarkedInUse(d.inode), let inode = try? readInode(d.inode), inode.linksCount == 0 else { continue }
            var file = HistoricalFile(kind: .deleted, inode: inode, sequence: 0, commitTime: UInt64(d.dtime), blockSize: Int(bs))
            file.fromJournal = false
            let size = contentSize(of: inode)
            let map = dataMap(of: inode)
            file.map = map.inline == nil ? keepingFreeBlocks(map, fileBlocks: size / bs + (size % bs == 0 ? 0 : 1)) : map
            if let name = d.nameEvidence.first(where: { !$0.name.isEmpty }) {
                file.nameSource = name.source
                if directoryPaths[name.directory] == nil { directoryPaths[name.directory] = .some(livePath(of: name.directory)) }
                if let above = directoryPaths[name.directory] ?? nil {
                    file.path = above + [name.name]
                    file.pathReachesRoot = true
                } else {
                    file.path = [Array("#\(name.directory)".utf8), name.name]
                }
            }
            files.append(file)
        }
        return files
    }

    /// The path of directory `directory` in today's tree, found by walking up its `..` and looking for
    /// it in each parent's entries; nil when it is not alive or not reachable from the root.
    func livePath(of directory: UInt32, depth: Int = 0) -> [[UInt8]]? {
        if directory == Self.rootInode { return [] }
        guard depth < 256, inodeMarkedInUse(directory), let inode = try? readInode(directory), inode.type == .directory,
              inode.linksCount > 0 else { return nil }
        var parent: UInt32?
        forEachDirectoryRecord(of: directory, order: .logical) { record in
            if record.position == 1 && record.isDotDot { parent = record.entry.inode }
            return record.position < 1
        }
        guard let parent, parent != directory, let above = livePath(of: parent, depth: depth + 1),
              let me = entries(of: parent).first(where: { $0.inode == directory }) else { return nil }
        return above + [me.name]
    }
}

extension Filesystem {
    /// Everything `--deleted` brings back: the journal's history (``journalHistoryReport(asOf:)``;
    /// `asOf` limits it to transactions committed by then) and the deleted inodes of `scan` that kept
    /// their block maps (``deletedInodeFiles(_:)``, whatever `asOf` says: they have no transaction).
    /// Nil when there is neither a journal nor such an inode.
    public func deletedFiles(scan report: ScanReport, asOf: UInt64? = nil) -> HistoryReport? {
        let journal = journalHistoryReport(asOf: asOf)
        let fromTable = deletedInodeFiles(report.deletedInodes)
        guard journal != nil || !fromTable.isEmpty else { return nil }
        var history = journal ?? HistoryReport()
        history.files += fromTable.filter { !$0.map.runs.isEmpty || $0.map.inline != nil || $0.size == 0 }
        return history
    }
}
