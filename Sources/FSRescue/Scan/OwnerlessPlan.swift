// How much pass 2B is expected to read before it runs: its share of the scan's ETA.

extension Filesystem {
    /// The superblock itself says something may be wrong: not cleanly unmounted, the error flag set,
    /// or an orphan list.
    var superblockSuspectsTrouble: Bool {
        let sb = superblock
        return !sb.cleanlyUnmounted || sb.errorFlag || sb.lastOrphan != 0
    }

    /// Blocks of the internal journal pass 2B reads when names are wanted (capped as the pass caps them).
    var journalBlocksToRead: UInt64 {
        let journalInode = superblock.journalInode
        guard features.contains(.hasJournal), journalInode != 0, let journal = try? readInode(journalInode) else { return 0 }
        return min(journal.size / UInt64(blockSize), ScanRun.journalBlockLimit)
    }

    /// Pass 2B's units as planned before pass 1: its free-block budget and the journal when the
    /// superblock suspects trouble, otherwise nothing, since a healthy filesystem needs no names
    /// (the allocated blocks no inode owns are unknown until pass 1 and revised then).
    var plannedOwnerlessUnits: UInt64 {
        superblockSuspectsTrouble ? OwnerlessCandidates.freeEstimate(self) + journalBlocksToRead : 0
    }
}

extension ScanRun {
    /// Blocks the group descriptors count as used that pass 1 saw no inode or metadata claim, group
    /// by group (``GroupDescriptor/freeBlocks``): the allocated blocks pass 2B will read, without
    /// loading the bitmaps while pass 2 still needs its memory (that raised a 1M-file scan's peak by 3 MB).
    private func allocatedUnownedEstimate() -> UInt64 {
        guard clusterBits == 0 else { return 0 }
        var total: UInt64 = 0
        for g in 0..<groupCount {
            let descriptor = filesystem.group(g)
            let first = descriptor.firstBlock
            let last = min(descriptor.lastBlock, blocksCount - 1)
            guard first <= last else { continue }
            let length = last - first + 1
            let used = length - min(length, UInt64(descriptor.freeBlocks))
            let owned = claimed.population(first, length) + metadata.population(first, length)
            total += used - min(used, owned)
        }
        return min(total, OwnerlessCandidates.allocatedLimit)
    }

    /// Pass 2B's units as pass 1 leaves them, for ``ProgressReporting/revisePass(_:units:)``: the
    /// allocated blocks no inode owns, as the group descriptors count them, plus the free-block budget and the journal when pass 1
    /// or the superblock gives reason to expect inodes without names (damage found, deleted inodes
    /// intact, orphan-list members). Whether names are wanted is only known after pass 2, which then
    /// sets the pass's true total.
    func expectedOwnerlessUnits() -> UInt64 {
        let allocated = allocatedUnownedEstimate()
        let expectNameless = filesystem.superblockSuspectsTrouble || !deleted.isEmpty || !orphanMembers.isEmpty
            || findings.contains { $0.severity >= .warning }
        guard expectNameless else { return allocated }
        return allocated + OwnerlessCandidates.freeEstimate(filesystem) + filesystem.journalBlocksToRead
    }
}
