// Pass 1: every inode of the used part of every group — mode, links, dtime, size, blocks, xattr block.

extension ScanRun {
    static let resizeInode: UInt32 = 7
    static let badBlocksInode: UInt32 = 1
    static let rootInode: UInt32 = 2

    /// Pass 1 (``InodePass``): the table moved into the pass for its run (no copy); what it found kept.
    func passInodes() -> UInt64 {
        var pass = InodePass(self, table: takeTable())
        let done = pass.run { shouldStop($0) }
        findings += pass.findings
        (table, counts, metadata, claimed, multiplyClaimed, hasMultiplyClaimed) =
            (pass.table, pass.counts, pass.metadata, pass.claimed, pass.multiplyClaimed, pass.hasMultiplyClaimed)
        (directoryBlocks, inlineDirectories, deleted, slowSymlinks, eaInodes, encryptedDirectories) =
            (pass.directoryBlocks, pass.inlineDirectories, pass.deleted, pass.slowSymlinks, pass.eaInodes, pass.encryptedDirectories)
        (quota, htree, unreadInodes, mappingBlocksUnread, inodeTableReadFailed) =
            (pass.quota, pass.htree, pass.unreadInodes, pass.mappingBlocksUnread, pass.inodeTableReadFailed)
        return done
    }
}

/// Pass 1 as a value: every inode of the used part of every group. Its inputs are explicit (the
/// filesystem and its settings, the orphan members read before it, the hidden inodes, whether the
/// scan is lazy); it holds the inode table for its run, appending every live inode, and its outputs
/// are the rest of its stored properties: findings, counts, the metadata and claimed clusters, the
/// directory blocks, inline directories and slow symlinks pass 2 reads, the deleted inodes, the EA
/// inodes, encrypted and unchecked hashed directories, the quota tally, and what could not be read.
struct InodePass: ScanParticipant {
    static let resizeInode = ScanRun.resizeInode
    static let badBlocksInode = ScanRun.badBlocksInode
    static let rootInode = ScanRun.rootInode
    /// References from in-inode attributes to EA inodes that pass 1 records at most.
    static let eaValueReferenceLimit = 4_000_000

    let filesystem: Filesystem
    let settings: ScanSettings
    /// Inodes on the orphan list or in the orphan file: they have no links for a reason.
    let orphanMembers: [UInt32: OrphanKind]
    /// Journal, quota, orphan-file inodes: live but named by no directory.
    let hiddenInodes: [UInt32]
    /// Whether the inode scan skips what the group descriptors call unused.
    let scansLazily: Bool

    var findings: [Finding] = []
    var table: InodeTable
    var counts = ScanCounts()
    /// Clusters holding filesystem metadata (superblocks, descriptors, bitmaps, inode tables).
    var metadata: BitSet
    /// Clusters claimed by inodes (data, mapping blocks, xattr blocks).
    var claimed: BitSet
    /// Clusters claimed twice (by two inodes, or by an inode and metadata).
    var multiplyClaimed: BitSet
    var hasMultiplyClaimed = false
    /// The last cluster claimed, and by whom (bigalloc: a file's blocks share clusters).
    var lastClaim: (UInt32, UInt64) = (0, 0)
    var directoryBlocks: [DirectoryBlockRef] = []
    var inlineDirectories: [Int32] = []
    var slowSymlinks: [PendingSymlink] = []
    var deleted: [DeletedInode] = []
    /// Extended attribute blocks: inodes using each, and the first of them.
    var xattrBlocks: [UInt64: (users: UInt32, first: UInt32)] = [:]
    /// Inodes found in use with `EXT4_EA_INODE_FL` (attribute values, never files).
    var eaInodes: Set<UInt32> = []
    /// In-inode attribute values stored in an EA inode: which inode holds each, and the value's size.
    var eaValueReferences: [EAValueReference] = []
    /// Usage per quota ID (nil without quotas).
    var quota: QuotaTally?
    /// Directories with `EXT4_ENCRYPT_FL`.
    var encryptedDirectories: Set<Int32> = []
    /// Hashed directories whose names are not hashed from their bytes (``HtreeState/unchecked``).
    var htree = HtreeState()
    /// Each group's first inode its descriptor called never used, kept when a full scan clears the marks.
    var unusedMarks: [UInt64] = []
    /// Inodes whose inode-table block the disk never gave.
    var unreadInodes = UnreadInodeRanges()
    /// Some file's indirect block or extent node could not be read.
    var mappingBlocksUnread = false
    /// Part of an inode table could not be read.
    var inodeTableReadFailed = false

    init(_ run: ScanRun, table: InodeTable) {
        filesystem = run.filesystem
        settings = run.settings
        orphanMembers = run.orphanMembers
        hiddenInodes = run.hiddenInodes
        scansLazily = run.scansLazily
        let clusters = (settings.blocksCount >> settings.clusterBits) + 1
        metadata = BitSet(count: clusters)
        claimed = BitSet(count: clusters)
        multiplyClaimed = BitSet(count: clusters)
        quota = QuotaTally(filesystem.superblock, features: settings.features)
        self.table = table
    }

    mutating func add(_ finding: Finding) { findings.append(finding) }

    /// Scans every inode with `ext2fs_open_inode_scan` / `ext2fs_get_next_inode_full`, walks each live
    /// inode's blocks, claims them in the ownership bitmap, and collects directory blocks for pass 2.
    /// Scan errors (bad blocks in the inode table, unreadable tables) become findings and the scan continues.
    /// `shouldStop(inodesDone)` is asked after each inode; returns the inodes done.
    mutating func run(shouldStop: (UInt64) -> Bool) -> UInt64 {
        markMetadata()
        checkSpecialBlocks()
        clearUnusedMarksForFullScan()
        let unreadTableBlocks = listUnreadInodeTableBlocksAsBad()
        var unreadRun: (first: UInt32, last: UInt32, block: UInt64)?
        func flushUnread() {
            guard let run = unreadRun else { return }
            let which = run.first == run.last ? "Inode \(run.first)" : "Inodes \(run.first)–\(run.last)"
            add(Finding(.inodeUnread, "\(which): their inode-table block (block \(run.block)) could not be read from the disk (a read error, or unread in the ddrescue mapfile); they were not checked, and what they held is unknown.", inode: run.first, block: run.block))
            unreadRun = nil
        }
        defer { flushUnread() }
        let scan: InodeScan
        do {
            scan = try InodeScan(filesystem, lazy: scansLazily)
        } catch {
            add(Finding(.inodeScanError, "The inode tables cannot be scanned (\(error.message)); no inode was checked."))
            return 0
        }

        let buffer = InodeBuffer(filesystem)
        let walker = BlockWalker(filesystem)
        var readahead = InodeTableReadahead(filesystem, lazy: scansLazily)
        readahead.reached(group: 0)
        var scannedGroup: UInt32 = 0
        var done: UInt64 = 0
        var lastInode: UInt32 = 0
        var failures = 0
        while true {
            let (number, status) = scan.next(into: buffer)
            let ino = number.rawValue
            if case .inBadBlock = status {
                if let block = inodeTableBlock(of: ino), unreadTableBlocks.contains(block) {
                    if let run = unreadRun, run.block == block, run.last + 1 == ino {
                        unreadRun = (run.first, ino, block)
                    } else {
                        flushUnread()
                        unreadRun = (ino, ino, block)
                    }
                } else {
                    add(Finding(.inodeScanError, "Inode \(ino) lies in a block listed as bad; it was not checked.", inode: ino))
                }
                continue
            }
            if case .unreadable(let error) = status {
                let group = lastInode / inodesPerGroup + (failures > 0 ? 1 : 0)
                add(Finding(.inodeScanError, "The inode table of group \(group) cannot be read (\(error.message)); its remaining inodes were not checked.", group: group))
                inodeTableReadFailed = true
                failures += 1
                // Skip to the next group; give up if the scan cannot move on.
                let next = lastInode / inodesPerGroup + UInt32(failures)
                if next >= groupCount || !scan.move(toGroup: next) || failures > Int(groupCount) { break }
                continue
            }
            if ino == 0 { break }
            if ino > inodesCount { break }
            failures = 0
            lastInode = ino
            if (ino - 1) / inodesPerGroup != scannedGroup {
                scannedGroup = (ino - 1) / inodesPerGroup
                readahead.reached(group: scannedGroup)
            }
            done += 1
            if shouldStop(done) { break }
            if case .garbage = status {
                add(Finding(.inodeChecksum, "Inode \(ino) lies in an inode table block whose checksums mostly fail: it looks like garbage and was not checked.", inode: ino))
                continue
            }
            inspect(ino, buffer, walker, checksumFailed: { if case .checksumFailed = status { true } else { false } }())
        }
        counts.inodesScanned = done
        reportStaleUnusedMarks()
        checkXattrBlocks()
        checkEAValueReferences()
        return done
    }

    private mutating func inspect(_ ino: UInt32, _ buffer: InodeBuffer, _ walker: BlockWalker, checksumFailed: Bool) {
        let raw = buffer.view
        let mode = raw.mode
        let orphan: OrphanKind? = orphanMembers.isEmpty ? nil : orphanMembers[ino]
        let reserved = ino < firstInode && ino != Self.rootInode

        if reserved {
            guard mode != 0 || raw.anyBlockPointer else { return }
            guard table.append(inode: ino, mode: mode, size: raw.size, links: raw.links, mtime: raw.mtime, flags: InodeTable.Flag.system) else { return }
            if ino == Self.resizeInode {
                let dind = UInt64(raw.block(13))
                if dind != 0 && walker.inRange(dind) { claim(dind, 1, inode: ino, index: table.count - 1) }
            } else if ino == Self.badBlocksInode || raw.hasValidBlocks {
                // The bad-blocks inode (mode 0, so libext2fs calls its map invalid) owns the blocks it
                // lists: claimed like any inode's, out of range or shared with a file as e2fsck reports.
                walkBlocks(ino, buffer, walker, index: table.count - 1, checkSizes: false)
            }
            return
        }

        if raw.links == 0 && orphan == nil {
            guard mode != 0 else { return }
            if checksumFailed {
                add(Finding(.inodeChecksum, "The checksum of unused inode \(ino) does not match its contents.", inode: ino))
            }
            if raw.dtime == 0 {
                add(Finding(.inodeZeroDtime, "Inode \(ino) has no links and no deletion time but a mode (\(String(mode, radix: 8))); it is on no orphan list.", inode: ino))
            } else if isIntactDeleted(raw) {
                deleted.append(DeletedInode(inode: ino, type: raw.type, size: raw.size, dtime: raw.dtime, nameEvidence: []))
                add(Finding(.inodeDeletedIntact, "Deleted inode \(ino) (\(raw.type.rawValue), \(raw.size) bytes) still maps its blocks; its data may be recoverable.", inode: ino))
            }
            return
        }

        let eaFlag = raw.flags.contains(.attributeValue)
        // The flag means an attribute value only with the ea_inode feature, and only on a regular file.
        if eaFlag && hasEAInode && raw.type == .regular { eaInodes.insert(ino) }
        let hidden = hiddenInodes.contains(ino) || eaFlag
        var flags: UInt8 = hidden ? InodeTable.Flag.system : 0
        if raw.flags.contains(.extents) { flags |= InodeTable.Flag.extents }
        if raw.flags.contains(.indexed) {
            flags |= InodeTable.Flag.indexed
            if !raw.flags.isDisjoint(with: [.casefolded, .encrypted]) { htree.unchecked.insert(Int32(table.count)) }
        }
        if raw.type == .directory && settings.features.contains(.encryption) && raw.flags.contains(.encrypted) { encryptedDirectories.insert(Int32(table.count)) }
        let inline = raw.flags.contains(.inlineData)
        if inline { flags |= InodeTable.Flag.inline }
        guard table.append(inode: ino, mode: mode, size: raw.size, links: raw.links, mtime: raw.mtime, flags: flags) else { return }
        let index = table.count - 1
        counts.inodesInUse += 1

        if checksumFailed || (hasMetadataCsum && !settings.verifiesInodeChecksums && !raw.checksumMatches(InodeNumber(ino))) {
            add(Finding(.inodeChecksum, "The checksum of inode \(ino) does not match its contents.", inode: ino))
            table.addDamage(.checksum, at: index)
        }
        if raw.links > 0 && raw.dtime != 0 && orphan == nil {
            add(Finding(.inodeDtimeSet, "Inode \(ino) is in use (\(raw.links) links) but has a deletion time set.", inode: ino))
        }
        let type = raw.type
        switch type {
        case .unknown:
            add(Finding(.inodeBadMode, "Inode \(ino) has mode \(String(mode, radix: 8)), which is no file type.", inode: ino))
            table.addDamage(.badMode, at: index)
            return
        case .directory: counts.directories += 1
        // As e2fsck counts: the special inodes a superblock field names (an orphan file, a journal or
        // quota file past the reserved inodes) are not regular files; EA inodes are.
        case .regular: if !hiddenInodes.contains(ino) { counts.regularFiles += 1 }
        default: break
        }
        if ino == Self.rootInode && type != .directory { return }  // pass 3 reports the missing root

        checkZeroFields(ino, raw, index: index)
        let attributes = checkInInodeAttributes(ino, buffer)
        if eaValueReferences.count < Self.eaValueReferenceLimit {
            for value in attributes.eaValues { eaValueReferences.append(EAValueReference(parent: ino, inode: value.inode, size: value.size)) }
        }
        chargeQuota(ino, buffer, eaValuesInInode: attributes.eaValues.count)
        if !attributes.valid {
            add(Finding(.xattrInInodeBad, "Inode \(ino)'s in-inode extended attributes are corrupt: \(attributes.problem).", inode: ino))
            table.addDamage(.badInlineOrXattr, at: index)
        }
        // EA inodes' blocks count in the parent's i_blocks; without reading them, i_blocks is not checked.
        let eaInodes = attributes.referencesEAInode
            || (hasEAInode && raw.xattrBlock != 0)
        let hasBlocks = raw.hasValidBlocks
        if inline {
            checkInlineData(ino, type: type, index: index)
        } else if hasBlocks {
            walkBlocks(ino, buffer, walker, index: index, checkSizes: !hidden, checkBlockCount: !eaInodes)
        } else if !hidden, !eaInodes, raw.statBlocks != (raw.xattrBlock != 0 ? UInt64(blockSize / 512) : 0), clusterBits == 0,
                  type == .regular || type == .directory || type == .symlink {
            add(Finding(.inodeBadBlockCount, "Inode \(ino) maps no blocks but i_blocks is \(raw.statBlocks).", inode: ino))
            table.addDamage(.badSize, at: index)
        }
        if type == .symlink && !hidden && !inline && !checkSymlink(ino, raw, index: index, fast: !hasBlocks, walker: hasBlocks ? walker : nil) {
            reportBadSymlink(ino, size: raw.size, index: index)
        }
        let xattr = raw.xattrBlock
        if xattr != 0 && !settings.features.contains(.extendedAttributes) {
            // e2fsck's PR_1_FILE_ACL_ZERO: without ext_attr the kernel never reads the block.
            add(Finding(.xattrBadBlock, "Inode \(ino) names extended attribute block \(xattr), but the filesystem lacks the ext_attr feature.", inode: ino, block: xattr))
            table.addDamage(.badInlineOrXattr, at: index)
        }
        if xattr != 0 {
            if walker.inRange(xattr) {
                if let entry = xattrBlocks[xattr] {
                    xattrBlocks[xattr] = (entry.users + 1, entry.first)
                } else {
                    xattrBlocks[xattr] = (1, ino)
                    claim(xattr, 1, inode: ino, index: index)
                }
            } else {
                add(Finding(.xattrBadBlock, "Inode \(ino)'s extended attribute block \(xattr) is outside the filesystem.", inode: ino, block: xattr))
                table.addDamage(.badInlineOrXattr, at: index)
            }
        }
    }

    /// A deleted inode whose mapping survives: extent root with entries, or non-zero block pointers.
    private func isIntactDeleted(_ raw: RawInode) -> Bool {
        guard raw.size > 0, raw.type == .regular || raw.type == .directory,
              !raw.flags.contains(.inlineData) else { return false }
        if raw.flags.contains(.extents) {
            return raw.withBlockBytes { $0.load(as: UInt16.self) == 0xF30A && $0.load(fromByteOffset: 2, as: UInt16.self) > 0 }
        }
        return raw.anyBlockPointer
    }

    private mutating func checkInlineData(_ ino: UInt32, type: FileType, index: Int) {
        guard settings.features.contains(.inlineData) else {
            add(Finding(.inlineDataBad, "Inode \(ino) has the inline-data flag but the filesystem lacks the inline_data feature.", inode: ino))
            table.addDamage(.badInlineOrXattr, at: index)
            return
        }
        do {
            _ = try filesystem.inlineDataSize(of: InodeNumber(ino))
        } catch {
            add(Finding(.inlineDataBad, "Inode \(ino)'s inline data is invalid (\(error.message)).", inode: ino))
            table.addDamage(.badInlineOrXattr, at: index)
            return
        }
        if type == .directory { inlineDirectories.append(Int32(index)) }
    }

    private mutating func walkBlocks(_ ino: UInt32, _ buffer: InodeBuffer, _ walker: BlockWalker, index: Int, checkSizes: Bool,
                            checkBlockCount: Bool = true) {
        walker.walk(ino, buffer)
        var damage: InodeDamage = []
        for p in walker.problems {
            add(Finding(p.code, "Inode \(ino): \(p.message).", inode: ino, block: p.block))
            damage.insert(p.code == .blockOutOfRange ? .blocksOutOfRange : .badBlockMap)
        }
        if walker.unreadMappingBlocks > 0 { mappingBlocksUnread = true }
        for run in walker.runs { claim(run.physical, UInt64(run.length), inode: ino, index: index) }
        for block in walker.mappingBlocks { claim(block, 1, inode: ino, index: index) }
        counts.blocksInUse += walker.totalBlocks

        let raw = buffer.view
        let type = raw.type
        if type == .directory && !table.isSystem(at: index) {
            var uninitialized = false
            var expected: UInt64 = 0
            for run in walker.runs {
                if run.unwritten { uninitialized = true }
                if run.logical != expected && expected != UInt64.max {
                    add(Finding(.dirHole, "Directory inode \(ino) has no block at logical \(expected) (next block is logical \(run.logical)).", inode: ino))
                    damage.insert(.badEntries)
                    expected = UInt64.max
                }
                if expected != UInt64.max { expected = run.logical + UInt64(run.length) }
                for i in 0..<UInt64(run.length) where directoryBlocks.count < Int(blocksCount) {
                    directoryBlocks.append(DirectoryBlockRef(directory: Int32(index), logical: UInt32(truncatingIfNeeded: run.logical + i),
                                                             physical: run.physical + i))
                }
            }
            if uninitialized {
                add(Finding(.dirUninitializedBlock, "Directory inode \(ino) maps blocks through an uninitialized extent; they read as empty.", inode: ino))
                damage.insert(.badEntries)
            }
        }
        if checkSizes { damage.formUnion(checkSize(ino, raw, walker, checkBlockCount: checkBlockCount)) }
        if !damage.isEmpty { table.addDamage(damage, at: index) }
    }

    /// Size against the blocks mapped, as e2fsck checks it, and `i_blocks` against the blocks counted.
    private mutating func checkSize(_ ino: UInt32, _ raw: RawInode, _ walker: BlockWalker, checkBlockCount: Bool) -> InodeDamage {
        var damage: InodeDamage = []
        let bs = UInt64(blockSize)
        let size = raw.size
        switch raw.type {
        case .directory:
            if size % bs != 0 || size / bs != walker.logicalEnd {
                add(Finding(.inodeBadSize, "Directory inode \(ino) has size \(size) but maps \(walker.logicalEnd) blocks of \(bs) bytes.", inode: ino))
                damage.insert(.badSize)
            }
        case .regular:
            // Verity files keep their Merkle tree past EOF.
            if !raw.flags.contains(.verity), walker.initializedEnd > 0 && size < (walker.initializedEnd - 1) * bs {
                add(Finding(.inodeBadSize, "Inode \(ino) has size \(size) but maps data up to logical block \(walker.initializedEnd - 1).", inode: ino))
                damage.insert(.badSize)
            }
        default: break
        }
        if clusterBits == 0 && checkBlockCount {
            let expected = (walker.totalBlocks + (raw.xattrBlock != 0 ? 1 : 0)) * (bs / 512)
            if expected != raw.statBlocks && walker.problems.isEmpty {
                add(Finding(.inodeBadBlockCount, "Inode \(ino) has i_blocks \(raw.statBlocks) but maps \(expected) 512-byte sectors.", inode: ino))
                damage.insert(.badSize)
            }
        }
        return damage
    }

    /// Marks `length` blocks from `start` as claimed by `ino`; blocks already claimed (or metadata)
    /// go into ``multiplyClaimed`` for pass 1B.
    mutating func claim(_ start: UInt64, _ length: UInt64, inode ino: UInt32, index: Int) {
        let c0 = cluster(start), c1 = cluster(start + length - 1)
        let n = c1 - c0 + 1
        if metadata.population(c0, n) > 0 {
            var first: UInt64 = 0
            for c in c0...c1 where metadata.contains(c) {
                if first == 0 { first = c << clusterBits }
                multiplyClaimed.insert(c)
            }
            add(Finding(.blockMetadataOverlap, "Inode \(ino) maps block \(first), which holds filesystem metadata.", inode: ino, block: first))
            table.addDamage(.sharedBlocks, at: index)
            hasMultiplyClaimed = true
        }
        // shared_blocks: files share blocks on purpose (deduplicated read-only images), and e2fsck
        // reports no multiply-claimed blocks between them.
        if claimed.population(c0, n) > 0 && !settings.features.contains(.sharedBlocks) {
            // Under bigalloc, one inode's consecutive blocks share a cluster: that is not a conflict.
            var shared = false
            for c in c0...c1 where claimed.contains(c) {
                if clusterBits > 0 && c == c0 && lastClaim == (ino, c) { continue }
                multiplyClaimed.insert(c)
                shared = true
            }
            if shared { hasMultiplyClaimed = true }
        }
        claimed.claim(c0, n)
        lastClaim = (ino, c1)
    }
}
