// Pass 2: every directory block — entries, '.', '..', names, types, checksums, htree roots, slack.

/// Pass 2 as a value: every directory block and inline directory pass 1 found, and the slow
/// symlinks' targets. Its inputs are explicit (the filesystem, what pass 1 found); it holds the
/// inode table for its run, to count links and record each inode's first parent and each
/// directory's `..`, and hands it back with its other outputs: ``findings``, ``counts``, the name
/// ``evidence`` it adds, the directory blocks sorted, and ``namesSkippedInodes``.
struct DirectoryPass: ScanParticipant {
    /// Consecutive directory blocks read by one `io_channel_read_blk64`. The kernel already has them
    /// (``SortedBlockReadahead``), so a larger batch saves only system calls: 64 blocks (256 KiB of
    /// buffer, every page touched on a 100k-file image) against 16 cost 250 KB of peak memory and
    /// gained nothing measurable on 1M files, warm or cold.
    static let maxBatchBlocks = 16
    static let rootInode = ScanRun.rootInode

    let filesystem: Filesystem
    let settings: ScanSettings
    /// Directory blocks pass 1 found (sorted by the pass, in physical order).
    var directoryBlocks: [DirectoryBlockRef]
    /// Table positions of the inline directories.
    let inlineDirectories: [Int32]
    /// Slow symlinks whose target block the pass reads first.
    var slowSymlinks: [PendingSymlink]
    /// Inodes pass 1 found with `EXT4_EA_INODE_FL`: attribute values, never named by a directory.
    let eaInodes: Set<UInt32>
    /// Directories with `EXT4_ENCRYPT_FL` (table positions).
    let encryptedDirectories: Set<Int32>
    /// Inodes whose table block was never read: unknown, not free.
    let unreadInodes: UnreadInodeRanges
    /// Whether pass 1 skipped what the descriptors call unused (``ScanRun/scansLazily``).
    let scansLazily: Bool

    /// The inodes pass 1 found in use: the pass counts links and records parents and `..` in it.
    var table: InodeTable
    /// Hashed directories: which pass 1 left unchecked, and what the pass gathers of their index.
    var htree: HtreeState
    var counts: ScanCounts
    /// Name evidence: entries naming inodes not in use, and stale entries in slack.
    var evidence: NameEvidenceLog
    var findings: [Finding] = []
    /// An entry named an inode past its group's unused mark, which a lazy pass 1 never read.
    var namesSkippedInodes = false
    /// `shouldStop` said to stop.
    var stopped = false

    init(_ run: ScanRun, table: InodeTable, evidence: NameEvidenceLog, htree: HtreeState, directoryBlocks: [DirectoryBlockRef],
         slowSymlinks: [PendingSymlink]) {
        filesystem = run.filesystem
        settings = run.settings
        inlineDirectories = run.inlineDirectories
        eaInodes = run.eaInodes
        encryptedDirectories = run.encryptedDirectories
        unreadInodes = run.unreadInodes
        scansLazily = run.scansLazily
        counts = run.counts
        self.table = table
        self.evidence = evidence
        self.htree = htree
        self.directoryBlocks = directoryBlocks
        self.slowSymlinks = slowSymlinks
    }

    mutating func add(_ finding: Finding) { findings.append(finding) }

    /// Checks the slow symlinks' targets pass 1 queued (``checkSlowSymlinkTargets(shouldStop:)``), then reads every directory block found by pass 1, in physical order and in batches of consecutive
    /// blocks (`io_channel_read_blk64`), and every inline directory (`ext2fs_inline_data_get`); checks
    /// each entry, counts links, records each inode's first name and parent, each directory's `..`,
    /// and stale entries left in slack space as name evidence. `shouldStop(unitsDone)` is asked
    /// after each batch; returns the units done.
    mutating func run(shouldStop: (UInt64) -> Bool) -> UInt64 {
        var done = checkSlowSymlinkTargets(shouldStop: shouldStop)
        if stopped { return done }
        directoryBlocks.sort { $0.physical < $1.physical }
        readHtreeRoots()
        let bs = Int(blockSize)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bs * Self.maxBatchBlocks, alignment: 8)
        defer { buffer.deallocate() }
        var state = DirectoryPassState()
        var i = 0
        var readahead = SortedBlockReadahead(filesystem)
        while i < directoryBlocks.count {
            readahead.reading(i, of: directoryBlocks.count) { directoryBlocks[$0].physical }
            var j = i
            while j + 1 < directoryBlocks.count, j + 1 - i < Self.maxBatchBlocks,
                  directoryBlocks[j + 1].physical == directoryBlocks[j].physical + 1 { j += 1 }
            let batch = j - i + 1
            let batchRead = read(directoryBlocks[i].physical, count: batch, into: buffer) == nil
            for k in 0..<batch {
                let ref = directoryBlocks[i + k]
                let block = buffer + k * bs
                if let error = batchRead ? nil : read(ref.physical, into: block) {
                    let ino = table.number(at: Int(ref.directory))
                    add(Finding(.dirUnreadableBlock, "Block \(ref.physical) (logical \(ref.logical)) of directory inode \(ino) cannot be read (\(error.message)).", inode: ino, block: ref.physical))
                    table.addDamage([.unreadable, .badEntries], at: Int(ref.directory))
                } else {
                    checkBlock(ref, UnsafeRawBufferPointer(start: block, count: bs), &state)
                }
            }
            counts.directoryBlocks += UInt64(batch)
            done += UInt64(batch)
            if shouldStop(done) { stopped = true; return done }
            i = j + 1
        }
        checkHtreeHashes()
        let inline = UnsafeMutableRawPointer.allocate(byteCount: bs + 256, alignment: 8)
        defer { inline.deallocate() }
        for index in inlineDirectories {
            checkInlineDirectory(Int(index), inline, capacity: bs + 256, &state)
            done += 1
            if shouldStop(done) { stopped = true; return done }
        }
        return done
    }

    private mutating func checkBlock(_ ref: DirectoryBlockRef, _ bytes: UnsafeRawBufferPointer, _ state: inout DirectoryPassState) {
        let dirIndex = Int(ref.directory)
        let dir = table.number(at: dirIndex)
        let ordinal = table.directoryOrdinal(ofIndex: dirIndex) ?? 0
        let bs = Int(blockSize)
        let indexed = table.flags[dirIndex] & InodeTable.Flag.indexed != 0
        let layout = DirectoryBlockLayout.of(bytes, context: .owned(logical: UInt64(ref.logical), indexed: indexed), metadataCsum: hasMetadataCsum)
        if hasMetadataCsum {
            if !filesystem.directoryBlockChecksumMatches(InodeNumber(dir), bytes) {
                add(Finding(.dirChecksum, "The checksum of block \(ref.physical) (logical \(ref.logical)) of directory inode \(dir) does not match, or it has no checksum tail.", inode: dir, block: ref.physical))
                table.addDamage(.badEntries, at: dirIndex)
            }
        }
        if layout.kind == .htreeNode {
            if htree.versions[ref.directory] != nil { htree.nodes[HtreeState.key(ref.directory, ref.logical)] = indexEntries(bytes, at: layout.indexOffset) }
            return
        }
        let hashed = indexed && ref.logical != 0 && htree.versions[ref.directory] != nil
        state.beginBlock()
        var position = 0
        let error = DirectoryParser.parse(bytes, limit: layout.entriesEnd, blockSize: bs, hasFiletype: hasFiletype, inodesCount: inodesCount,
                                          slack: !(indexed && ref.logical == 0),
            entry: { e in
                checkEntry(e, bytes, dir: dir, dirIndex: dirIndex, ordinal: ordinal, block: ref.physical, logical: ref.logical, hashed: hashed,
                           position: ref.logical == 0 ? position : 2, &state)
                position += 1
            },
            stale: { e in recordStale(e, bytes, directory: dir, block: ref.physical) })
        if ref.logical == 0 {
            if position == 0 { missingDot(dir, dirIndex, ref.physical) }
            if position < 2 { missingDotDot(dir, dirIndex, ref.physical) }
            if indexed && position >= 2 { checkHtreeRoot(dir, dirIndex, bytes, block: ref.physical) }
        }
        if let error {
            add(Finding(.dirBadEntry, "Block \(ref.physical) (logical \(ref.logical)) of directory inode \(dir): at offset \(error.offset), \(error.reason); the rest of the block was not parsed.", inode: dir, block: ref.physical))
            table.addDamage(.badEntries, at: dirIndex)
        }
    }

    private mutating func checkInlineDirectory(_ dirIndex: Int, _ buffer: UnsafeMutableRawPointer, capacity: Int, _ state: inout DirectoryPassState) {
        let dir = table.number(at: dirIndex)
        let ordinal = table.directoryOrdinal(ofIndex: dirIndex) ?? 0
        guard let size = filesystem.readInlineData(of: InodeNumber(dir), into: buffer, minimum: 4, capacity: capacity) else {
            add(Finding(.dirBadEntry, "The inline data of directory inode \(dir) cannot be read.", inode: dir))
            table.addDamage(.badEntries, at: dirIndex)
            return
        }
        let bytes = UnsafeRawBufferPointer(start: buffer, count: size)
        table.countLink(at: dirIndex)  // the implicit '.'
        let parent = bytes.loadUnaligned(as: UInt32.self)
        table.setDotdot(parent, ofDirectory: ordinal)
        if let p = table.index(of: parent) { table.countLink(at: p) }
        // i_block holds the parent and 56 bytes of entries; the system.data attribute holds the rest.
        for range in DirectoryParser.inlineRegions(size: size) {
            let start = range.lowerBound
            state.beginBlock()
            let region = UnsafeRawBufferPointer(rebasing: bytes[range])
            let error = DirectoryParser.parse(region, limit: region.count, blockSize: region.count, minimumRecord: 8,
                                              hasFiletype: hasFiletype, inodesCount: inodesCount, slack: true,
                entry: { e in checkEntry(e, region, dir: dir, dirIndex: dirIndex, ordinal: ordinal, block: 0, logical: 0, hashed: false, position: 2, &state) },
                stale: { e in recordStale(e, region, directory: dir, block: 0) })
            if let error {
                add(Finding(.dirBadEntry, "Inline directory inode \(dir): at offset \(start + error.offset), \(error.reason).", inode: dir))
                table.addDamage(.badEntries, at: dirIndex)
            }
        }
    }

    /// Checks one live entry. `position` is 0 for the first entry of block 0 ('.'), 1 for the second ('..').
    /// `dir` is the directory's inode, `dirIndex` its table position, `ordinal` its directory ordinal.
    private mutating func checkEntry(_ e: DirectoryEntry, _ bytes: UnsafeRawBufferPointer, dir: UInt32, dirIndex: Int, ordinal: Int, block: UInt64,
                            logical: UInt32, hashed: Bool, position: Int,
                            _ state: inout DirectoryPassState) {
        let name = UnsafeRawBufferPointer(rebasing: bytes[e.nameOffset..<e.nameOffset + e.nameLength])
        let isDot = e.nameLength == 1 && name[0] == 0x2E
        let isDotDot = e.nameLength == 2 && name[0] == 0x2E && name[1] == 0x2E
        if position == 0 {
            if isDot && e.inode == dir { table.countLink(at: dirIndex); return }
            missingDot(dir, dirIndex, block, found: e)
            if isDot { return }
        } else if position == 1 {
            if isDotDot {
                table.setDotdot(e.inode, ofDirectory: ordinal)
                if e.inode != 0, let t = table.index(of: e.inode) { table.countLink(at: t) }
                return
            }
            missingDotDot(dir, dirIndex, block)
        }
        guard e.inode != 0 else { return }
        counts.directoryEntries += 1
        // The one rule for which entries name an inode (``InodeTable/name(at:)`` finds names again by it).
        let named = table.namedPosition(of: e.inode, dotName: isDot || isDotDot, inodesCount: inodesCount, firstInode: firstInode)
        func where_() -> String { "entry '\(printable(name))' in directory inode \(dir) (block \(block), offset \(e.offset))" }
        if isDot || isDotDot {
            add(Finding(.dirBadName, "The \(where_()) is out of place.", inode: dir, block: block))
            table.addDamage(.badEntries, at: dirIndex)
            // Like e2fsck -n, the entry still names a file (which is then not unattached); a directory
            // gets no parent through it (``InodeTable/namedPosition(of:dotName:inodesCount:firstInode:)``).
            // Checked no further when it names a directory or an inode not in use.
            if table.index(of: e.inode).map({ table.isDirectory(at: $0) }) ?? true { return }
        }
        if e.nameLength == 0 || name.contains(0) || name.contains(0x2F) {
            add(Finding(.dirBadName, "The \(where_()) has an invalid name (empty, or holding '/' or NUL).", inode: dir, block: block))
            table.addDamage(.badEntries, at: dirIndex)
        }
        // Encrypted names are ciphertext padded to 16 bytes (e2fsck's PR_2_BAD_ENCRYPTED_NAME).
        if encryptedDirectories.contains(Int32(dirIndex)) && e.nameLength < 16 && !isDot && !isDotDot {
            add(Finding(.dirBadName, "The \(where_()) is \(e.nameLength) bytes long, too short for an encrypted name (16 at least).", inode: dir, block: block))
            table.addDamage(.badEntries, at: dirIndex)
        }
        if state.isDuplicate(name) {
            add(Finding(.dirDuplicateName, "The \(where_()) duplicates an earlier entry of the same block.", inode: dir, block: block))
            table.addDamage(.badEntries, at: dirIndex)
        }
        guard InodeTable.entryMayName(e.inode, inodesCount: inodesCount, firstInode: firstInode) else {
            add(Finding(.dirBadInode, "The \(where_()) names inode \(e.inode), which no entry may name.", inode: dir, block: block))
            table.addDamage(.badEntries, at: dirIndex)
            return
        }
        guard let target = named else {
            if unreadInodes.contains(e.inode) {
                // Its inode-table block was never read (inode.unread says so once): unknown, not free.
                return
            }
            if scansLazily && filesystem.liesPastUnusedMark(e.inode) {
                namesSkippedInodes = true
                // e2fsck's PR_2_INOREF_IN_UNUSED / PR_2_INOREF_BG_INO_UNINIT: the scan never read it.
                add(Finding(.groupStaleUnused, "The \(where_()) names inode \(e.inode), in the part of group \((e.inode - 1) / inodesPerGroup)'s inode table its descriptor says was never used: the descriptors are stale, and that inode was not scanned.", inode: dir, block: block))
            } else {
                add(Finding(.dirUnusedInode, "The \(where_()) names inode \(e.inode), which is not in use.", inode: dir, block: block))
            }
            table.addDamage(.badEntries, at: dirIndex)
            if !evidence.isFull {
                evidence.record(NameEvidence(inode: e.inode, name: Array(name), fileType: e.fileType, directory: dir, block: block,
                                             offset: UInt32(e.offset), source: .directory, typeMatches: false))
            }
            return
        }
        if eaInodes.contains(e.inode) {
            // An EA inode holds an attribute value; the kernel never names one in a directory.
            add(Finding(.dirBadInode, "The \(where_()) names inode \(e.inode), which holds an extended attribute value (EA_INODE flag), not a file.", inode: dir, block: block))
            table.addDamage(.badEntries, at: dirIndex)
        }
        let targetType = table.type(at: target)
        let expected = targetType.direntFileType
        if hasFiletype ? e.fileType != expected : e.fileType != 0 {
            add(Finding(.dirBadFileType, "The \(where_()) has file type \(e.fileType), but inode \(e.inode) is a \(targetType.rawValue) (type \(hasFiletype ? expected : 0)).", inode: dir, block: block))
        }
        table.countLink(at: target)
        if hashed { noteLeafName(name, directory: Int32(dirIndex), logical: logical) }
        if !table.setParentIfFirst(directory: ordinal, at: target) && table.isDirectory(at: target) {
            add(Finding(.dirHardLink, "The \(where_()) is a second link to directory inode \(e.inode) (already in directory \(table.parent(at: target))).", inode: e.inode, block: block))
            table.addDamage(.linkCount, at: target)
        }
        if e.inode == Self.rootInode && !isDotDot {
            add(Finding(.dirHardLink, "The \(where_()) links to the root directory.", inode: dir, block: block))
        }
    }

    private mutating func missingDot(_ dir: UInt32, _ index: Int, _ block: UInt64, found: DirectoryEntry? = nil) {
        let what = found.map { "its first entry names inode \($0.inode) with a \($0.nameLength)-byte name" } ?? "its first block has no entries"
        add(Finding(.dirMissingDot, "Directory inode \(dir) has no valid '.' entry: \(what).", inode: dir, block: block))
        table.addDamage(.badEntries, at: index)
    }

    private mutating func missingDotDot(_ dir: UInt32, _ index: Int, _ block: UInt64) {
        add(Finding(.dirMissingDotDot, "Directory inode \(dir) has no '..' as its second entry.", inode: dir, block: block))
        table.addDamage(.badEntries, at: index)
    }

    /// The dx_root after '.' and '..': reserved zero, hash version, info length 8, at most 3 levels.
    private mutating func checkHtreeRoot(_ dir: UInt32, _ index: Int, _ bytes: UnsafeRawBufferPointer, block: UInt64) {
        let infoLength = bytes[24 + 5], levels = bytes[24 + 6], hash = bytes[24 + 4]
        let reserved = bytes.loadUnaligned(fromByteOffset: 24, as: UInt32.self)
        let maxLevels: UInt8 = filesystem.features.contains(.largeDirectories) ? 3 : 2
        if reserved != 0 || infoLength != 8 || levels >= maxLevels || hash > 6 {
            add(Finding(.dirHtreeBad, "The htree root of directory inode \(dir) is invalid (hash version \(hash), info length \(infoLength), \(levels) indirect levels).", inode: dir, block: block))
            table.addDamage(.badEntries, at: index)
        }
    }

    private mutating func recordStale(_ e: DirectoryEntry, _ bytes: UnsafeRawBufferPointer, directory: UInt32, block: UInt64) {
        counts.staleEntries += 1
        guard !evidence.isFull else { return }
        let name = Array(bytes[e.nameOffset..<e.nameOffset + e.nameLength])
        evidence.record(NameEvidence(inode: e.inode, name: name, fileType: e.fileType, directory: directory, block: block,
                                     offset: UInt32(e.offset), source: .slack, typeMatches: false))
    }

    private func printable<C: Collection>(_ name: C) -> String where C.Element == UInt8 {
        let text = String(decoding: name, as: UTF8.self)
        return text.unicodeScalars.contains { $0.value < 0x20 } ? String(text.unicodeScalars.map { $0.value < 0x20 ? "?" : Character($0) }) : text
    }
}

extension ScanRun {
    /// The units of pass 2: directory blocks, inline directories and slow symlinks' target blocks.
    var pass2Units: UInt64 { UInt64(directoryBlocks.count + inlineDirectories.count + slowSymlinks.count) }

    /// Pass 2 (``DirectoryPass``): the table, the evidence log, the directory blocks and the htree
    /// state are moved into the pass for its run (no copy) and back.
    func passDirectories() -> UInt64 {
        var pass = DirectoryPass(self, table: takeTable(), evidence: evidence, htree: htree, directoryBlocks: directoryBlocks,
                                 slowSymlinks: slowSymlinks)
        (evidence, htree, directoryBlocks, slowSymlinks) = (NameEvidenceLog(), HtreeState(), [], [])
        let done = pass.run { shouldStop($0) }
        (table, evidence, directoryBlocks, slowSymlinks, counts) = (pass.table, pass.evidence, pass.directoryBlocks, pass.slowSymlinks, pass.counts)
        findings += pass.findings
        if pass.namesSkippedInodes { namesSkippedInodes = true }
        return done
    }
}

/// Per-block scratch state of pass 2, reused so parsing does not allocate per block.
struct DirectoryPassState {
    private var seen: [UInt64: Int] = [:]
    /// Names seen in the current block, pointing into its buffer (valid until the next block).
    private var names: [UnsafeRawBufferPointer] = []

    mutating func beginBlock() {
        seen.removeAll(keepingCapacity: true)
        names.removeAll(keepingCapacity: true)
    }

    /// True when `name` already appeared in this block (FNV-1a hash, then byte comparison).
    mutating func isDuplicate(_ name: UnsafeRawBufferPointer) -> Bool {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        if let i = seen[hash] {
            if names[i].elementsEqual(name) { return true }
            return false
        }
        seen[hash] = names.count
        names.append(name)
        return false
    }
}
