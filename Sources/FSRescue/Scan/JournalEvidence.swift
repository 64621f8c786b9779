// Name evidence from the journal: older copies of directory blocks logged by jbd2 transactions.

/// The live entries of every logged copy of a directory block in the internal journal, or in the
/// external journal device given with `--journal` (``Filesystem/journalHistory()``, the one index of
/// the log area): a copy is taken for a directory's when pass 2 read its block as that directory's,
/// or when it starts with `.`.
struct JournalNameEvidence: NameEvidenceSource {
    let filesystem: Filesystem
    /// The directory pass 2 read each block for.
    let directoryOf: [UInt64: UInt32]
    let hasFiletype: Bool
    let metadataCsum: Bool
    let inodesCount: UInt32

    func collect(for wanted: Set<UInt32>, into log: inout NameEvidenceLog, cancelled: () -> Bool) -> UInt64 {
        guard filesystem.features.contains(.hasJournal), !wanted.isEmpty,
              let (history, reader) = filesystem.journalHistory() else { return 0 }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: Int(filesystem.blockSize), alignment: 8)
        defer { buffer.deallocate() }
        let blocksCount = filesystem.blocksCount
        for (i, copy) in history.copies.enumerated() where copy.filesystemBlock < blocksCount {
            if i % 1024 == 0 && cancelled() { break }
            guard history.read(copy, into: buffer, readLog: reader.read) else { continue }
            let bytes = UnsafeRawBufferPointer(buffer)
            let dot = bytes.loadUnaligned(as: UInt32.self)
            let startsWithDot = bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == 12 && bytes[6] == 1 && bytes[8] == 0x2E
            guard let directory = directoryOf[copy.filesystemBlock] ?? (startsWithDot ? dot : nil) else { continue }
            entries(bytes, directory: directory, block: copy.filesystemBlock, wanted: wanted, into: &log)
        }
        return UInt64(history.blocksRead)
    }

    private func entries(_ bytes: UnsafeRawBufferPointer, directory: UInt32, block: UInt64, wanted: Set<UInt32>,
                         into log: inout NameEvidenceLog) {
        let layout = DirectoryBlockLayout.of(bytes, context: .unowned, metadataCsum: metadataCsum)
        _ = DirectoryParser.parse(bytes, limit: layout.entriesEnd, blockSize: bytes.count, hasFiletype: hasFiletype, inodesCount: inodesCount, slack: false,
            entry: { e in
                guard e.inode != 0, wanted.contains(e.inode), e.nameLength > 0, !log.isFull else { return }
                let name = Array(bytes[e.nameOffset..<e.nameOffset + e.nameLength])
                guard !name.contains(0), !name.contains(0x2F), name != [0x2E], name != [0x2E, 0x2E] else { return }
                log.record(NameEvidence(inode: e.inode, name: name, fileType: e.fileType, directory: directory,
                                        block: block, offset: UInt32(e.offset), source: .journal, typeMatches: false))
            },
            stale: { _ in })
    }
}

extension ScanRun {
    /// Journal blocks read at most (the history index's limit), for the pass's planned units.
    static let journalBlockLimit = UInt64(Filesystem.journalHistoryLimit)

    /// The sources read after pass 2B, in order.
    func nameEvidenceSources() -> [any NameEvidenceSource] {
        var directoryOf: [UInt64: UInt32] = [:]
        for ref in directoryBlocks where ref.directory >= 0 && Int(ref.directory) < table.count {
            directoryOf[ref.physical] = table.number(at: Int(ref.directory))
        }
        return [JournalNameEvidence(filesystem: filesystem, directoryOf: directoryOf, hasFiletype: hasFiletype,
                                    metadataCsum: hasMetadataCsum, inodesCount: inodesCount)]
    }

    /// Reads every ``NameEvidenceSource`` for the in-use inodes that no live entry names. Does nothing
    /// when every inode is named (the root aside), so a healthy filesystem pays nothing. Returns the
    /// blocks read.
    func collectSourcedEvidence() -> UInt64 {
        let wanted = unnamedLiveInodes()
        guard !wanted.isEmpty else { return 0 }
        var done: UInt64 = 0
        for source in nameEvidenceSources() where !cancelled {
            done += source.collect(for: wanted, into: &evidence, cancelled: { progress.cancellationRequested })
        }
        return done
    }
}
