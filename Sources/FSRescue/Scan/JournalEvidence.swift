// Name evidence from the journal: older copies of directory blocks logged by jbd2 transactions.
internal import CFSRescueExt2fs

/// The parts of an internal jbd2 journal needed to find logged copies of filesystem blocks.
/// All jbd2 fields are big-endian.
struct JournalLayout {
    static let magic: UInt32 = 0xC03B_3998
    let maxLength: UInt64
    let first: UInt64
    let tagBytes: Int
    let hasChecksumTail: Bool
    let is64bit: Bool

    /// Parses the journal superblock (journal block 0); nil when it is not one.
    init?(_ sb: UnsafeRawBufferPointer, blockSize: Int) {
        func be32(_ o: Int) -> UInt32 { UInt32(bigEndian: sb.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        guard sb.count >= 64, be32(0) == Self.magic, be32(4) == 3 || be32(4) == 4, Int(be32(12)) == blockSize else { return nil }
        maxLength = UInt64(be32(16))
        first = UInt64(be32(20))
        let incompat = be32(4) == 4 ? be32(40) : 0
        is64bit = incompat & 0x2 != 0
        let v2 = incompat & 0x8 != 0, v3 = incompat & 0x10 != 0
        hasChecksumTail = v2 || v3
        // journal_tag_bytes(): tag3 is 16 bytes; the old tag is 12 (8 without 64bit), +2 with csum v2.
        tagBytes = v3 ? 16 : (is64bit ? 12 : 8) + (v2 ? 2 : 0)
        guard first >= 1, first < maxLength else { return nil }
    }

    /// The filesystem blocks logged by a descriptor block, each with the journal block holding its copy
    /// (`descriptorAt + 1 + i`, wrapping to `first`) and whether its first 4 bytes were escaped.
    func tags(_ block: UnsafeRawBufferPointer, descriptorAt j: UInt64) -> [(fsBlock: UInt64, journalBlock: UInt64, escaped: Bool)] {
        func be32(_ o: Int) -> UInt32 { UInt32(bigEndian: block.loadUnaligned(fromByteOffset: o, as: UInt32.self)) }
        let end = block.count - (hasChecksumTail ? 4 : 0)
        var result: [(UInt64, UInt64, Bool)] = []
        var offset = 12
        var next = j
        while offset + tagBytes <= end, result.count < block.count / 8 {
            let low = UInt64(be32(offset))
            let flags: UInt32 = tagBytes == 16 ? be32(offset + 4) : UInt32(UInt16(bigEndian: block.loadUnaligned(fromByteOffset: offset + 6, as: UInt16.self)))
            let high: UInt64 = is64bit ? UInt64(be32(offset + 8)) : 0  // t_blocknr_high in both tag layouts
            next = next + 1 >= maxLength ? first : next + 1
            result.append((high << 32 | low, next, flags & 0x1 != 0))
            offset += tagBytes
            if flags & 0x2 == 0 { offset += 16 }  // no SAME_UUID: a UUID follows the tag
            if flags & 0x8 != 0 { break }         // LAST_TAG
        }
        return result
    }
}

extension ScanRun {
    /// Journal blocks read at most (a 4 GiB journal at 4 KiB blocks).
    static let journalBlockLimit: UInt64 = 1 << 20

    /// Adds `journal` name evidence for in-use inodes that no live entry names: every live entry of
    /// every logged copy of a directory block (a block pass 2 read as a directory's, or one whose copy
    /// starts with `.`) in the internal journal. Does nothing when every inode is named (the root
    /// aside), so a healthy filesystem pays nothing. Returns journal blocks read.
    func collectJournalEvidence() -> UInt64 {
        let sb = fs.pointee.super.pointee
        guard sb.s_feature_compat & UInt32(EXT3_FEATURE_COMPAT_HAS_JOURNAL) != 0, sb.s_journal_inum != 0 else { return 0 }
        let wanted = unnamedLiveInodes()
        guard !wanted.isEmpty, let journalInode = try? filesystem.readInode(sb.s_journal_inum) else { return 0 }
        let map = filesystem.dataMap(of: journalInode)
        let bs = Int(blockSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bs, alignment: 8)
        defer { buffer.deallocate() }
        func readJournal(_ logical: UInt64) -> Bool {
            guard let run = map.runs.first(where: { logical >= $0.logical && logical < $0.logical + $0.length }), !run.unwritten else { return false }
            return read(run.physical + (logical - run.logical), into: buffer.baseAddress!) == 0
        }
        guard readJournal(0), let layout = JournalLayout(UnsafeRawBufferPointer(buffer), blockSize: bs) else { return 0 }
        var directoryOf: [UInt64: UInt32] = [:]
        for ref in directoryBlocks where ref.directory >= 0 && Int(ref.directory) < table.count {
            directoryOf[ref.physical] = table.number(at: Int(ref.directory))
        }
        var logged: [(fsBlock: UInt64, journalBlock: UInt64, escaped: Bool)] = []
        // From s_first, at most journalBlockLimit blocks: an s_first past the limit is a range, not a trap.
        let limit = min(layout.maxLength, layout.first + Self.journalBlockLimit)
        var done: UInt64 = 0
        for j in layout.first..<limit {
            done += 1
            guard readJournal(j) else { continue }
            let bytes = UnsafeRawBufferPointer(buffer)
            guard UInt32(bigEndian: bytes.loadUnaligned(as: UInt32.self)) == JournalLayout.magic,
                  UInt32(bigEndian: bytes.loadUnaligned(fromByteOffset: 4, as: UInt32.self)) == 1 else { continue }
            logged += layout.tags(bytes, descriptorAt: j).filter { $0.fsBlock < blocksCount }
            if shouldStop(done) { return done }
        }
        for copy in logged {
            guard readJournal(copy.journalBlock) else { continue }
            if copy.escaped { buffer.storeBytes(of: JournalLayout.magic.bigEndian, toByteOffset: 0, as: UInt32.self) }
            let bytes = UnsafeRawBufferPointer(buffer)
            let dot = bytes.loadUnaligned(as: UInt32.self)
            let startsWithDot = bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == 12 && bytes[6] == 1 && bytes[8] == 0x2E
            guard let directory = directoryOf[copy.fsBlock] ?? (startsWithDot ? dot : nil) else { continue }
            journalEntries(bytes, directory: directory, block: copy.fsBlock, wanted: wanted)
        }
        return done
    }

    private func journalEntries(_ bytes: UnsafeRawBufferPointer, directory: UInt32, block: UInt64, wanted: Set<UInt32>) {
        let layout = unownedLayout(bytes)
        _ = DirectoryParser.parse(bytes, limit: layout.entriesEnd, blockSize: bytes.count, hasFiletype: hasFiletype, inodesCount: inodesCount, slack: false,
            entry: { e in
                guard e.inode != 0, wanted.contains(e.inode), e.nameLength > 0, staleEntries.count < Self.staleEntryLimit else { return }
                let name = Array(bytes[e.nameOffset..<e.nameOffset + e.nameLength])
                guard !name.contains(0), !name.contains(0x2F), name != [0x2E], name != [0x2E, 0x2E] else { return }
                staleEntries.append(NameEvidence(inode: e.inode, name: name, fileType: e.fileType, directory: directory,
                                                 block: block, offset: UInt32(e.offset), source: .journal, typeMatches: false))
            },
            stale: { _ in })
    }
}
