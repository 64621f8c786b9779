// Where an older state of a file kept its data, and which of those blocks still hold it today.

extension HistoryRecovery {
    /// Tree levels followed at most (the kernel's extent trees are at most 5 deep).
    static let maxDepth = 5

    /// Maps `file`'s data as its journal copy describes it: the extent tree (tree blocks from the
    /// journal copy of that time, else from the disk when free today and proven by their checksum)
    /// or the block map (indirect blocks likewise, unproven when read from the disk). Then every data
    /// block in use today is lost ("reused since"): a block a live file owns is never read as old data.
    func mapData(of file: inout HistoricalFile) {
        mapBlocks(of: &file)
        let bs = UInt64(facts.blockSize), size = fs.contentSize(of: file.inode)
        if file.map.inline == nil { file.map = keepingFreeBlocks(file.map, fileBlocks: size / bs + (size % bs == 0 ? 0 : 1)) }
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
            // A tree block indexes at least ~340 extents of 4 KiB blocks: a legitimate tree of N blocks
            // has at most N/300 + a few tree blocks; a crafted one must not be read for ever.
            var budget = min(fileBlocks / 300 + 16, facts.blocksCount)
            var visited: Set<UInt64> = []
            inode.blockArea.withUnsafeBytes { root in
                walk(root, depth: nil, inode: inode, fileBlocks: fileBlocks, sequence: file.sequence, proven: true,
                     budget: &budget, visited: &visited, into: &map, unproven: &unprovenBlocks)
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

    /// Walks one extent node and those below it, appending leaves to `map`.
    private func walk(_ bytes: UnsafeRawBufferPointer, depth expected: Int?, inode: InodeRecord, fileBlocks: UInt64,
                      sequence: UInt32, proven: Bool, budget: inout UInt64, visited: inout Set<UInt64>, into map: inout DataMap,
                      unproven: inout [(logical: UInt64, length: UInt64)]) {
        guard let node = ExtentNode(bytes), expected == nil || node.depth == expected, node.depth <= Self.maxDepth else {
            if expected == nil { map.lose(logical: 0, length: fileBlocks, "the inode holds no extent tree root") }
            return
        }
        for leaf in node.leaves where !map.isFull {
            guard leaf.logical < fileBlocks else { break }
            let length = min(leaf.length, fileBlocks - leaf.logical)
            guard length > 0 else { continue }
            if !fs.blocksInRange(leaf.physical, count: length) {
                map.lose(logical: leaf.logical, length: length, "extent points outside the filesystem (block \(leaf.physical))")
                continue
            }
            map.append(logical: leaf.logical, physical: leaf.physical, length: length, unwritten: leaf.unwritten, fileBlocks: fileBlocks)
            if !proven { unproven.append((leaf.logical, length)) }
        }
        for (i, index) in node.indexes.enumerated() where !map.isFull {
            guard index.logical < fileBlocks else { break }
            let end = i + 1 < node.indexes.count ? min(node.indexes[i + 1].logical, fileBlocks) : fileBlocks
            let covered = end > index.logical ? end - index.logical : 0
            // A tree block named twice (a crafted tree sharing one child everywhere) is read once.
            guard budget > 0, visited.insert(index.child).inserted else {
                map.lose(logical: index.logical, length: covered, "the extent tree has more blocks than its file could need, or names one twice")
                continue
            }
            budget -= 1
            guard fs.blocksInRange(index.child, count: 1), let child = block(index.child, asOf: sequence) else {
                map.lose(logical: index.logical, length: covered, "extent tree block \(index.child) is neither in the journal nor free on disk")
                continue
            }
            // A tree block from the disk is the file's only if its checksum (metadata_csum) says so.
            let checked = child.bytes.withUnsafeBytes {
                ExtentNode.tailMatches($0, inode: inode.number, generation: inode.generation, seed: facts.checksumSeed)
            }
            if !child.fromJournal && facts.metadataCsum && !checked {
                map.lose(logical: index.logical, length: covered, "extent tree block \(index.child) on disk belongs to something else now")
                continue
            }
            let childProven = proven && (child.fromJournal || checked)
            child.bytes.withUnsafeBytes {
                walk($0, depth: node.depth - 1, inode: inode, fileBlocks: fileBlocks, sequence: sequence, proven: childProven,
                     budget: &budget, visited: &visited, into: &map, unproven: &unproven)
            }
        }
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

    /// `map` with every written block that today's bitmap marks in use moved to the lost ranges.
    private func keepingFreeBlocks(_ map: DataMap, fileBlocks: UInt64) -> DataMap {
        fs.keepingFreeBlocks(map, fileBlocks: fileBlocks)
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
