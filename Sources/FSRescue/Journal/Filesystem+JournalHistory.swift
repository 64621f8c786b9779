// Opening the journal's history: its placement, its superblock read leniently, the log indexed once.

/// Reads log blocks of one journal placement, a contiguous run of them in one `pread`.
struct JournalLogReader {
    let placement: JournalPlacement
    let blockSize: Int
    /// The image's unread areas: those log blocks are never read.
    var mapfile: Mapfile?

    /// Fills `buffer` with as many whole log blocks from `first` as lie one after another on the
    /// source (the internal journal is one or a few runs), up to the buffer's size; returns how many.
    func read(_ first: UInt32, into buffer: UnsafeMutableRawBufferPointer) -> Int {
        let wanted = buffer.count / blockSize
        guard wanted > 0, let start = placement.locate(first), placement.wasRead(start, blockSize: blockSize, mapfile: mapfile) else { return 0 }
        var n = 1
        while n < wanted, first <= UInt32.max - UInt32(n), placement.locate(first + UInt32(n)) == start + UInt64(n),
              placement.wasRead(start + UInt64(n), blockSize: blockSize, mapfile: mapfile) { n += 1 }
        let bytes = n * blockSize
        guard let got = try? placement.source.read(at: placement.offset + start * UInt64(blockSize),
                                                   into: UnsafeMutableRawBufferPointer(rebasing: buffer[0..<bytes])) else { return 0 }
        return got / blockSize
    }
}

/// Whether a filesystem's journal history was indexed yet, and what that gave.
enum JournalHistoryIndex {
    case notRead
    case read((history: JournalHistory, reader: JournalLogReader)?)
}

extension Filesystem {
    /// Log blocks the history reads at most (a 4 GiB journal at 4 KiB blocks, 16 GiB at 16 KiB).
    static let journalHistoryLimit = 1 << 20

    /// The journal's history (``JournalHistory``) and a reader of its blocks; nil when the
    /// filesystem has no journal to read (none, or an external device not given) or its superblock
    /// is not a journal's. Indexed on first use and kept: the scan's name evidence and `--deleted`
    /// read one index. The superblock is read leniently (a failed checksum or an odd `s_start`
    /// does not hide a history), since nothing is replayed from it.
    func journalHistory() -> (history: JournalHistory, reader: JournalLogReader)? {
        if case .read(let found) = indexedJournalHistory { return found }
        let found = indexJournalHistory()
        indexedJournalHistory = .read(found)
        return found
    }

    private func indexJournalHistory() -> (history: JournalHistory, reader: JournalLogReader)? {
        guard hasJournal, case .success(let placement)? = journalPlacement(journalPath: journalPath) else { return nil }
        let bs = Int(blockSize)
        let reader = JournalLogReader(placement: placement, blockSize: bs, mapfile: mapfile)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bs, alignment: 8)
        defer { buffer.deallocate() }
        guard reader.read(placement.superblockBlock, into: buffer) == 1,
              let superblock = try? JournalSuperblock(UnsafeRawBufferPointer(buffer), filesystemBlockSize: bs,
                                                      journalBlocks: placement.blocks, strict: false) else { return nil }
        let history = JournalHistory(superblock: superblock, limit: Self.journalHistoryLimit, read: reader.read)
        return (history, reader)
    }
}
