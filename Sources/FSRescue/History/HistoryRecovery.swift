// Finding what the journal's history can bring back: deleted files and previous versions, their
// data judged against today's bitmaps, their names from older copies of their directories.

/// The work of one history recovery over one filesystem: indexes built from the journal's copies.
final class HistoryRecovery {
    let fs: Filesystem
    let facts: HistoryFacts
    let history: JournalHistory
    let reader: JournalLogReader
    /// Copies the recovery may use (all, or those committed by `--as-of`), oldest first.
    let copies: [JournalHistory.Copy]
    /// Each filesystem block's copies, oldest first (indices into ``copies``).
    var copiesOf: [UInt64: [Int]] = [:]
    /// Distinct older states of each inode seen in use, newest first (at most ``versionsKept``).
    var versions: [UInt32: [(inode: InodeRecord, sequence: UInt32)]] = [:]
    static let versionsKept = 8
    /// Older and today's copies of directory blocks have this many entries read at most.
    static let entryLimit = 4_000_000
    let buffer: UnsafeMutableRawBufferPointer

    init(fs: Filesystem, history: JournalHistory, reader: JournalLogReader, asOf: UInt64?) {
        self.fs = fs
        facts = fs.historyFacts
        self.history = history
        self.reader = reader
        if let asOf {
            copies = history.copies.filter { history.commits[$0.sequence].map { $0 != 0 && $0 <= asOf } ?? false }
        } else {
            copies = history.copies
        }
        for (i, c) in copies.enumerated() { copiesOf[c.filesystemBlock, default: []].append(i) }
        buffer = .allocate(byteCount: facts.blockSize, alignment: 8)
    }

    deinit { buffer.deallocate() }

    func commitTime(_ sequence: UInt32) -> UInt64 { history.commits[sequence] ?? 0 }

    /// The bytes of copy `index`, or nil when it cannot be read or fails its checksum.
    func read(copy index: Int) -> [UInt8]? {
        guard history.read(copies[index], into: buffer, readLog: reader.read) else { return nil }
        return Array(buffer)
    }

    /// Block `block` as it was at transaction `sequence`: its newest copy committed then or before,
    /// else (when today's bitmap says no file holds it) the block as it is on disk, which is then not
    /// proven to be that state's. Nil when neither is there.
    func block(_ block: UInt64, asOf sequence: UInt32) -> (bytes: [UInt8], fromJournal: Bool)? {
        if let list = copiesOf[block] {
            for i in list.reversed() where history.age(copies[i].sequence) <= history.age(sequence) {
                if let bytes = read(copy: i) { return (bytes, true) }
            }
        }
        guard !fs.blockMarkedInUse(block), let bytes = try? fs.readBlock(block), bytes.count == facts.blockSize else { return nil }
        return (bytes, false)
    }

    /// Today's inode `n` when the bitmap marks it in use (nil: free), read once.
    private var today: [UInt32: InodeRecord?] = [:]

    func todayInode(_ n: UInt32) -> InodeRecord? {
        if let known = today[n] { return known }
        let record = fs.inodeMarkedInUse(n) ? try? fs.readInode(n) : nil
        today[n] = .some(record)
        return record
    }

    /// Whether an older state of a file holds nothing today's inode does not: the same file (same
    /// generation and type) mapping the same blocks at the same size. Most states of a busy disk's
    /// journal are such (times updated), and keeping none of them bounds memory by what changed.
    func unchangedToday(_ state: InodeRecord) -> Bool {
        guard let now = todayInode(state.number), now.linksCount > 0 else { return false }
        return now.generation == state.generation && now.type == state.type && now.size == state.size && now.blockArea == state.blockArea
    }

    /// Reads every inode-table block copy and keeps each inode's distinct in-use states (a folder's
    /// always: its blocks place older copies of directory blocks).
    func collectInodeStates() {
        let isz = facts.inodeSize
        for (i, copy) in copies.enumerated() {
            guard let range = facts.inodes(inTableBlock: copy.filesystemBlock), let bytes = read(copy: i) else { continue }
            bytes.withUnsafeBytes { raw in
                for n in range {
                    let o = Int(n - range.lowerBound) * isz
                    let inode = fs.inodeRecord(number: n, raw: UnsafeRawBufferPointer(rebasing: raw[o..<o + isz]))
                    guard Self.holdsFile(inode), inode.type == .directory || !unchangedToday(inode) else { continue }
                    var list = versions[n] ?? []
                    if let same = list.firstIndex(where: { Self.sameState($0.inode, inode) }) { list.remove(at: same) }
                    list.insert((inode, copy.sequence), at: 0)
                    if list.count > Self.versionsKept { list.removeLast() }
                    versions[n] = list
                }
            }
        }
    }

    /// An inode in use holding a file, folder or symlink (not an attribute value, not deleted).
    static func holdsFile(_ inode: InodeRecord) -> Bool {
        guard inode.linksCount > 0, inode.deletionTime == 0 else { return false }
        guard inode.flags & 0x20_0000 == 0 else { return false }  // EXT4_EA_INODE_FL
        return [.regular, .directory, .symlink].contains(inode.type)
    }

    /// Two states of one inode that hold the same file the same way.
    static func sameState(_ a: InodeRecord, _ b: InodeRecord) -> Bool {
        a.generation == b.generation && a.size == b.size && a.blockArea == b.blockArea && a.mode == b.mode
    }
}

extension Filesystem {
    /// What the journal's history can bring back (``HistoryReport``): every regular file and
    /// symlink whose inode is free today (or holds another file) but in use in an older journal copy,
    /// and older versions of live files whose blocks are free today. With `asOf` (seconds since
    /// 1970), only transactions committed at or before it count. Nil when there is no journal to read.
    /// Reads the journal once (``JournalHistory``), today's bitmaps (`ext2fs_read_bitmaps`) and the
    /// copies it uses; writes nothing.
    public func journalHistoryReport(asOf: UInt64? = nil) -> HistoryReport? {
        guard let (history, reader) = journalHistory() else { return nil }
        var report = HistoryReport()
        report.journalRead = true
        report.transactions = history.commits.count
        report.copies = history.copies.count
        report.lostCopies = history.lostCopies
        report.journalBlocks = history.blocksRead
        if let range = history.sequenceRange {
            report.oldestSequence = range.oldest
            report.newestSequence = range.newest
            let oldest = history.commits[range.oldest] ?? 0, newest = history.commits[range.newest] ?? 0
            report.oldestCommit = oldest == 0 ? nil : oldest
            report.newestCommit = newest == 0 ? nil : newest
        }
        if let asOf { report.laterThanAsOf = history.commits.values.count { $0 == 0 || $0 > asOf } }
        guard loadBitmapsForHistory() else {
            report.problem = "today's block and inode bitmaps cannot be read, so no block can be known to be free: nothing is brought back"
            return report
        }
        let recovery = HistoryRecovery(fs: self, history: history, reader: reader, asOf: asOf)
        recovery.collectInodeStates()
        var files = recovery.candidates()
        let names = HistoryNames(recovery)
        for i in files.indices {
            names.name(&files[i])
            recovery.mapData(of: &files[i])
        }
        // Newest first: a block a newer remembered file mapped was reused after an older one's time.
        var claimed = BitSet(count: blocksCount + 1)
        // Ties (one transaction) by inode number, so every run gives the same answer.
        for i in files.indices.sorted(by: { a, b in
            let x = history.age(files[a].sequence), y = history.age(files[b].sequence)
            return x != y ? x > y : files[a].inode.number < files[b].inode.number
        }) {
            recovery.dropReused(&files[i], claimed: &claimed)
        }
        // What brings nothing back is left out and counted: a file whose every block was reused, a
        // previous version with no block of its own left (an empty or growing file's earlier state).
        let useful = files.filter { f in
            if f.map.inline != nil { return true }
            let data = f.map.runs.contains { !$0.unwritten }
            return f.kind == .deleted ? data || f.size == 0 || f.map.runs.count > 0 : data
        }
        report.unrecoverable = files.count(where: { $0.kind == .deleted }) - useful.count(where: { $0.kind == .deleted })
        // By path, then newest first, then by inode and kind: files of one transaction with no name
        // (path empty) come out in the same order on every run, whatever order the index gave them in.
        report.files = useful.sorted { a, b in
            let pa = Array(a.path.joined(separator: [0x2F])), pb = Array(b.path.joined(separator: [0x2F]))
            if pa != pb { return pa.lexicographicallyPrecedes(pb) }
            let x = history.age(a.sequence), y = history.age(b.sequence)
            if x != y { return x < y }
            if a.inode.number != b.inode.number { return a.inode.number < b.inode.number }
            return a.kind == .deleted && b.kind != .deleted
        }
        return report
    }
}

extension HistoryRecovery {
    /// Deleted files (newest in-use state of an inode free today, or whose generation changed) and
    /// previous versions (older states of a live inode of the same generation mapping other blocks).
    func candidates() -> [HistoricalFile] {
        var files: [HistoricalFile] = []
        let firstInode = fs.firstInode
        // In inode order: `versions` is a dictionary, whose order changes from run to run.
        for (n, states) in versions.sorted(by: { $0.key < $1.key }) where n >= firstInode {
            let journalInode = n == fs.journalInodeNumber
            guard !journalInode else { continue }
            let today = todayInode(n)
            let live = today.map { $0.linksCount > 0 && $0.mode != 0 } ?? false
            for state in states where state.inode.type != .directory {
                if !live || today.map({ $0.generation != state.inode.generation || $0.type != state.inode.type }) == true {
                    files.append(HistoricalFile(kind: .deleted, inode: state.inode, sequence: state.sequence,
                                                commitTime: commitTime(state.sequence), blockSize: facts.blockSize))
                    break  // the newest in-use state of a deleted file is the file
                }
                if let today, !Self.sameState(today, state.inode), today.blockArea != state.inode.blockArea || today.size < state.inode.size {
                    files.append(HistoricalFile(kind: .previousVersion, inode: state.inode, sequence: state.sequence,
                                                commitTime: commitTime(state.sequence), blockSize: facts.blockSize))
                }
            }
        }
        return files
    }
}
