// A file the journal's history can bring back: deleted since, or an older version of a live one.

/// A regular file or symlink as an older journal copy of its inode shows it, with where its data
/// lies and what of it is still there today.
public struct HistoricalFile: Sendable {
    public enum Kind: String, Sendable, Codable {
        /// Its inode is free today, or holds another file (another `i_generation`).
        case deleted
        /// Its inode still holds the file, which today maps other blocks (overwritten, truncated).
        case previousVersion = "previous-version"
    }

    public let kind: Kind
    /// The inode as the journal copy holds it (number, mode, size, owner, times, map).
    public let inode: InodeRecord
    /// The transaction whose copy this is, and its commit time (seconds since 1970; 0 when not recorded).
    public let sequence: UInt32
    public let commitTime: UInt64
    /// Whether the inode came from a journal copy (else from the inode table as it is today: a
    /// deleted inode that kept its block map, as ext2 leaves them; then ``commitTime`` is its dtime).
    public internal(set) var fromJournal = true
    /// Its path components from the root, as far as the evidence reaches (empty: no name found).
    public internal(set) var path: [[UInt8]] = []
    /// Whether ``path`` reaches the root (else it starts at a directory whose own name is lost).
    public internal(set) var pathReachesRoot = false
    /// Where its own name came from.
    public internal(set) var nameSource = NameSource.none
    /// Where its data lies: runs whose blocks are free today (read back), lost ranges for blocks in use
    /// today (reused since) or unreachable; inline bytes for fast symlinks.
    public internal(set) var map = DataMap()
    /// Byte ranges mapped through a tree or indirect block read from the disk with no checksum to
    /// prove it is the file's: read, but not proven.
    public internal(set) var unverified: [ByteRange] = []

    /// Bytes of content.
    public var size: UInt64 { inode.size }
    /// Whether every byte is there and proven: no lost range and no unverified one.
    public var isComplete: Bool { map.lost.isEmpty && unverified.isEmpty }
    /// Byte ranges `[start, end)` that cannot be brought back: blocks in use today, or unlocatable.
    public var missingRanges: [ByteRange] {
        let bs = UInt64(blockSize)
        return ContentCopier.merged(map.lost.compactMap { lost in
            let start = lost.logical * bs
            return start < size ? ByteRange(start: start, end: min(size, (lost.logical + lost.length) * bs)) : nil
        })
    }
    /// The filesystem's block size.
    let blockSize: Int
    /// Its name (the last path component), when one was found.
    public var name: [UInt8]? { path.last }

    init(kind: Kind, inode: InodeRecord, sequence: UInt32, commitTime: UInt64, blockSize: Int) {
        self.kind = kind
        self.blockSize = blockSize
        self.inode = inode
        self.sequence = sequence
        self.commitTime = commitTime
    }
}

/// What the journal's history holds and what it can bring back.
public struct HistoryReport: Sendable {
    /// Whether a journal was read (else the files are deleted inodes that kept their maps).
    public internal(set) var journalRead = false
    /// Committed transactions found in the log area, and their sequence range.
    public internal(set) var transactions = 0
    public internal(set) var oldestSequence: UInt32?
    public internal(set) var newestSequence: UInt32?
    /// Commit times of the oldest and newest transaction found (seconds since 1970), when recorded.
    public internal(set) var oldestCommit: UInt64?
    public internal(set) var newestCommit: UInt64?
    /// Block copies usable, and tags whose copy was overwritten or never committed.
    public internal(set) var copies = 0
    public internal(set) var lostCopies = 0
    /// Log blocks read.
    public internal(set) var journalBlocks = 0
    /// Transactions left out by `--as-of`.
    public internal(set) var laterThanAsOf = 0
    /// Why nothing could be brought back, when something stood in the way (unreadable bitmaps).
    public internal(set) var problem: String?
    /// Deleted files the history remembers whose every block was reused since (not in ``files``).
    public internal(set) var unrecoverable = 0
    /// Files the history brings back, by path.
    public internal(set) var files: [HistoricalFile] = []

    public var deleted: Int { files.count { $0.kind == .deleted } }
    public var previousVersions: Int { files.count { $0.kind == .previousVersion } }
    public var complete: Int { files.count { $0.isComplete } }
}
