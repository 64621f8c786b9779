// Loading the journal of a filesystem that needs recovery, and the overlay its replay gives.
internal import CFSRescueExt2fs

/// What loading the journal for replay found.
enum JournalReplayOutcome {
    /// The superblock does not ask for recovery (or there is no internal journal).
    case notNeeded
    /// Recovery is asked for but the log holds nothing committed to apply, or the journal cannot be
    /// read; the words say which.
    case nothingApplied(String)
    case replayed(JournalOverlay, JournalReplaySummary)
}

extension Filesystem {
    /// The replay of this filesystem's internal journal, when the superblock says it needs recovery
    /// (`needs_recovery`, `has_journal`, `s_journal_inum`): the journal inode's blocks are read from
    /// the image itself (the journal is never replayed onto itself), its superblock checked, its log
    /// walked (``JournalReplay``). Returns nil when there is nothing to replay; a finding when the
    /// journal cannot be replayed.
    func loadJournalReplay() -> JournalReplayOutcome {
        let sb = handle.pointee.super.pointee
        guard sb.s_feature_compat & UInt32(EXT3_FEATURE_COMPAT_HAS_JOURNAL) != 0,
              sb.s_feature_incompat & UInt32(EXT3_FEATURE_INCOMPAT_RECOVER) != 0, sb.s_journal_inum != 0 else { return .notNeeded }
        guard let map = try? blockMap(of: sb.s_journal_inum), !map.runs.isEmpty else {
            return .nothingApplied("the journal inode \(sb.s_journal_inum) maps no blocks")
        }
        // Log block N → filesystem block, from the journal inode's runs (sorted by logical block).
        let runs = map.runs
        func locate(_ logical: UInt32) -> UInt64? {
            var low = 0, high = runs.count
            while low < high {
                let mid = (low + high) / 2
                if runs[mid].logical + UInt64(runs[mid].length) <= UInt64(logical) { low = mid + 1 } else { high = mid }
            }
            guard low < runs.count, runs[low].logical <= UInt64(logical) else { return nil }
            let physical = runs[low].physical + (UInt64(logical) - runs[low].logical)
            return blocksInRange(physical, count: 1) ? physical : nil
        }
        let journalBlocks = runs.last.map { $0.logical + UInt64($0.length) } ?? 0
        let bs = Int(blockSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bs, alignment: 8)
        defer { buffer.deallocate() }
        func read(_ logical: UInt32) -> UnsafeRawBufferPointer? {
            guard let physical = locate(logical),
                  (try? source.read(at: location.offsetBytes + physical * UInt64(bs), into: buffer)) == bs else { return nil }
            return UnsafeRawBufferPointer(buffer)
        }
        guard let first = read(0) else { return .nothingApplied("the journal's first block cannot be read") }
        let superblock: JournalSuperblock
        do {
            superblock = try JournalSuperblock(first, filesystemBlockSize: bs, journalBlocks: journalBlocks)
        } catch {
            return .nothingApplied("\(error)")
        }
        // ext4 fast commits follow the log (s_num_fc_blks); an area starting with a head tag
        // (EXT4_FC_TAG_HEAD, 9, little-endian) holds commits this replay does not apply.
        var fastCommits = false
        if superblock.incompat.contains(.fastCommit), let area = read(superblock.last) {
            fastCommits = area.loadUnaligned(as: UInt16.self) == 9
        }
        var replay = JournalReplay(superblock: superblock, filesystemBlocks: min(blocksCount, imageBlocks), read: read)
        if fastCommits { replay.noteFastCommits() }
        guard !replay.isEmpty else { return .nothingApplied("no committed transaction to apply (\(replay.stop))") }
        let overlay = JournalOverlay(replay: replay, logToFilesystem: locate, blockSize: bs, source: source,
                                     filesystemOffset: location.offsetBytes)
        return .replayed(overlay, JournalReplaySummary(replay, blocks: overlay.count))
    }
}
