// The history a jbd2 journal still holds: every block copy of every committed transaction, live or
// already checkpointed, that no later transaction has written over.

/// An index of the whole log area, read once in order: descriptor, commit and revoke blocks
/// wherever they lie (not only from `s_start`, as a replay reads), and the block copies their tags
/// place after them. Memory is a few words a log block; no copied data is kept.
///
/// A copy counts when its transaction's commit block was found (and, with checksums, matches), when
/// no newer transaction's blocks lie where it does (the log is written in a circle, so a newer
/// transaction overwrites the oldest), and when its position does not hold a journal block of its
/// own (data in the log never starts with the magic: the kernel escapes it). With checksum v2/v3 a
/// copy is also checked against its tag's checksum when it is read (``read(_:into:)``).
struct JournalHistory {
    /// One filesystem block as a committed transaction logged it.
    struct Copy: Equatable {
        let filesystemBlock: UInt64
        let logBlock: UInt32
        let sequence: UInt32
        let escaped: Bool
        let checksum: UInt32?
    }

    /// Transactions whose commit block was found: sequence → commit time (seconds since 1970; 0 when not recorded).
    private(set) var commits: [UInt32: UInt64] = [:]
    /// The surviving copies, oldest transaction first (within one, in log order).
    private(set) var copies: [Copy] = []
    /// Descriptor blocks found (each one part of a transaction).
    private(set) var descriptors = 0
    /// Tags whose copy a newer transaction overwrote, or whose transaction has no commit block left.
    private(set) var lostCopies = 0
    /// Log blocks read.
    private(set) var blocksRead = 0
    /// Log blocks that could not be read.
    private(set) var unreadable = 0
    /// The journal superblock the index was read with.
    let superblock: JournalSuperblock

    /// How old transaction `sequence` is against the superblock's next one: negative for checkpointed
    /// transactions, 0 or more for those the log still holds from `s_start`. Sequence numbers wrap.
    func age(_ sequence: UInt32) -> Int64 { Self.age(sequence, next: superblock.sequence) }

    static func age(_ sequence: UInt32, next: UInt32) -> Int64 { Int64(Int32(bitPattern: sequence &- next)) }

    /// A transaction's age as an unsigned key, larger for newer ones.
    private static func key(_ sequence: UInt32, next: UInt32) -> UInt32 {
        UInt32(truncatingIfNeeded: age(sequence, next: next) + 0x8000_0000)
    }

    /// Oldest and newest committed transactions found, by age (sequence numbers wrap: the oldest
    /// may be the larger number).
    var sequenceRange: (oldest: UInt32, newest: UInt32)? {
        guard let oldest = commits.keys.min(by: { age($0) < age($1) }),
              let newest = commits.keys.max(by: { age($0) < age($1) }) else { return nil }
        return (oldest, newest)
    }

    /// Indexes the log of `superblock`, reading `count` log blocks from `first` with `read`, which
    /// fills as many whole blocks as it can into the buffer it is given and returns how many (0 when
    /// the first cannot be read). At most `limit` log blocks are read.
    init(superblock sb: JournalSuperblock, limit: Int, read: (UInt32, UnsafeMutableRawBufferPointer) -> Int) {
        superblock = sb
        let first = Int(sb.first), end = min(Int(sb.last), first + limit)
        guard end > first else { return }
        // Tags wrap from the log's end to its start only when the whole log is read.
        let wraps = end == Int(sb.last)
        let bs = sb.blockSize
        let length = end - first
        // Which transaction last wrote each log position: its age + 2^31 (0: nothing known).
        var writer = [UInt32](repeating: 0, count: length)
        var structural = [Bool](repeating: false, count: length)
        var tagged: [(tag: JournalTag, position: Int, sequence: UInt32)] = []
        let next = sb.sequence
        func claim(_ position: Int, _ sequence: UInt32) {
            let key = Self.key(sequence, next: next)
            if key > writer[position] { writer[position] = key }
        }
        let chunkBlocks = max(1, (1 << 20) / bs)
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkBlocks * bs, alignment: 4096)
        defer { chunk.deallocate() }
        var position = 0
        while position < length {
            let want = min(chunkBlocks, length - position)
            var got = min(want, read(UInt32(first + position), UnsafeMutableRawBufferPointer(rebasing: chunk[0..<want * bs])))
            if got <= 0 && want > 1 {
                // A bad sector fails the whole chunk: read this one block alone, so only it is lost.
                got = min(1, read(UInt32(first + position), UnsafeMutableRawBufferPointer(rebasing: chunk[0..<bs])))
            }
            if got <= 0 {
                unreadable += 1
                position += 1
                continue
            }
            for i in 0..<got {
                let block = UnsafeRawBufferPointer(rebasing: chunk[i * bs..<(i + 1) * bs])
                if let sequence = index(block, at: position + i, length: length, wraps: wraps, tagged: &tagged) {
                    structural[position + i] = true
                    claim(position + i, sequence)
                }
            }
            blocksRead += got
            position += got
        }
        for t in tagged {
            claim(t.position, t.sequence)
        }
        var kept: [(order: Int, copy: Copy)] = []
        for (order, t) in tagged.enumerated() {
            let key = Self.key(t.sequence, next: next)
            guard commits[t.sequence] != nil, !structural[t.position], writer[t.position] == key else {
                lostCopies += 1
                continue
            }
            kept.append((order, Copy(filesystemBlock: t.tag.filesystemBlock, logBlock: UInt32(first + t.position),
                                     sequence: t.sequence, escaped: t.tag.escaped, checksum: t.tag.checksum)))
        }
        // Oldest transaction first; within one, in the order its descriptors list them (log order).
        kept.sort { Self.key($0.copy.sequence, next: next) < Self.key($1.copy.sequence, next: next)
            || ($0.copy.sequence == $1.copy.sequence && $0.order < $1.order) }
        copies = kept.map(\.copy)
    }

    /// Reads one log block's header: descriptors add their tags at the positions after them
    /// (wrapping within the log). Returns the sequence of a journal block that passes its checks
    /// (descriptor, commit, revoke), which then owns its position.
    private mutating func index(_ block: UnsafeRawBufferPointer, at position: Int, length: Int, wraps: Bool,
                                tagged: inout [(tag: JournalTag, position: Int, sequence: UInt32)]) -> UInt32? {
        let sb = superblock
        guard let header = JournalLogBlocks.header(block), let type = JournalBlockType(rawValue: header.type) else { return nil }
        switch type {
        case .descriptor:
            guard !sb.hasChecksums || JournalLogBlocks.tailChecksumMatches(block, seed: sb.checksumSeed) else { return nil }
            descriptors += 1
            // A well-formed log has about one tag a log block; a hostile one could list hundreds a block.
            guard tagged.count < 2 * length + 1024 else { return header.sequence }
            var p = position
            for tag in JournalLogBlocks.tags(block, superblock: sb, limit: length - 1) {
                if p + 1 == length && !wraps { break }  // past the part of the log that was read
                p = p + 1 == length ? 0 : p + 1
                tagged.append((tag, p, header.sequence))
            }
        case .commit:
            guard !sb.hasChecksums || JournalLogBlocks.commitChecksumMatches(block, seed: sb.checksumSeed) else { return nil }
            commits[header.sequence] = JournalLogBlocks.commitTime(block) ?? 0
        case .revoke:
            guard !sb.hasChecksums || JournalLogBlocks.tailChecksumMatches(block, seed: sb.checksumSeed) else { return nil }
        case .superblockV1, .superblockV2:
            return nil
        }
        return header.sequence
    }

    /// Copies `copy`'s block into `buffer` (its escaped magic restored) with `readLog`; false when it
    /// cannot be read or fails its tag's checksum.
    func read(_ copy: Copy, into buffer: UnsafeMutableRawBufferPointer, readLog: (UInt32, UnsafeMutableRawBufferPointer) -> Int) -> Bool {
        guard readLog(copy.logBlock, buffer) >= 1 else { return false }
        let tag = JournalTag(filesystemBlock: copy.filesystemBlock, escaped: copy.escaped, checksum: copy.checksum)
        guard JournalLogBlocks.dataChecksumMatches(UnsafeRawBufferPointer(buffer), tag: tag, sequence: copy.sequence,
                                                   superblock: superblock) else { return false }
        if copy.escaped { buffer.storeBytes(of: JournalSuperblock.magic.bigEndian, toByteOffset: 0, as: UInt32.self) }
        return true
    }
}
