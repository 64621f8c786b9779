// Pass 2B: blocks no in-use inode owns that still hold a lost directory's entries.

/// What pass 2B found of one lost directory, before pass 4 attaches the evidence naming it.
struct LostDirectoryDraft {
    let inode: UInt32
    let dotdot: UInt32?
    var blocks: [UInt64]
    var children: [NameEvidence]
}

/// Pass 2B as a value: lost directories rebuilt from blocks no in-use inode owns. Its inputs are
/// explicit (the filesystem, the candidate blocks, the inodes pass 1 found in use, the evidence log
/// so far); its outputs are ``lostDrafts`` and the ``evidence`` log with what the blocks name added.
struct OwnerlessBlocksPass: ScanParticipant {
    static let lostDirectoryLimit = 100_000
    private static let rootInode = ScanRun.rootInode

    let filesystem: Filesystem
    let settings: ScanSettings
    let candidates: OwnerlessCandidates
    /// The inodes pass 1 found in use: a block whose `.` names one is an old copy, not a lost directory.
    let table: InodeTable

    /// Name evidence so far; the pass adds each entry the blocks hold.
    var evidence: NameEvidenceLog
    var lostDrafts: [LostDirectoryDraft] = []

    /// Reads the ``OwnerlessCandidates`` (`io_channel_read_blk64`, the kernel asked to fetch the
    /// next reads ahead) and keeps the candidate blocks that
    /// parse as directory blocks: a first block (`.` with rec_len 12 naming a directory inode that
    /// is not in use, then `..`, then valid records), and the blocks right after one on disk that
    /// parse completely as entries without `.` (a multi-block directory's later blocks). Each live
    /// entry becomes `ownerless-block` evidence for its inode, each stale one `slack` evidence,
    /// both with the lost directory as their directory.
    /// `shouldStop(blocksDone)` is asked after each read; returns the candidate blocks done.
    mutating func run(shouldStop: (UInt64) -> Bool) -> UInt64 {
        let bs = Int(blockSize)
        // As long as the longest read (up to 64 blocks), not always 64: most scans have no candidates.
        guard let longest = candidates.reads.lazy.map({ Int($0.length) }).max() else { return 0 }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bs * longest, alignment: 8)
        defer { buffer.deallocate() }
        var drafts: [UInt32: Int] = [:]
        var previous: (block: UInt64, draft: Int)?
        var done: UInt64 = 0
        // Up to 16 reads (1,024 blocks) ahead.
        var readahead = SortedBlockReadahead(filesystem, window: 16)
        for (i, candidateRead) in candidates.reads.enumerated() {
            readahead.reading(i, of: candidates.reads.count) { (candidates.reads[$0].start, candidates.reads[$0].length) }
            let batchRead = read(candidateRead.start, count: Int(candidateRead.length), into: buffer) == nil
            var mask = candidateRead.mask
            while mask != 0 {
                let k = mask.trailingZeroBitCount
                mask &= mask - 1
                let block = candidateRead.start + UInt64(k)
                let raw = buffer + k * bs
                guard batchRead || read(block, into: raw) == nil else { previous = nil; continue }
                let bytes = UnsafeRawBufferPointer(start: raw, count: bs)
                if let first = firstBlockOfLostDirectory(bytes) {
                    if drafts[first.inode] == nil, lostDrafts.count < Self.lostDirectoryLimit {
                        drafts[first.inode] = lostDrafts.count
                        lostDrafts.append(LostDirectoryDraft(inode: first.inode, dotdot: first.dotdot, blocks: [], children: []))
                    }
                    guard let d = drafts[first.inode] else { previous = nil; continue }
                    collectEntries(bytes, block: block, into: d, first: true, inferred: false)
                    previous = (block, d)
                } else if let p = previous, p.block + 1 == block, isLaterDirectoryBlock(bytes) {
                    collectEntries(bytes, block: block, into: p.draft, first: false, inferred: true)
                    previous = (block, p.draft)
                } else {
                    previous = nil
                }
            }
            done += UInt64(candidateRead.mask.nonzeroBitCount)
            if shouldStop(done) { return done }
        }
        return done
    }

    /// The layout of a block whose directory is not known (``DirectoryBlockLayout``).
    private func unownedLayout(_ bytes: UnsafeRawBufferPointer) -> DirectoryBlockLayout {
        DirectoryBlockLayout.of(bytes, context: .unowned, metadataCsum: hasMetadataCsum)
    }

    /// The `.` and `..` of a directory's first block, when the block starts with them and `.` names
    /// a directory inode the scan did not find in use (a live directory's old copy is not evidence).
    private func firstBlockOfLostDirectory(_ bytes: UnsafeRawBufferPointer) -> (inode: UInt32, dotdot: UInt32?)? {
        let dot = bytes.loadUnaligned(as: UInt32.self)
        guard dot == Self.rootInode || (dot >= firstInode && dot <= inodesCount),
              bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self) == 12, bytes[6] == 1, bytes[8] == 0x2E else { return nil }
        let parent = bytes.loadUnaligned(fromByteOffset: 12, as: UInt32.self)
        let parentRecord = Int(bytes.loadUnaligned(fromByteOffset: 16, as: UInt16.self))
        guard parent <= inodesCount, parentRecord >= 12, bytes[18] == 2, bytes[20] == 0x2E, bytes[21] == 0x2E else { return nil }
        if hasFiletype { guard bytes[7] == 2, bytes[19] == 2 else { return nil } }
        guard table.index(of: dot) == nil else { return nil }
        return (dot, parent == 0 ? nil : parent)
    }

    /// A block that parses from start to end as directory entries, not starting with `.`, with at
    /// least one live entry and every live entry plausible (the later blocks of a directory).
    private func isLaterDirectoryBlock(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let layout = unownedLayout(bytes)
        if layout.kind != .leaf || (hasMetadataCsum && !layout.hasTail) { return false }
        let limit = layout.entriesEnd
        var live = 0, plausible = true, first = true
        let error = DirectoryParser.parse(bytes, limit: limit, blockSize: bytes.count, hasFiletype: hasFiletype, inodesCount: inodesCount, slack: false,
            entry: { e in
                defer { first = false }
                if first && e.inode == 0 && e.recordLength == limit { return }  // an empty block, or an htree node
                guard e.inode != 0 else { return }
                if !isPlausibleLiveEntry(e, bytes) || (first && e.nameLength == 1 && bytes[e.nameOffset] == 0x2E) { plausible = false }
                live += 1
            },
            stale: { _ in })
        return error == nil && plausible && live > 0
    }

    private func isPlausibleLiveEntry(_ e: DirectoryEntry, _ bytes: UnsafeRawBufferPointer) -> Bool {
        guard e.nameLength > 0, e.inode <= inodesCount, e.inode >= firstInode || e.inode == Self.rootInode else { return false }
        if hasFiletype && (e.fileType == 0 || e.fileType > 7) { return false }
        for i in 0..<e.nameLength where bytes[e.nameOffset + i] == 0 || bytes[e.nameOffset + i] == 0x2F { return false }
        return true
    }

    /// Records the entries of one of a lost directory's blocks as evidence naming its children.
    /// A first block whose `..` spans it (an htree root) holds index data, not entries, after `..`.
    private mutating func collectEntries(_ bytes: UnsafeRawBufferPointer, block: UInt64, into d: Int, first: Bool, inferred: Bool) {
        let dir = lostDrafts[d].inode
        lostDrafts[d].blocks.append(block)
        let layout = unownedLayout(bytes)
        let htreeRoot = first && layout.kind == .htreeRoot
        var position = 0
        _ = DirectoryParser.parse(bytes, limit: layout.kind == .htreeNode ? 0 : layout.entriesEnd, blockSize: bytes.count, hasFiletype: hasFiletype, inodesCount: inodesCount,
                                  slack: !htreeRoot,
            entry: { e in
                defer { position += 1 }
                guard !(first && position < 2), e.inode != 0, isPlausibleLiveEntry(e, bytes),
                      !evidence.isFull else { return }
                var found = NameEvidence(inode: e.inode, name: Array(bytes[e.nameOffset..<e.nameOffset + e.nameLength]), fileType: e.fileType,
                                         directory: dir, block: block, offset: UInt32(e.offset), source: .ownerlessBlock, typeMatches: false)
                found.inferredDirectory = inferred
                lostDrafts[d].children.append(found)
                evidence.record(found)
            },
            stale: { e in
                guard !evidence.isFull else { return }
                evidence.record(NameEvidence(inode: e.inode, name: Array(bytes[e.nameOffset..<e.nameOffset + e.nameLength]), fileType: e.fileType,
                                             directory: dir, block: block, offset: UInt32(e.offset), source: .slack, typeMatches: false))
            })
    }
}

extension ScanRun {
    /// Pass 2B (``OwnerlessBlocksPass``) over `candidates`, adding what it finds to the scan's evidence.
    func passOwnerlessBlocks(_ candidates: OwnerlessCandidates) -> UInt64 {
        var pass = OwnerlessBlocksPass(filesystem: filesystem, settings: settings, candidates: candidates, table: table, evidence: evidence)
        evidence = NameEvidenceLog()
        let done = pass.run { shouldStop($0) }
        evidence = pass.evidence
        lostDrafts = pass.lostDrafts
        return done
    }
}
