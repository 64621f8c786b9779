// Where an older state of a file kept its data, and which of those blocks still hold it today.

extension HistoryRecovery {
    /// Maps `file`'s data as its journal copy describes it: the extent tree (tree blocks from the
    /// journal copy of that time, else from the disk when free today and proven by their checksum)
    /// or the block map (indirect blocks likewise, unproven when read from the disk). Then every data
    /// block in use today is lost ("reused since"): a block a live file owns is never read as old data.
    func mapData(of file: inout HistoricalFile) {
        mapBlocks(of: &file)
        let bs = UInt64(facts.blockSize), size = fs.contentSize(of: file.inode)
        if file.map.inline == nil { file.map = fs.keepingFreeBlocks(file.map, fileBlocks: size / bs + (size % bs == 0 ? 0 : 1)) }
    }

    /// Maps `file`'s blocks as its journal copy describes them, in use today or not.
    func mapBlocks(of file: inout HistoricalFile) {
        let inode = file.inode
        let bs = UInt64(facts.blockSize)
        let size = fs.contentSize(of: inode)
        let fileBlocks = size / bs + (size % bs == 0 ? 0 : 1)
        var map = DataMap()
        map.blockLimit = max(1, min(facts.blocksCount, fs.imageBlocks))
        var unprovenBlocks: [(logical: UInt64, length: UInt64)] = []
        if inode.hasInlineData || (inode.type == .symlink && fs.isFastSymlink(inode)) {
            map.inline = Array(inode.blockArea.prefix(Int(min(inode.size, 60))))
            // Inline data past i_block's 60 bytes lives in the system.data attribute, not read here.
            if inode.hasInlineData && inode.size > 60 { map.lose(logical: 0, length: fileBlocks, "inline data past 60 bytes (system.data) is not read from the journal copy") }
            file.map = map
            return
        }
        if inode.usesExtents {
            var tree = ExtentTreeWalk(fileBlocks: fileBlocks, limit: facts.blocksCount)
            inode.blockArea.withUnsafeBytes { root in
                tree.walk(root: root, child: { block, _ in
                    guard fs.blocksInRange(block, count: 1), let found = self.block(block, asOf: file.sequence) else {
                        return .lost("extent tree block \(block) is neither in the journal nor free on disk")
                    }
                    // A tree block from the disk is the file's only if its checksum (metadata_csum) says so.
                    let checked = found.bytes.withUnsafeBytes {
                        ExtentNode.tailMatches($0, inode: inode.number, generation: inode.generation, seed: facts.checksumSeed)
                    }
                    if !found.fromJournal && facts.metadataCsum && !checked {
                        return .lost("extent tree block \(block) on disk belongs to something else now")
                    }
                    return .read(found.bytes, proven: found.fromJournal || checked)
                }, leaf: { extent, proven in
                    if !fs.blocksInRange(extent.physical, count: extent.length) {
                        map.lose(logical: extent.logical, length: extent.length, "extent points outside the filesystem (block \(extent.physical))")
                    } else {
                        map.append(logical: extent.logical, physical: extent.physical, length: extent.length, unwritten: extent.unwritten, fileBlocks: fileBlocks)
                        if !proven { unprovenBlocks.append((extent.logical, extent.length)) }
                    }
                    return !map.isFull
                }, lose: { logical, length, reason in map.lose(logical: logical, length: length, reason) })
            }
        } else {
            final class Tally { var fromDisk = 0 }
            let tally = Tally(), sequence = file.sequence
            let walker = BlockMapWalker(fs: fs, fileBlocks: fileBlocks) { [self] block in
                guard let found = self.block(block, asOf: sequence) else { return nil }
                if !found.fromJournal { tally.fromDisk += 1 }
                return found.bytes
            }
            walker.walk(inode.blockArea, into: &map)
            // Without a checksum, an indirect block read from the disk is only plausible: the whole map is unproven.
            if tally.fromDisk > 0 { unprovenBlocks = map.runs.map { ($0.logical, $0.length) } }
        }
        file.map = map
        file.unverified = ContentCopier.merged(unprovenBlocks.compactMap { run in
            let start = run.logical * bs
            return start < size ? ByteRange(start: start, end: min(size, (run.logical + run.length) * bs)) : nil
        })
    }

    /// Moves to the lost ranges every block of `file` that a newer remembered file (``claimed``: the
    /// blocks of every file newer than it, deleted or previous version) also mapped: it was reused
    /// after `file`'s time, even if it is free again today. Then claims `file`'s own blocks.
    func dropReused(_ file: inout HistoricalFile, claimed: inout BitSet) {
        guard file.map.inline == nil, !file.map.runs.isEmpty else { return }
        let size = fs.contentSize(of: file.inode), bs = UInt64(facts.blockSize)
        let seen = claimed
        let kept = Self.losing(file.map, fileBlocks: size / bs + (size % bs == 0 ? 0 : 1),
                               "reused since by a newer file the journal remembers") { seen.contains($0) }
        for run in file.map.runs where !run.unwritten { _ = claimed.claim(run.physical, run.length) }
        file.map = kept
    }

    /// `map` with every written block for which `taken` holds moved to the lost ranges (for `reason`),
    /// in runs; unwritten runs (zeros whoever holds the blocks now) and inline data stay.
    static func losing(_ map: DataMap, fileBlocks: UInt64, _ reason: String, taken: (UInt64) -> Bool) -> DataMap {
        var kept = DataMap()
        kept.blockLimit = map.blockLimit
        kept.inline = map.inline
        for lost in map.lost where lost.length > 0 { kept.lose(logical: lost.logical, length: lost.length, lost.reason) }
        for run in map.runs {
            if run.unwritten {
                kept.append(logical: run.logical, physical: run.physical, length: run.length, unwritten: true, fileBlocks: fileBlocks)
                continue
            }
            var i: UInt64 = 0
            while i < run.length {
                let isTaken = taken(run.physical + i)
                var j = i + 1
                while j < run.length && taken(run.physical + j) == isTaken { j += 1 }
                if isTaken {
                    kept.lose(logical: run.logical + i, length: j - i, reason)
                } else {
                    kept.append(logical: run.logical + i, physical: run.physical + i, length: j - i, fileBlocks: fileBlocks)
                }
                i = j
            }
        }
        kept.lost.sort { $0.logical < $1.logical }
        return kept
    }
}
