// Pass 1B: which inodes share each multiply-claimed block (only when pass 1 found any).

/// Pass 1B as a value: which inodes share each cluster pass 1 saw claimed twice. Its inputs are
/// explicit; it holds the inode table for its run, marking the inodes that share blocks, and its
/// outputs are ``sharedBlocks`` and ``findings``.
struct SharedBlocksPass: ScanParticipant {
    /// Sharers named per inode at most (in its finding and in ``SharedBlocks/sharedWith``).
    static let sharedWithLimit = 32

    let filesystem: Filesystem
    let settings: ScanSettings
    /// The inodes pass 1 found in use; those sharing blocks are marked.
    var table: InodeTable
    /// Clusters claimed twice (by two inodes, or by an inode and metadata).
    let multiplyClaimed: BitSet
    /// Clusters holding filesystem metadata.
    let metadata: BitSet

    var sharedBlocks: [SharedBlocks] = []
    var findings: [Finding] = []

    /// Re-walks the block maps of live inodes (``Filesystem/readInode(_:into:)``, then the same walker as pass 1)
    /// and records, for every multiply-claimed cluster, the inodes claiming it; then one
    /// `block.multiply-claimed` finding per inode, naming the others (0 for filesystem metadata).
    /// `shouldStop(inodesDone)` is asked after each inode; returns the inodes done.
    mutating func run(shouldStop: (UInt64) -> Bool) -> UInt64 {
        var owners: [UInt64: [UInt32]] = [:]
        let buffer = InodeBuffer(filesystem)
        let walker = BlockWalker(filesystem)
        var done: UInt64 = 0
        for (index, ino) in table.numbered {
            done += 1
            if shouldStop(done) { return done }
            guard ino != ScanRun.resizeInode, table.flags[index] & InodeTable.Flag.inline == 0 else { continue }
            guard filesystem.readInode(InodeNumber(ino), into: buffer) == nil,
                  ino == ScanRun.badBlocksInode || buffer.view.hasValidBlocks else { continue }
            walker.walk(ino, buffer)
            var seen = Set<UInt64>()
            func note(_ start: UInt64, _ length: UInt64) {
                let c0 = cluster(start), c1 = cluster(start + length - 1)
                guard multiplyClaimed.population(c0, c1 - c0 + 1) > 0 else { return }
                for c in c0...c1 where multiplyClaimed.contains(c) && seen.insert(c).inserted {
                    owners[c, default: []].append(ino)
                }
            }
            for run in walker.runs { note(run.physical, UInt64(run.length)) }
            for block in walker.mappingBlocks { note(block, 1) }
            let xattr = buffer.view.xattrBlock
            if xattr != 0 && walker.inRange(xattr) { note(xattr, 1) }
        }
        // Each inode's sharers, at most sharedWithLimit of them: a crafted image whose thousands of
        // inodes all claim the same blocks would otherwise cost their count squared (a fuzzed image
        // took 13 s under the sanitizers), and a message no one can read.
        var perInode: [UInt32: (blocks: UInt64, others: Set<UInt32>, more: Bool)] = [:]
        for (c, inodes) in owners {
            let withMetadata = metadata.contains(c)
            guard inodes.count > 1 || withMetadata else { continue }
            for ino in inodes {
                var entry = perInode[ino] ?? (0, [], false)
                entry.blocks += 1
                if !entry.more {
                    for other in inodes where other != ino && !entry.others.contains(other) {
                        guard entry.others.count < Self.sharedWithLimit else { entry.more = true; break }
                        entry.others.insert(other)
                    }
                    if withMetadata && !entry.others.contains(0) {
                        if entry.others.count < Self.sharedWithLimit { entry.others.insert(0) } else { entry.more = true }
                    }
                }
                perInode[ino] = entry
            }
        }
        for (ino, entry) in perInode.sorted(by: { $0.key < $1.key }) {
            let others = entry.others.sorted()
            sharedBlocks.append(SharedBlocks(inode: ino, blockCount: entry.blocks, sharedWith: others))
            let names = others.map { $0 == 0 ? "filesystem metadata" : "inode \($0)" }.joined(separator: ", ")
                + (entry.more ? " and more inodes (the first \(Self.sharedWithLimit) are listed)" : "")
            findings.append(Finding(.blockMultiplyClaimed, "Inode \(ino) shares \(entry.blocks) block\(entry.blocks == 1 ? "" : "s") with \(names).", inode: ino))
            if let i = table.index(of: ino) { table.addDamage(.sharedBlocks, at: i) }
        }
        return done
    }
}

extension ScanRun {
    /// Pass 1B (``SharedBlocksPass``), when pass 1 saw a cluster claimed twice.
    func passSharedBlocks() -> UInt64 {
        guard hasMultiplyClaimed else { return 0 }
        var pass = SharedBlocksPass(filesystem: filesystem, settings: settings, table: takeTable(), multiplyClaimed: multiplyClaimed,
                                    metadata: metadata)
        let done = pass.run { shouldStop($0) }
        table = pass.table
        sharedBlocks += pass.sharedBlocks
        findings += pass.findings
        return done
    }
}
