// Names and paths for files the journal's history brings back: entries in older copies of their
// directories' blocks (newest first), then stale entries left in directory blocks on disk.

/// The directory entries the history and today's disk hold for inodes: who named whom, when.
final class HistoryNames {
    struct Entry {
        let directory: UInt32
        let name: [UInt8]
        /// The transaction of the copy it was read from; nil for a block as it is on disk today.
        let sequence: UInt32?
        let live: Bool
    }

    private let recovery: HistoryRecovery
    /// Entries naming each inode, newest copy first (live entries of a copy before its stale ones).
    private var entries: [UInt32: [Entry]] = [:]
    /// Each directory's parent, from the `..` of its first block.
    private var parents: [UInt32: UInt32] = [:]
    /// Directory listings of today's live directories, read when a path needs them.
    private var livePaths: [UInt32: [[UInt8]]?] = [:]
    private var read = 0
    static let perInode = 8
    /// Directory blocks attributed at most (crafted directory copies claiming a whole disk).
    static let ownedBlockLimit = 1 << 22

    init(_ recovery: HistoryRecovery) {
        self.recovery = recovery
        let facts = recovery.facts
        // Which directory each block belonged to, from every state of every directory inode.
        var owner: [UInt64: UInt32] = [:]
        for (n, states) in recovery.versions.sorted(by: { $0.key < $1.key }) {
            for state in states.reversed() where state.inode.type == .directory && owner.count < Self.ownedBlockLimit {
                var probe = HistoricalFile(kind: .deleted, inode: state.inode, sequence: state.sequence, commitTime: 0, blockSize: facts.blockSize)
                recovery.mapBlocks(of: &probe)
                // Mapped only as far as i_size reaches (mapBlocks stops there), and never past the limit.
                for run in probe.map.runs where !run.unwritten {
                    for i in 0..<run.length where owner.count < Self.ownedBlockLimit { owner[run.physical + i] = n }
                }
            }
        }
        // Older copies, newest first.
        for i in recovery.copies.indices.reversed() {
            let copy = recovery.copies[i]
            guard facts.inodes(inTableBlock: copy.filesystemBlock) == nil, let bytes = recovery.read(copy: i) else { continue }
            collect(bytes, owner: owner[copy.filesystemBlock], sequence: copy.sequence)
        }
        // Today's blocks of those directories: stale entries of files deleted since the last copy.
        for (block, directory) in owner.sorted(by: { $0.key < $1.key }) where read < HistoryRecovery.entryLimit {
            guard let bytes = try? recovery.fs.readBlock(block), bytes.count == facts.blockSize else { continue }
            collect(bytes, owner: directory, sequence: nil)
        }
    }

    /// Reads one directory block's entries, live and stale, when it is one of `owner` or starts
    /// with its own `.` (a directory's first block).
    private func collect(_ bytes: [UInt8], owner: UInt32?, sequence: UInt32?) {
        let facts = recovery.facts
        bytes.withUnsafeBytes { raw in
            let dotShaped = raw.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == 12 && raw[6] == 1 && raw[8] == 0x2E
            let dot = raw.loadUnaligned(as: UInt32.self)
            guard let directory = owner ?? (dotShaped ? dot : nil), directory >= 2, directory <= facts.inodesCount else { return }
            if dotShaped && dot == directory, raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self) != 0, raw[18] == 2,
               raw[20] == 0x2E, raw[21] == 0x2E, parents[directory] == nil {
                parents[directory] = raw.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
            }
            let layout = DirectoryBlockLayout.of(raw, context: .unowned, metadataCsum: facts.metadataCsum)
            guard layout.kind != .htreeNode else { return }
            var found: [(inode: UInt32, entry: Entry)] = []
            func keep(_ e: DirectoryEntry, live: Bool) {
                guard e.inode >= 2, e.nameLength > 0, read < HistoryRecovery.entryLimit else { return }
                let name = Array(raw[e.nameOffset..<e.nameOffset + e.nameLength])
                guard !name.contains(0), !name.contains(0x2F), name != [0x2E], name != [0x2E, 0x2E] else { return }
                read += 1
                found.append((e.inode, Entry(directory: directory, name: name, sequence: sequence, live: live)))
            }
            _ = DirectoryParser.parse(raw, limit: layout.entriesEnd, blockSize: raw.count, hasFiletype: facts.hasFiletype,
                                      inodesCount: facts.inodesCount, slack: true,
                                      entry: { e in if e.inode != 0 { keep(e, live: true) } }, stale: { keep($0, live: false) })
            for (inode, entry) in found.sorted(by: { $0.entry.live && !$1.entry.live }) {
                var list = entries[inode] ?? []
                guard list.count < Self.perInode, !list.contains(where: { $0.directory == entry.directory && $0.name == entry.name }) else { continue }
                list.append(entry)
                entries[inode] = list
            }
        }
    }

    /// The best entry for `inode` at transaction `sequence`: the newest live entry of a copy no newer
    /// than the state (a later copy may already show a new file under that inode), else the newest
    /// live entry, else a stale one.
    private func entry(for inode: UInt32, at sequence: UInt32?) -> Entry? {
        guard let list = entries[inode] else { return nil }
        if let sequence, let e = list.first(where: { $0.live && $0.sequence.map { recovery.history.age($0) <= recovery.history.age(sequence) } == true }) {
            return e
        }
        return list.first { $0.live } ?? list.first
    }

    /// Gives `file` its path: its own entry, then its directories' up to the root (a directory alive
    /// today by its name in today's tree when the history has none).
    func name(_ file: inout HistoricalFile) {
        guard let own = entry(for: file.inode.number, at: file.sequence) else { return }
        file.nameSource = own.sequence == nil ? .slack : .journal
        var path = [own.name]
        var directory = own.directory
        var seen: Set<UInt32> = [file.inode.number]
        while path.count < 256 {
            if directory == 2 {
                file.pathReachesRoot = true
                break
            }
            guard seen.insert(directory).inserted else { break }
            if let named = entry(for: directory, at: nil) {
                path.insert(named.name, at: 0)
                directory = named.directory
            } else if let live = livePath(of: directory) {
                path.insert(contentsOf: live, at: 0)
                file.pathReachesRoot = true
                break
            } else {
                // A directory whose own entry is lost: numbered, as e2fsck numbers what it cannot name.
                path.insert(Array("#\(directory)".utf8), at: 0)
                guard let parent = parents[directory] else { break }
                directory = parent
            }
        }
        file.path = path
    }

    /// The path of a directory alive today (``Filesystem/livePath(of:depth:)``), looked up once.
    private func livePath(of directory: UInt32) -> [[UInt8]]? {
        if let known = livePaths[directory] { return known }
        let result = recovery.fs.livePath(of: directory)
        livePaths[directory] = .some(result)
        return result
    }
}
