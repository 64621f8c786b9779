// `Filesystem.scan`: the plan of passes, and running them in order into a report.

extension Filesystem {
    /// Whether the inode scan skips what the group descriptors call unused (`EXT2_SF_DO_LAZY`: the
    /// tail past `bg_itable_unused`, `INODE_UNINIT` groups), as e2fsck does. Not when the journal needs
    /// recovery and was not replayed: the descriptors on disk then predate the last transactions, and
    /// inodes created since lie in what they still call unused.
    var scansInodesLazily: Bool {
        hasGroupDescriptorChecksums && !(needsRecovery && journalReplay == nil)
    }

    /// The first inode group `g`'s descriptor calls never used (past `bg_itable_unused`, or the
    /// group's first with `INODE_UNINIT`); nil without group descriptor checksums.
    func firstUnusedInode(ofGroup g: UInt32) -> UInt64? {
        guard hasGroupDescriptorChecksums else { return nil }
        let ipg = UInt64(superblock.inodesPerGroup)
        let descriptor = group(g)
        let used = descriptor.inodesUninitialized ? 0 : ipg - min(ipg, UInt64(descriptor.unusedInodes))
        return UInt64(g) * ipg + used + 1
    }

    /// The passes of a scan, in order, as declared to ``ProgressReporting/start(plan:)``.
    /// Units are estimated from the group descriptors (unused inodes, directories, free inodes);
    /// passes refine them when they begin.
    public var scanPlan: [PassPlan] {
        let csum = scansInodesLazily
        let sb = superblock
        let ipg = UInt64(sb.inodesPerGroup)
        var inodes: UInt64 = 0, used: UInt64 = 0, dirs: UInt64 = 0
        for g in 0..<groupCount {
            let descriptor = group(g)
            let free = UInt64(descriptor.freeInodes)
            if csum {
                if !descriptor.inodesUninitialized {
                    inodes += ipg - min(ipg, UInt64(descriptor.unusedInodes))
                }
            } else {
                inodes += ipg
            }
            used += ipg - min(ipg, free)
            dirs += UInt64(descriptor.usedDirectories)
        }
        let bs = Double(blockSize), isz = Double(sb.inodeSize)
        // Priors measured on 1M files, cold (bench/eta-bench.sh). Pass 1: inode tables are read
        // sequentially, ahead of the scan (InodeTableReadahead), a byte of them costing a quarter of a
        // byte of pass 2's scattered blocks. Pass 2: units are directory blocks, inline directories and
        // slow symlinks' target blocks (read in pass 2, sorted); every in-use inode is named at least
        // once and every directory has `.` and `..`: the entries pass 2 parses, spread over one block a
        // directory until pass 1 counts the blocks (a fixed bs/32 a block priced a 5M-file scan's pass 2
        // at 16 s where it took 4). Passes 2B, 4 and 5: most 2B candidates fail a header check cheaply
        // (6.7 µs each, not a 4 KiB read), pass 4 is an array walk (18 ns an inode), pass 5 compares
        // bitmaps a 64-bit word at a time; counted as one entry per inode or bit, these three were
        // predicted at 5 s where they took 0.5 s, and the 1M-file scan's ETA was 2.5x.
        return ScanPass.allCases.map { pass in
            switch pass {
            case .inodes: pass.plan(units: inodes, bytesPerUnit: isz / 4, entriesPerUnit: 1)
            case .sharedBlocks: pass.plan(units: 0, bytesPerUnit: isz + bs, entriesPerUnit: 1)
            case .directories: pass.plan(units: dirs, bytesPerUnit: bs, entriesPerUnit: dirs > 0 ? Double(used + 2 * dirs) / Double(dirs) : bs / 32)
            case .ownerlessBlocks: pass.plan(units: plannedOwnerlessUnits, bytesPerUnit: bs / 4, entriesPerUnit: 1)
            case .connectivity: pass.plan(units: dirs, bytesPerUnit: 0, entriesPerUnit: 2)
            case .references: pass.plan(units: used, bytesPerUnit: 0, entriesPerUnit: 1.0 / 32)
            case .summary: pass.plan(units: UInt64(groupCount), bytesPerUnit: 2 * bs, entriesPerUnit: Double(sb.blocksPerGroup) / 64)
            }
        }
    }

    /// The chunks of the scan's live-inode set (``LiveInodes``) that the groups whose descriptors
    /// count used inodes (free inodes below the group's inodes) fall in: room to
    /// reserve, only a hint on a damaged filesystem.
    var liveChunksEstimate: Int {
        let ipg = UInt64(superblock.inodesPerGroup), shift = UInt64(LiveInodes.chunkBitsShift)
        var chunks = 0, next = 0
        for g in 0..<groupCount where UInt64(group(g).freeInodes) < ipg {
            let first = Int(UInt64(g) * ipg >> shift), last = Int((UInt64(g + 1) * ipg - 1) >> shift)
            chunks += max(0, last + 1 - max(first, next))
            next = max(next, last + 1)
        }
        return chunks
    }

    /// Checks the whole filesystem, read-only: inodes, block maps and extent trees, multiply-claimed
    /// blocks (pass 1), directories (2), directory blocks no inode owns (2B, for name recovery),
    /// connectivity (3), link counts and orphans (4), bitmaps and counts (5). Built on ``InodeScan``,
    /// ``BlockWalker`` (extent trees and indirect block maps), ``readBlocks(_:count:into:)`` and ``loadBitmaps()``.
    ///
    /// Reports work through `progress` and stops early, with a partial report (`completed == false`),
    /// when `progress.cancellationRequested` becomes true. Never writes to the image.
    public func scan(progress: any ProgressReporting = NoProgress()) -> ScanReport {
        let plan = scanPlan
        progress.start(plan: plan)
        var run = ScanRun(filesystem: self, progress: progress)
        run.table.reserve(Int(min(plan[ScanPass.references].units + 64, UInt64(inodesCount))), chunks: liveChunksEstimate)
        runInodeAndDirectoryPasses(run, inodeUnits: plan[ScanPass.inodes].units)
        let unreadableTables = run.inodeTableReadFailed && !source.readErrors.all.isEmpty
        if (run.namesSkippedInodes || unreadableTables) && !run.cancelled {
            // An entry names an inode past its group's unused mark, which pass 1 trusted and never read:
            // the descriptors are stale. As e2fsck restarts, start again reading every inode table
            // (progress shows pass 1 beginning again: that work is really done twice). After a read
            // error in an inode table, the failing blocks are known by now: the second run skips
            // exactly them and reads the rest of each table.
            run = ScanRun(filesystem: self, progress: progress, readingEveryInodeTable: run.namesSkippedInodes)
            run.table.reserve(Int(min(plan[ScanPass.references].units + 64, UInt64(inodesCount))), chunks: liveChunksEstimate)
            runInodeAndDirectoryPasses(run, inodeUnits: UInt64(readableInodesCount))
        }
        let candidates = run.cancelled ? nil : OwnerlessCandidates(run, includeFree: run.nameEvidenceWanted)
        run.pass(.ownerlessBlocks, units: candidates?.total ?? 0) {
            (candidates.map(run.passOwnerlessBlocks) ?? 0) + (run.cancelled ? 0 : run.collectSourcedEvidence())
        }
        run.directoryBlocks = []  // nothing after pass 2B reads them
        run.pass(.connectivity, units: run.counts.directories) { run.passConnectivity() }
        run.pass(.references, units: UInt64(run.table.count)) { run.passReferences() }
        run.pass(.summary, units: UInt64(groupCount)) {
            let groups = run.passSummary()
            if !run.cancelled { run.checkQuotas() }
            return groups
        }
        for range in source.readErrors.all.prefix(ScanRun.readErrorFindingLimit) {
            run.add(Finding(.sourceReadError, "Bytes \(range.lowerBound)–\(range.upperBound - 1) of \(source.path) could not be read (input/output error, retried once): what lies there was not checked; --mapfile-out FILE writes the unreadable areas for ddrescue."))
        }
        progress.finish(completed: !run.cancelled)
        return run.report(info: info)
    }

    /// Passes 1, 1B and 2 of `run`: the orphan chains, every inode, multiply-claimed blocks, directories.
    private func runInodeAndDirectoryPasses(_ run: ScanRun, inodeUnits: UInt64) {
        let progress = run.progress
        run.readOrphanChains()
        run.readEveryTableIfOrphansLieSkipped()
        run.pass(.inodes, units: run.scansLazily ? inodeUnits : UInt64(readableInodesCount)) { run.passInodes() }
        run.directoryBlocks = run.directoryBlocks.compacted()
        run.table.finishAppending()
        if !run.cancelled {
            let blocks = run.pass2Units
            // Each in-use inode but the root (named by its own `.`) is named once or more; each directory has
            // `.` and `..`; each slow symlink's target is one more block of one entry.
            let table = run.table
            let named = table.indices.reduce(0) { $0 + (table.isSystem(at: $1) ? 0 : 1) } - 1
            let entries = Double(max(0, named)) + 2 * Double(run.counts.directories) + Double(run.slowSymlinks.count)
            progress.revisePass(ScanPass.directories.rawValue, units: blocks, entriesPerUnit: blocks > 0 ? entries / Double(blocks) : nil)
            progress.revisePass(ScanPass.ownerlessBlocks.rawValue, units: run.expectedOwnerlessUnits())
        }
        run.pass(.sharedBlocks, units: run.hasMultiplyClaimed ? UInt64(run.table.count) : 0) { run.passSharedBlocks() }
        run.pass(.directories, units: run.pass2Units) { run.passDirectories() }
    }
}

extension ScanRun {
    func report(info: FilesystemInfo) -> ScanReport {
        table.finishAppending()
        // The kernel's error flag asks for a full check; once the scan has made one, its findings speak instead.
        let opening = info.findings.map { f in
            f.code == .errorFlagSet ? Finding(f.code, f.message + " A full scan was made.", severity: .info, inode: f.inode, block: f.block, group: f.group) : f
        }
        return ScanReport(info: info, completed: !cancelled, findings: opening + findings, orphans: orphans,
                          deletedInodes: deleted, sharedBlocks: sharedBlocks, counts: counts, timings: timings,
                          inodes: table, lostDirectories: lostDirectories, recoveredPaths: recoveredPaths)
    }
}
