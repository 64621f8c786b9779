// Corruptions of inodes themselves: clear-inode, link-count, duplicate-blocks.
import FSRescue

extension CorruptionContext {
    /// Zeroes directory inodes as `debugfs clri` does (written through `ext2fs_write_inode_full`,
    /// so with metadata_csum only the checksum is non-zero); bitmaps still count them in use.
    mutating func clearInodes(_ wfs: WritableFilesystem, _ rng: inout SeededRandom) throws(FSRescueError) {
        let targets = CorruptionContext.choose(index.ordinaryDirs, count, &rng) { d in
            !touchedInodes.contains(d.inode) && !(index.children[d.inode] ?? []).isEmpty
        }
        guard !targets.isEmpty else { throw noTarget(.clearInode, "directory with entries") }
        var c = AppliedCorruption(kind: .clearInode, seed: seed, summary: "")
        for t in targets {
            try wfs.writeInode(t.inode, [UInt8](repeating: 0, count: wfs.inodeSize))
            c.inodes.append(t.inode)
            c.blocks += index.blocks(of: t.inode)
            effects.destroyedInodes[t.inode] = "clear-inode: the inode was zeroed"
            note(t.inode, "clear-inode: the directory's inode was zeroed; its blocks still hold its entries")
        }
        c.summary = "Zeroed the inodes of \(targets.count) directory(ies) (inodes \(c.inodes.map(String.init).joined(separator: ", "))); their children lost their parent."
        record(c)
    }

    /// Sets wrong link counts: too high on single-name inodes, one too low on the others.
    mutating func linkCounts(_ wfs: WritableFilesystem, _ rng: inout SeededRandom) throws(FSRescueError) {
        let pool = truth.entries.filter { $0.inode > TreePlanner.lostFoundInode && ($0.type == "file" || $0.type == "dir" || $0.type == "symlink") }
        var seen = Set<UInt32>()
        let targets = CorruptionContext.choose(pool, count, &rng) { !touchedInodes.contains($0.inode) && seen.insert($0.inode).inserted }
        guard !targets.isEmpty else { throw noTarget(.linkCount, "file, directory or symlink") }
        var c = AppliedCorruption(kind: .linkCount, seed: seed, summary: "")
        for t in targets {
            let delta = t.links > 1 && rng.chance(0.5) ? -1 : 1 + Int(rng.below(3))
            let old = try adjustLinks(wfs, t.inode, by: delta)
            c.inodes.append(t.inode)
            c.details["\(t.inode)"] = "\(old) -> \(Int(old) + delta)"
            note(t.inode, "link-count: i_links_count \(old) -> \(Int(old) + delta)")
        }
        c.summary = "Set wrong i_links_count on \(targets.count) inode(s) (\(c.details.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: ", ")))."
        record(c)
    }

    /// Points file B's first data blocks at file A's: both claim A's blocks, B's own become
    /// allocated but unowned (its bytes are still there, unreferenced).
    mutating func duplicateBlocks(_ wfs: WritableFilesystem, _ rng: inout SeededRandom) throws(FSRescueError) {
        let mappable = truth.entries.filter { e in
            e.type == "file" && e.links == 1 && e.dataRanges == nil && (e.extents?.count ?? 0) == 1 && e.mappingBlocks == nil
                && (e.extents?[0][2] ?? 99) <= 12
        }
        var c = AppliedCorruption(kind: .duplicateBlocks, seed: seed, summary: "")
        var pairs = 0
        var pool = mappable
        while pairs < count && pool.count >= 2 {
            let a = pool.remove(at: Int(rng.below(UInt64(pool.count))))
            guard !touchedInodes.contains(a.inode) else { continue }
            guard let bIndex = pool.firstIndex(where: { !touchedInodes.contains($0.inode) && $0.extents![0][2] <= a.extents![0][2] }) else { continue }
            let b = pool.remove(at: bIndex)
            let shared = a.extents![0][1], length = b.extents![0][2], oldStart = b.extents![0][1]
            var image = InodeImage(raw: try wfs.readInode(b.inode))
            image.update { i in
                withUnsafeMutableBytes(of: &i.pointee.i_block) { words in
                    if wfs.usesExtents {
                        // Depth-0 tree: header (12 bytes), then ee_block, ee_len, ee_start_hi, ee_start.
                        words.storeBytes(of: UInt16(truncatingIfNeeded: shared >> 32), toByteOffset: 18, as: UInt16.self)
                        words.storeBytes(of: UInt32(truncatingIfNeeded: shared), toByteOffset: 20, as: UInt32.self)
                    } else {
                        for k in 0..<Int(length) { words.storeBytes(of: UInt32(shared) + UInt32(k), toByteOffset: 4 * k, as: UInt32.self) }
                    }
                }
            }
            try wfs.writeInode(b.inode, image.raw)
            c.inodes += [a.inode, b.inode]
            c.blocks += (0..<length).map { shared + $0 }
            c.details["\(b.inode)"] = "blocks \(oldStart)-\(oldStart + length - 1) -> \(shared)-\(shared + length - 1) (owned by \(a.inode))"
            touchedBlocks.formUnion((0..<length).map { oldStart + $0 })
            effects.reassigned[b.inode] = "duplicate-blocks: now points at blocks of inode \(a.inode); its own data is still at \(oldStart)-\(oldStart + length - 1), unreferenced"
            note(a.inode, "duplicate-blocks: its blocks are also claimed by inode \(b.inode)")
            note(b.inode, "duplicate-blocks: its block pointers were moved onto inode \(a.inode)'s blocks")
            pairs += 1
        }
        guard pairs > 0 else { throw noTarget(.duplicateBlocks, "pair of small contiguous files") }
        c.summary = "Made \(pairs) file(s) claim blocks another file owns (\(c.details.sorted { $0.key < $1.key }.map { "\($0.key): \($0.value)" }.joined(separator: "; ")))."
        record(c)
    }
}
