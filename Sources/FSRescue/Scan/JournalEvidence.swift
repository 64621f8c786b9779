// Name evidence from the journal: older copies of directory blocks logged by jbd2 transactions.
internal import CFSRescueExt2fs

extension ScanRun {
    /// Journal blocks read at most (a 4 GiB journal at 4 KiB blocks).
    static let journalBlockLimit: UInt64 = 1 << 20

    /// Adds `journal` name evidence for in-use inodes that no live entry names: every live entry of
    /// every logged copy of a directory block (a block pass 2 read as a directory's, or one whose copy
    /// starts with `.`) in the internal journal, or in the external journal device given with
    /// `--journal`. Does nothing when every inode is named (the root aside), so a healthy filesystem
    /// pays nothing. Returns journal blocks read.
    func collectJournalEvidence() -> UInt64 {
        let sb = fs.pointee.super.pointee
        guard sb.s_feature_compat & UInt32(EXT3_FEATURE_COMPAT_HAS_JOURNAL) != 0 else { return 0 }
        let wanted = unnamedLiveInodes()
        guard !wanted.isEmpty else { return 0 }
        let bs = Int(blockSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bs, alignment: 8)
        defer { buffer.deallocate() }
        guard case .success(let placement) = filesystem.journalPlacement(journalPath: filesystem.journalPath) else { return 0 }
        func readJournal(_ logical: UInt64) -> Bool {
            guard logical <= UInt64(UInt32.max), let block = placement.locate(UInt32(logical)),
                  placement.wasRead(block, blockSize: bs, mapfile: filesystem.mapfile) else { return false }
            return (try? placement.source.read(at: placement.offset + block * UInt64(bs), into: buffer)) == bs
        }
        let mapped = placement.blocks, superblockAt = UInt64(placement.superblockBlock)
        guard readJournal(superblockAt), let layout = try? JournalSuperblock(UnsafeRawBufferPointer(buffer), filesystemBlockSize: bs,
                                                                  journalBlocks: mapped, strict: false) else { return 0 }
        var directoryOf: [UInt64: UInt32] = [:]
        for ref in directoryBlocks where ref.directory >= 0 && Int(ref.directory) < table.count {
            directoryOf[ref.physical] = table.number(at: Int(ref.directory))
        }
        var logged: [(fsBlock: UInt64, journalBlock: UInt64, escaped: Bool)] = []
        // From s_first, at most journalBlockLimit blocks: an s_first past the limit is a range, not a trap.
        let limit = min(UInt64(layout.maxLength), UInt64(layout.first) + Self.journalBlockLimit)
        var done: UInt64 = 0
        for j in UInt64(layout.first)..<limit {
            done += 1
            guard readJournal(j) else { continue }
            let bytes = UnsafeRawBufferPointer(buffer)
            guard let header = JournalLogBlocks.header(bytes), header.type == JournalBlockType.descriptor.rawValue else { continue }
            var next = UInt32(j)
            for tag in JournalLogBlocks.tags(bytes, superblock: layout, limit: bs / 8) {
                next = layout.next(next)
                if tag.filesystemBlock < blocksCount { logged.append((tag.filesystemBlock, UInt64(next), tag.escaped)) }
            }
            if shouldStop(done) { return done }
        }
        for copy in logged {
            guard readJournal(copy.journalBlock) else { continue }
            if copy.escaped { buffer.storeBytes(of: JournalSuperblock.magic.bigEndian, toByteOffset: 0, as: UInt32.self) }
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
