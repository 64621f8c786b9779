// Loading the journal of a filesystem that needs recovery, and the overlay its replay gives.

/// What loading the journal for replay found.
enum JournalReplayOutcome {
    /// The superblock does not ask for recovery (or the journal is on a device not given).
    case notNeeded
    /// Recovery is asked for but the log holds nothing committed to apply, or the journal cannot be
    /// read; the words say which.
    case nothingApplied(String)
    case replayed(JournalOverlay, JournalReplaySummary)
}

/// Where a journal's blocks are: log block N is block `locate(N)` of `source`, counted from byte
/// `offset`; the journal superblock is log block `superblockBlock`.
struct JournalPlacement {
    let source: ImageSource
    let offset: UInt64
    let blocks: UInt64
    let superblockBlock: UInt32
    let locate: (UInt32) -> UInt64?

    /// Whether block `block` of the placement was read from the disk: always for a journal device
    /// (the mapfile is the image's), else as `mapfile` says of the image's bytes.
    func wasRead(_ block: UInt64, blockSize: Int, mapfile: Mapfile?) -> Bool {
        guard let mapfile, isInImage else { return true }
        let start = offset + block * UInt64(blockSize)
        return mapfile.wasRead(start..<(start + UInt64(blockSize)))
    }

    /// The journal lives in the image itself (an internal journal), where the mapfile applies.
    var isInImage = true
}

extension Filesystem {
    /// The replay of this filesystem's journal, when the superblock says it needs recovery
    /// (`needs_recovery`, `has_journal`): the internal journal inode's blocks, read from the image
    /// itself (the journal is never replayed onto itself), or the external journal device at
    /// `journalPath`; its superblock checked, its log walked (``JournalReplay``).
    func loadJournalReplay(journalPath: String?) -> JournalReplayOutcome {
        guard features.isSuperset(of: [.hasJournal, .needsRecovery]) else { return .notNeeded }
        let placement: JournalPlacement
        switch journalPlacement(journalPath: journalPath) {
        case .none: return .notNeeded
        case .some(.failure(let why)): return .nothingApplied(why.text)
        case .some(.success(let found)): placement = found
        }
        let bs = Int(blockSize)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: bs, alignment: 8)
        defer { buffer.deallocate() }
        func read(_ logical: UInt32) -> UnsafeRawBufferPointer? {
            guard let block = placement.locate(logical), placement.wasRead(block, blockSize: bs, mapfile: mapfile),
                  (try? placement.source.read(at: placement.offset + block * UInt64(bs), into: buffer)) == bs else { return nil }
            return UnsafeRawBufferPointer(buffer)
        }
        guard let first = read(placement.superblockBlock) else { return .nothingApplied("the journal superblock cannot be read") }
        let superblock: JournalSuperblock
        do {
            superblock = try JournalSuperblock(first, filesystemBlockSize: bs, journalBlocks: placement.blocks)
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
        let overlay = JournalOverlay(replay: replay, copyLocation: placement.locate, blockSize: bs,
                                     source: placement.source, copiesOffset: placement.offset)
        return .replayed(overlay, JournalReplaySummary(replay, blocks: overlay.count))
    }

    /// `EXT3_FEATURE_INCOMPAT_JOURNAL_DEV`: a superblock of an external journal device.
    static let journalDeviceFeature: UInt32 = 0x0008

    /// Why a journal cannot be read, in words.
    struct JournalProblem: Error { let text: String }

    /// Where this filesystem's journal is: its internal inode, or the device at `journalPath`; nil
    /// when it has neither (no journal inode and no device given).
    func journalPlacement(journalPath: String?) -> Result<JournalPlacement, JournalProblem>? {
        let inode = superblock.journalInode
        return inode != 0 ? internalJournal(inode) : externalJournal(journalPath)
    }

    /// The internal journal: inode `inode`'s blocks, log block N at its logical block N.
    private func internalJournal(_ inode: UInt32) -> Result<JournalPlacement, JournalProblem>? {
        guard let map = try? blockMap(of: inode), !map.runs.isEmpty else {
            return .failure(JournalProblem(text: "the journal inode \(inode) maps no blocks"))
        }
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
        let blocks = runs.last.map { $0.logical + UInt64($0.length) } ?? 0
        return .success(JournalPlacement(source: source, offset: location.offsetBytes, blocks: blocks, superblockBlock: 0, locate: locate))
    }

    /// The external journal device at `path` (`--journal`), nil when none was given: an ext2-style
    /// superblock with the journal_dev feature and this filesystem's `s_journal_uuid`, then the jbd2
    /// superblock at block 1 (block 2 with 1 KiB blocks, after the device's own superblock); log
    /// block N is device block N, as e2fsck and the kernel number them.
    private func externalJournal(_ path: String?) -> Result<JournalPlacement, JournalProblem>? {
        guard let path else { return nil }
        let device: ImageSource
        do { device = try ImageSource(path: path) } catch {
            return .failure(JournalProblem(text: "the journal device \(path) cannot be opened (\(error.message))"))
        }
        guard let raw = try? device.read(at: 1024, count: 1024), raw.count == 1024 else {
            return .failure(JournalProblem(text: "\(path) is too short to hold a journal device's superblock"))
        }
        func u32(_ o: Int) -> UInt32 { raw.withUnsafeBytes { $0.loadUnaligned(fromByteOffset: o, as: UInt32.self) } }
        let magic = UInt16(raw[0x38]) | UInt16(raw[0x39]) << 8
        guard magic == 0xEF53, u32(0x60) & Self.journalDeviceFeature != 0 else {
            return .failure(JournalProblem(text: "\(path) is not an ext journal device (no journal_dev superblock)"))
        }
        guard Array(raw[0x68..<0x78]) == superblock.journalUUID else {
            return .failure(JournalProblem(text: "\(path) is the journal of another filesystem (its UUID is not this filesystem's s_journal_uuid)"))
        }
        let bs = UInt64(blockSize)
        guard u32(0x18) <= 6, UInt64(1024 << u32(0x18)) == bs else {
            return .failure(JournalProblem(text: "\(path) has another block size than the filesystem"))
        }
        let blocks = device.sizeBytes / bs
        var placement = JournalPlacement(source: device, offset: 0, blocks: blocks, superblockBlock: bs == 1024 ? 2 : 1,
                                         locate: { UInt64($0) < blocks ? UInt64($0) : nil })
        placement.isInImage = false
        return .success(placement)
    }
}
