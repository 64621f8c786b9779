// Name evidence from the journal: older copies of directory blocks logged by jbd2 transactions.

extension ScanRun {
    /// Journal blocks read at most (the history index's limit), for the pass's planned units.
    static let journalBlockLimit = UInt64(Filesystem.journalHistoryLimit)

    /// Adds `journal` name evidence for in-use inodes that no live entry names: every live entry of
    /// every logged copy of a directory block (a block pass 2 read as a directory's, or one whose copy
    /// starts with `.`) in the internal journal, or in the external journal device given with
    /// `--journal`. Does nothing when every inode is named (the root aside), so a healthy filesystem
    /// pays nothing. Returns journal blocks read.
    func collectJournalEvidence() -> UInt64 {
        guard filesystem.features.contains(.hasJournal) else { return 0 }
        let wanted = unnamedLiveInodes()
        guard !wanted.isEmpty else { return 0 }
        guard let (history, reader) = filesystem.journalHistory() else { return 0 }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(blockSize), alignment: 8)
        defer { buffer.deallocate() }
        var directoryOf: [UInt64: UInt32] = [:]
        for ref in directoryBlocks where ref.directory >= 0 && Int(ref.directory) < table.count {
            directoryOf[ref.physical] = table.number(at: Int(ref.directory))
        }
        // Every committed copy the log still holds (``JournalHistory``: the one index of the log area).
        for (i, copy) in history.copies.enumerated() where copy.filesystemBlock < blocksCount {
            if i % 1024 == 0 && progress.cancellationRequested { break }
            guard history.read(copy, into: buffer, readLog: reader.read) else { continue }
            let bytes = UnsafeRawBufferPointer(buffer)
            let dot = bytes.loadUnaligned(as: UInt32.self)
            let startsWithDot = bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == 12 && bytes[6] == 1 && bytes[8] == 0x2E
            guard let directory = directoryOf[copy.filesystemBlock] ?? (startsWithDot ? dot : nil) else { continue }
            journalEntries(bytes, directory: directory, block: copy.filesystemBlock, wanted: wanted)
        }
        return UInt64(history.blocksRead)
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
