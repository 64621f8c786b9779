// Writing what the journal's history brings back under DIR/deleted/, at the paths the files had.

extension SalvageRunner {
    /// Writes every file of ``SalvagePlan/history`` under `deleted/`: at its recovered path (a
    /// directory whose own name is lost is `#<inode>`; a file with no name is `#<inode>` directly under
    /// `deleted/`). A previous version, and a deleted file whose path another recovered item took, is
    /// named `<name>.~<transaction>~` (the journal transaction of its inode copy; the manifest gives
    /// its commit time; `<name>.~<inode>~` for a deleted inode read from today's table). Data comes only from blocks free today; the rest is missing, and ranges
    /// mapped through tree blocks the disk could not prove are doubtful.
    func salvageHistory() throws(FSRescueError) {
        let deleted = try sandbox.root.makeDirectory(SafeName(Array("deleted".utf8)), reuse: true)
        var taken: Set<[UInt8]> = []
        for file in plan.history {
            if progress.cancellationRequested {
                summary.completed = false
                summary.stopReason = "cancelled"
                return
            }
            var parent = deleted
            for component in file.path.dropLast() {
                parent = try parent.makeDirectory(SafeName(component), reuse: true)
            }
            var name = file.name ?? Array("#\(file.inode.number)".utf8)
            let full = file.path.isEmpty ? name : Array(file.path.joined(separator: [0x2F]))
            if file.kind == .previousVersion || !taken.insert(full).inserted {
                name += Array(".~\(file.fromJournal ? file.sequence : file.inode.number)~".utf8)
            }
            try write(file, named: name, in: parent)
            copyProgress.add(Self.unitsPerItem)
            if let failure = pipeline.failure { throw failure }
        }
    }

    private func write(_ file: HistoricalFile, named name: [UInt8], in parent: OutputDirectory) throws(FSRescueError) {
        let inode = file.inode
        let safe = SafeName(name)
        var record = ManifestRecord(path: parent.path(of: safe.name), inode: inode.number, type: inode.type, size: inode.size,
                                    status: .skipped, nameBytes: file.name, nameSource: file.nameSource,
                                    confidence: file.name == nil ? 0 : (file.nameSource == .journal ? 0.9 : 0.6),
                                    mode: inode.permissions, uid: inode.uid, gid: inode.gid, mtime: inode.modificationTime)
        record.history = file.kind.rawValue
        record.journalSequence = file.fromJournal ? file.sequence : nil
        record.journalCommitTime = file.fromJournal && file.commitTime != 0 ? file.commitTime : nil
        if file.pathReachesRoot { record.imagePath = "/" + String(decoding: Array(file.path.joined(separator: [0x2F])), as: UTF8.self) }
        record.findings = [file.kind == .deleted ? "history.deleted" : "history.previous-version"]
        switch inode.type {
        case .symlink:
            try writeSymlink(inode, map: file.map, parent: parent, safe: safe, record: &record)
            finish(record)
        default:
            let size = fs.contentSize(of: inode)
            let out = try parent.createFile(safe, mode: inode.permissions, replace: mayReplace(safe.name, in: parent))
            record.path = out.relativePath
            noteMade(record.path)
            var job = FileCopyJob(file: out, parent: parent, name: out.name, map: file.map, size: size, inodeSize: inode.size,
                                  mode: inode.permissions, accessTime: inode.accessTime, modificationTime: inode.modificationTime,
                                  owner: (inode.uid, inode.gid), doubtful: file.unverified, linked: false, record: record)
            job.doubtfulFinding = "history.unproven-map"
            pipeline.submit(job)
        }
    }
}
