// Pass 5: the on-disk bitmaps and free counts against what passes 1–4 found in use.

/// Differences between a computed and an on-disk bitmap: counts and the first ranges, for one message.
struct BitmapDifferences {
    var count: UInt64 = 0
    var ranges: [(UInt64, UInt64)] = []
    var firstGroup: UInt32?

    mutating func add(_ item: UInt64, group: UInt32) {
        count += 1
        if firstGroup == nil { firstGroup = group }
        if let last = ranges.last, last.1 + 1 == item {
            ranges[ranges.count - 1].1 = item
        } else if ranges.count < 12 {
            ranges.append((item, item))
        }
    }

    var text: String {
        let shown = ranges.map { $0.0 == $0.1 ? "\($0.0)" : "\($0.0)–\($0.1)" }.joined(separator: ", ")
        return count > UInt64(ranges.reduce(0) { $0 + Int($1.1 - $1.0 + 1) }) ? shown + ", …" : shown
    }
}

/// Pass 5 as a value: the on-disk bitmaps (already loaded) and the group and superblock counts
/// against what passes 1–4 found, group by group. Its inputs are explicit; its output is
/// ``findings`` and the groups done.
struct SummaryPass {
    static let countFindingLimit = 64
    static let unreadMappingsNote = "(Indirect blocks or extent nodes of some files could not be read: the blocks they map are in use but were not found.)"

    /// What passes 1–4 found in use, and the filesystem whose bitmaps it is compared with.
    let words: BitmapComparison
    /// The inodes found in use; its directory list, in inode order, gives each group's directories.
    let table: InodeTable
    /// Inodes whose table block was never read: unknown, not differences.
    let unreadInodes: UnreadInodeRanges
    /// Some file's mapping blocks could not be read: blocks it maps were not found.
    let mappingBlocksUnread: Bool
    /// The inodes the scan covers.
    let inodesCount: UInt32
    /// What the pass found.
    var findings: [Finding] = []

    private var filesystem: Filesystem { words.filesystem }

    /// Compares, group by group (`shouldStop(groupsDone)` is asked after each), and returns the groups done.
    mutating func run(shouldStop: (UInt64) -> Bool) -> UInt64 {
        let groupCount = filesystem.groupCount, blocksCount = filesystem.blocksCount
        let clusterBits = words.clusterBits, inodesPerGroup = filesystem.superblock.inodesPerGroup
        var usedButFree = BitmapDifferences(), freeButUsed = BitmapDifferences()
        var inodeUsedButFree = BitmapDifferences(), inodeFreeButUsed = BitmapDifferences()
        var totalFreeBlocks: UInt64 = 0, totalFreeInodes: UInt64 = 0
        var countFindings = 0
        let ratio = UInt64(1) << clusterBits
        var bitmapBuffer: [UInt8] = []
        var nextDirectory = 0
        var done: UInt64 = 0
        for g in 0..<groupCount {
            done += 1
            // A group is a unit of tens of thousands of bits: check for cancellation at every one.
            if shouldStop(done) { return done }
            // Blocks (clusters under bigalloc).
            let descriptor = filesystem.group(g)
            let first = descriptor.firstBlock, last = min(descriptor.lastBlock, blocksCount - 1)
            var freeClusters: UInt64 = 0
            if first <= last {
                words.forEachBlockWord(first: first, last: last, buffer: &bitmapBuffer) { offset, used, onDisk, valid in
                    freeClusters += UInt64((~used & valid).nonzeroBitCount)
                    var usedFree = used & ~onDisk, freeUsed = ~used & onDisk & valid
                    while usedFree != 0 {
                        usedButFree.add(first + (offset + UInt64(usedFree.trailingZeroBitCount)) * ratio, group: g)
                        usedFree &= usedFree - 1
                    }
                    while freeUsed != 0 {
                        freeButUsed.add(first + (offset + UInt64(freeUsed.trailingZeroBitCount)) * ratio, group: g)
                        freeUsed &= freeUsed - 1
                    }
                }
            }
            totalFreeBlocks += freeClusters
            // Inodes, 64 at a time; the group's directories from the directory list, which is in inode order.
            // In 64 bits: a tolerant open accepts more groups × inodes per group than 32 bits hold.
            let firstWide = UInt64(g) * UInt64(inodesPerGroup) + 1
            let lastWide = min(firstWide + UInt64(inodesPerGroup) - 1, UInt64(inodesCount))
            var freeInodes: UInt64 = 0, dirs: UInt64 = 0
            if firstWide <= lastWide {
                let firstIno = UInt32(firstWide), lastIno = UInt32(lastWide)
                words.forEachInodeWord(first: firstIno, last: lastIno, buffer: &bitmapBuffer) { offset, scanned, onDisk, valid in
                    // An inode whose table block was never read is whatever the bitmap says: unknown, not a difference.
                    let unknown = unreadInodes.mask(from: UInt64(firstIno) + offset)
                    let used = (scanned & ~unknown) | (onDisk & unknown)
                    freeInodes += UInt64((~used & valid).nonzeroBitCount)
                    var usedFree = used & ~onDisk, freeUsed = ~used & onDisk & valid
                    while usedFree != 0 {
                        inodeUsedButFree.add(UInt64(firstIno) + offset + UInt64(usedFree.trailingZeroBitCount), group: g)
                        usedFree &= usedFree - 1
                    }
                    while freeUsed != 0 {
                        inodeFreeButUsed.add(UInt64(firstIno) + offset + UInt64(freeUsed.trailingZeroBitCount), group: g)
                        freeUsed &= freeUsed - 1
                    }
                }
                while nextDirectory < table.directoryCount, table.number(at: Int(table.directoryIndices[nextDirectory])) <= lastIno {
                    dirs += 1
                    nextDirectory += 1
                }
            }
            totalFreeInodes += freeInodes
            let unreadHere = !unreadInodes.isEmpty && firstWide <= lastWide && unreadInodes.overlaps(firstWide, lastWide)
            for (what, recorded, counted) in [("free blocks", UInt64(descriptor.freeBlocks), freeClusters),
                                              ("free inodes", UInt64(descriptor.freeInodes), freeInodes),
                                              ("directories", UInt64(descriptor.usedDirectories), dirs)]
            where recorded != counted && !(unreadHere && what != "free inodes") {
                countFindings += 1
                if countFindings <= Self.countFindingLimit {
                    let finding = Finding(.groupCountsWrong, "Group \(g) records \(recorded) \(what); \(counted) counted.", group: g)
                    // More free blocks counted than recorded, when some file's mapping blocks were never
                    // read: the blocks they map were not found, not freed.
                    addSummary(mappingBlocksUnread && what == "free blocks" && counted > recorded
                               ? finding.downgraded(Self.unreadMappingsNote) : finding)
                }
            }
        }
        if countFindings > Self.countFindingLimit {
            addSummary(Finding(.groupCountsWrong, "\(countFindings - Self.countFindingLimit) more group counts are wrong (not listed)."))
        }
        reportDifferences(usedButFree, freeButUsed, inodeUsedButFree, inodeFreeButUsed)
        let sb = filesystem.superblock
        let sbFreeBlocks = sb.freeBlocks >> clusterBits
        if sbFreeBlocks != totalFreeBlocks {
            addSummary(Finding(.totalCountsWrong, "The superblock records \(sbFreeBlocks) free \(clusterBits > 0 ? "clusters" : "blocks"); \(totalFreeBlocks) counted."))
        }
        let sbFreeInodes = UInt64(sb.freeInodes)
        if sbFreeInodes != totalFreeInodes {
            addSummary(Finding(.totalCountsWrong, "The superblock records \(sbFreeInodes) free inodes; \(totalFreeInodes) counted."))
        }
        return done
    }

    /// Adds a bitmap or count difference (``summaryFinding(_:filesystem:)``).
    private mutating func addSummary(_ finding: Finding) {
        findings.append(Self.summaryFinding(finding, filesystem: filesystem))
    }

    /// A bitmap or count difference as reported. After opening from a backup superblock, libext2fs
    /// treats every group as initialized (the backup's descriptors are stale by design), so such
    /// differences are expected there and reported as `info`, not as damage.
    static func summaryFinding(_ finding: Finding, filesystem: Filesystem) -> Finding {
        guard filesystem.superblockUsed.isBackup else { return finding }
        return finding.downgraded("(Expected after opening from a backup superblock: its group descriptors are stale, so uninitialized groups are read as initialized.)")
    }

    /// One finding per kind of bitmap whose checksum fails in some initialized group (as e2fsck's pass 5 checks them).
    static func bitmapChecksumFindings(_ filesystem: Filesystem) -> [Finding] {
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: filesystem.groupBitmapBytes, alignment: 8)
        defer { buffer.deallocate() }
        var blockGroups: [UInt32] = [], inodeGroups: [UInt32] = []
        var findings: [Finding] = []
        for g in 0..<filesystem.groupCount {
            let descriptor = filesystem.group(g)
            if !descriptor.blocksUninitialized, filesystem.blockBitmapChecksumMatches(group: g, buffer: buffer) == false {
                blockGroups.append(g)
            }
            if !descriptor.inodesUninitialized, filesystem.inodeBitmapChecksumMatches(group: g, buffer: buffer) == false {
                inodeGroups.append(g)
            }
        }
        for (what, groups) in [("block", blockGroups), ("inode", inodeGroups)] where !groups.isEmpty {
            let listed = groups.prefix(12).map(String.init).joined(separator: ", ") + (groups.count > 12 ? ", …" : "")
            findings.append(summaryFinding(Finding(.bitmapChecksum, "The \(what) bitmap of \(groups.count) group\(groups.count == 1 ? "" : "s") does not match its checksum (groups \(listed)); it was read anyway.",
                        group: groups[0]), filesystem: filesystem))
        }
        return findings
    }

    private mutating func reportDifferences(_ usedButFree: BitmapDifferences, _ freeButUsed: BitmapDifferences,
                                   _ inodeUsedButFree: BitmapDifferences, _ inodeFreeButUsed: BitmapDifferences) {
        if usedButFree.count > 0 {
            addSummary(Finding(.blockBitmapDifferences, "\(usedButFree.count) blocks in use are marked free in the block bitmap (a writer could overwrite them): \(usedButFree.text).",
                        block: usedButFree.ranges.first?.0, group: usedButFree.firstGroup))
        }
        if freeButUsed.count > 0 {
            let finding = Finding(.blockBitmapDifferences, "\(freeButUsed.count) blocks marked in use in the block bitmap belong to nothing found: \(freeButUsed.text).",
                                  severity: .warning, block: freeButUsed.ranges.first?.0, group: freeButUsed.firstGroup)
            // Files whose inodes were never read own blocks no scanned inode claims: expected, not damage.
            addSummary(!unreadInodes.isEmpty ? finding.downgraded("(Inode-table blocks were never read from the disk: the files they hold own blocks no scanned inode claims.)")
                       : mappingBlocksUnread ? finding.downgraded(Self.unreadMappingsNote) : finding)
        }
        if inodeUsedButFree.count > 0 {
            addSummary(Finding(.inodeBitmapDifferences, "\(inodeUsedButFree.count) inodes in use are marked free in the inode bitmap: \(inodeUsedButFree.text).",
                        inode: inodeUsedButFree.ranges.first.map { UInt32($0.0) }, group: inodeUsedButFree.firstGroup))
        }
        if inodeFreeButUsed.count > 0 {
            addSummary(Finding(.inodeBitmapDifferences, "\(inodeFreeButUsed.count) inodes marked in use in the inode bitmap are not in use: \(inodeFreeButUsed.text).",
                        severity: .warning, inode: inodeFreeButUsed.ranges.first.map { UInt32($0.0) }, group: inodeFreeButUsed.firstGroup))
        }
    }
}

extension ScanRun {
    /// Pass 5 (``SummaryPass``) over the on-disk bitmaps, loaded once (``loadBitmaps()``).
    func passSummary() -> UInt64 {
        if let error = loadBitmaps() {
            add(Finding(.bitmapUnreadable, "The on-disk bitmaps cannot be read (\(error.message)); free space was not checked."))
            return 0
        }
        var pass = SummaryPass(words: bitmapComparison, table: table, unreadInodes: unreadInodes,
                               mappingBlocksUnread: mappingBlocksUnread, inodesCount: inodesCount)
        let done = pass.run { shouldStop($0, every: 1) }
        findings += pass.findings
        return done
    }
}
