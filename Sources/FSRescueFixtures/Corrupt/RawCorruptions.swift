// Corruptions written as raw bytes once libext2fs has closed the copy: noise, zeroed superblock, truncation.
import FSRescue

extension CorruptionContext {
    /// The block holding inode `ino`'s table slot.
    func inodeTableBlock(_ ino: UInt32) -> UInt64 {
        let f = truth.filesystem
        let group = Int((ino - 1) / f.inodesPerGroup)
        let slot = UInt64((ino - 1) % f.inodesPerGroup)
        return f.inodeTables[group] + slot * UInt64(f.inodeSize) / UInt64(f.blockSize)
    }

    private func noise(_ rng: inout SeededRandom, _ count: Int) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        bytes.withUnsafeMutableBytes { rng.fill($0) }
        return bytes
    }

    /// Overwrites directory blocks (not the root's or lost+found's) with noise; the live names they held are lost.
    mutating func dirBlockNoise(_ file: RawImage, _ rng: inout SeededRandom) throws(FSRescueError) {
        let bs = index.blockSize
        let candidates = index.ordinaryDirs.filter { !touchedInodes.contains($0.inode) }
            .flatMap { d in index.blocks(of: d.inode).map { (dir: d.inode, block: $0) } }
        let targets = CorruptionContext.choose(candidates, count, &rng) { !touchedBlocks.contains($0.block) }
        guard !targets.isEmpty else { throw noTarget(.dirBlockNoise, "directory block") }
        var c = AppliedCorruption(kind: .dirBlockNoise, seed: seed, summary: "")
        for t in targets {
            let offset = t.block * UInt64(bs)
            let old = DirectoryBlock(bytes: file.read(bs, at: offset), hasTail: truth.filesystem.metadataChecksums)
            for e in old.entries where e.inode != 0 && e.name != Array(".".utf8) && e.name != Array("..".utf8) {
                let lost = index.location(name: e.name, inode: e.inode, dir: t.dir, block: t.block, offset: e.offset, state: "lost")
                c.names.append(lost)
                effects.removed[NameKey(dir: t.dir, inode: e.inode, name: e.name)] = lost
            }
            try file.write(noise(&rng, bs), at: offset)
            c.blocks.append(t.block)
            c.inodes.append(t.dir)
            c.byteRanges.append([offset, UInt64(bs)])
            effects.lostBlocks[t.block] = "dir-block-noise: block \(t.block) of directory \(t.dir) overwritten"
            touchedBlocks.insert(t.block)
        }
        c.summary = "Overwrote \(targets.count) directory block(s) (\(c.blocks.map(String.init).joined(separator: ", "))) with noise; \(c.names.count) names in them are lost."
        record(c)
    }

    /// Overwrites inode-table blocks that hold used inodes (never the block of the reserved inodes 1-11).
    mutating func inodeTableNoise(_ file: RawImage, _ rng: inout SeededRandom) throws(FSRescueError) {
        let bs = index.blockSize
        let reserved = Set((1...TreePlanner.lostFoundInode).map(inodeTableBlock))
        var byBlock: [UInt64: [UInt32]] = [:]
        for ino in index.byInode.keys where ino > TreePlanner.lostFoundInode { byBlock[inodeTableBlock(ino), default: []].append(ino) }
        let candidates = byBlock.keys.sorted().filter { !reserved.contains($0) }
        let targets = CorruptionContext.choose(candidates, count, &rng) { b in
            !touchedBlocks.contains(b) && !byBlock[b]!.contains { touchedInodes.contains($0) }
        }
        guard !targets.isEmpty else { throw noTarget(.inodeTableNoise, "inode-table block of ordinary inodes") }
        var c = AppliedCorruption(kind: .inodeTableNoise, seed: seed, summary: "")
        for block in targets {
            try file.write(noise(&rng, bs), at: block * UInt64(bs))
            c.blocks.append(block)
            c.byteRanges.append([block * UInt64(bs), UInt64(bs)])
            for ino in byBlock[block]!.sorted() {
                c.inodes.append(ino)
                effects.destroyedInodes[ino] = "inode-table-noise: inode-table block \(block) overwritten"
                note(ino, "inode-table-noise: its inode (in block \(block)) was overwritten with noise")
            }
            touchedBlocks.insert(block)
        }
        c.summary = "Overwrote \(targets.count) inode-table block(s) (\(c.blocks.map(String.init).joined(separator: ", "))) with noise, destroying \(c.inodes.count) used inode(s)."
        record(c)
    }

    mutating func zeroSuperblock(_ file: RawImage) throws(FSRescueError) {
        try file.write([UInt8](repeating: 0, count: 1024), at: 1024)
        effects.superblockZeroed = true
        let backups = truth.filesystem.backupSuperblocks
        var c = AppliedCorruption(kind: .zeroSuperblock, seed: seed, summary: "")
        c.blocks = [truth.filesystem.blockSize == 1024 ? 1 : 0]
        c.byteRanges = [[1024, 1024]]
        c.details["backup_superblocks"] = backups.map(String.init).joined(separator: ",")
        c.summary = backups.isEmpty
            ? "Zeroed the primary superblock (bytes 1024-2047); the image has no backup superblock."
            : "Zeroed the primary superblock (bytes 1024-2047); backups remain at blocks \(backups.map(String.init).joined(separator: ", "))."
        record(c)
    }

    /// Cuts the image at a seeded block in the upper half of the used blocks.
    mutating func truncateImage(_ file: RawImage, _ rng: inout SeededRandom) throws(FSRescueError) {
        let bs = UInt64(index.blockSize)
        var highest: UInt64 = 1
        for e in truth.entries {
            let ends: [UInt64] = (e.extents ?? []).map { $0[1] + $0[2] - 1 }
            highest = ([highest] + ends + (e.mappingBlocks ?? []) + [e.xattrBlock ?? 0]).max()!
        }
        let original = file.size
        var cut = highest / 2 + rng.below(highest / 2 + 1)
        if cut * bs >= original { cut = original / bs > 0 ? original / bs - 1 : 0 }
        try file.truncate(to: cut * bs)
        effects.truncatedAtBlock = cut
        var c = AppliedCorruption(kind: .truncate, seed: seed, summary: "")
        c.blocks = [cut]
        c.byteRanges = [[cut * bs, original - cut * bs]]
        c.details = ["original_bytes": "\(original)", "cut_at_bytes": "\(cut * bs)", "first_missing_block": "\(cut)"]
        c.summary = "Cut the image from \(original) to \(cut * bs) bytes: blocks \(cut) and beyond are missing."
        record(c)
    }
}
