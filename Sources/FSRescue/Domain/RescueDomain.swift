// The areas of an image a recovery needs first (metadata), as a GNU ddrescue domain mapfile.

/// Where the filesystem's metadata lies, in image bytes: what `ddrescue -m DOMAIN` should rescue
/// before the data. Built from a scan (which inodes are in use, which are directories):
/// - superblocks and group descriptors, primary and backups (``Filesystem/copies(inGroup:)``);
/// - block and inode bitmaps, and the used part of each inode table;
/// - the journal (its blocks and its tree);
/// - every directory's blocks, every extent-tree block below the inode, every indirect block, every
///   extended-attribute block, and slow symlinks' target blocks.
public struct RescueDomain: Sendable {
    /// Image byte ranges, sorted and merged.
    public private(set) var areas: [Range<UInt64>] = []
    /// The parts of ``areas`` the mapfile given (`--mapfile`) marks unread: metadata not rescued yet.
    public private(set) var unread: [Range<UInt64>] = []
    /// Bytes in ``areas``.
    public var bytes: UInt64 { areas.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } }

    init(blocks: [(start: UInt64, count: UInt64)], blockSize: UInt64, base: UInt64, mapfile: Mapfile?) {
        let sorted = blocks.filter { $0.count > 0 }.sorted { $0.start < $1.start }
        var merged: [Range<UInt64>] = []
        for b in sorted {
            let start = base.addingSaturating(b.start.multipliedSaturating(by: blockSize))
            let end = base.addingSaturating(b.start.addingSaturating(b.count).multipliedSaturating(by: blockSize))
            if let last = merged.last, start <= last.upperBound {
                merged[merged.count - 1] = last.lowerBound..<max(last.upperBound, end)
            } else {
                merged.append(start..<end)
            }
        }
        areas = merged
        if let mapfile { unread = merged.flatMap { mapfile.unread(in: $0) } }
    }

    /// The domain as a GNU ddrescue mapfile over an image of `size` bytes: `+` for the areas, `?`
    /// (non-tried, which `ddrescue -m` leaves alone) for the rest.
    public func mapfileText(imageSize size: UInt64, comment: String) -> String {
        Mapfile.render(size: size, marks: areas.map { ($0, "+") }, elsewhere: "?", comment: "Rescue domain written by fsrescue: \(comment)")
    }
}

extension Filesystem {
    /// The rescue domain (``RescueDomain``) of this filesystem, from `report`'s live inodes.
    public func rescueDomain(scan report: ScanReport) -> RescueDomain {
        let bs = UInt64(blockSize)
        var blocks: [(start: UInt64, count: UInt64)] = []
        let sb = superblock
        let perTable = UInt64(sb.inodeTableBlocks)
        let inodesPerBlock = max(1, bs / UInt64(sb.inodeSize))
        let ipg = UInt64(sb.inodesPerGroup)
        // The last in-use inode of each group, for the used part of its table.
        var lastUsed = [UInt64](repeating: 0, count: Int(groupCount))
        for i in report.inodes.indices {
            let n = UInt64(report.inodes[i].inode)
            let g = Int((n - 1) / max(1, ipg))
            if g < lastUsed.count { lastUsed[g] = max(lastUsed[g], (n - 1) % max(1, ipg) + 1) }
        }
        for g in 0..<groupCount {
            let copies = copies(inGroup: g), descriptor = group(g)
            if copies.superblock != 0 || g == 0 { blocks.append((copies.superblock, 1)) }
            if copies.oldDescriptors != 0 { blocks.append((copies.oldDescriptors, sb.descriptorBlocks)) }
            if copies.newDescriptor != 0 { blocks.append((copies.newDescriptor, 1)) }
            blocks.append((descriptor.blockBitmap, 1))
            blocks.append((descriptor.inodeBitmap, 1))
            let table = descriptor.inodeTable
            let marked = firstUnusedInode(ofGroup: g).map { $0 - UInt64(g) * ipg - 1 } ?? ipg
            let usedInodes = max(marked, lastUsed[Int(g)])
            blocks.append((table, min(perTable, (usedInodes + inodesPerBlock - 1) / inodesPerBlock)))
        }
        // The primary superblock sits at byte 1024 of block 0 with 1 KiB blocks, inside block 0 else.
        blocks.append((0, bs == 1024 ? 2 : 1))
        var wanted: [UInt32] = []
        for i in report.inodes.indices { wanted.append(report.inodes[i].inode) }
        let journal = sb.journalInode
        // The hidden inodes whose blocks a check reads: the journal, the orphan file, the quota files.
        let listed = Set(wanted)
        let hidden = Set(([journal, sb.orphanFileInode] + sb.quotaInodes)
            .filter { $0 != 0 && $0 <= readableInodesCount })
        for n in hidden.sorted() where !listed.contains(n) { wanted.append(n) }
        for n in wanted {
            guard let inode = try? readInode(n) else { continue }
            if inode.xattrBlock != 0 && blocksInRange(inode.xattrBlock, count: 1) { blocks.append((inode.xattrBlock, 1)) }
            let whole = inode.type == .directory || hidden.contains(n) || (inode.type == .symlink && !isFastSymlink(inode))
            blocks += metadataBlocks(of: inode, withData: whole)
        }
        let kept = blocks.filter { $0.start < blocksCount && $0.count <= blocksCount - $0.start }
        return RescueDomain(blocks: kept, blockSize: bs, base: location.offsetBytes, mapfile: mapfile)
    }

    /// The blocks of `inode`'s map that are not data (extent-tree blocks below the inode, indirect
    /// blocks), and with `withData` its data blocks too.
    func metadataBlocks(of inode: InodeRecord, withData: Bool) -> [(start: UInt64, count: UInt64)] {
        guard !inode.hasInlineData, !(inode.type == .symlink && isFastSymlink(inode)) else { return [] }
        var found: [(start: UInt64, count: UInt64)] = []
        let size = contentSize(of: inode), bs = UInt64(blockSize)
        let fileBlocks = size / bs + (size % bs == 0 ? 0 : 1)
        if inode.usesExtents {
            var tree = ExtentTreeWalk(fileBlocks: fileBlocks, limit: blocksCount)
            inode.blockArea.withUnsafeBytes { root in
                tree.walk(root: root, child: { block, depth in
                    guard blocksInRange(block, count: 1) else { return .lost("outside the filesystem") }
                    found.append((block, 1))
                    // Leaf blocks are read only when their data is wanted too.
                    guard depth > 0 || withData, let bytes = try? readBlock(block) else { return .notNeeded }
                    return .read(bytes, proven: true)
                }, leaf: { extent, _ in
                    if withData && blocksInRange(extent.physical, count: extent.length) { found.append((extent.physical, extent.length)) }
                    return true
                }, lose: { _, _, _ in })
            }
        } else {
            final class Seen { var blocks: [UInt64] = [] }
            let seen = Seen()
            let walker = BlockMapWalker(fs: self, fileBlocks: fileBlocks) { [self] block in
                seen.blocks.append(block)
                return try? readBlock(block)
            }
            var map = DataMap()
            map.blockLimit = max(1, min(blocksCount, imageBlocks))
            walker.walk(inode.blockArea, into: &map)
            found += seen.blocks.map { ($0, 1) }
            if withData { found += map.runs.map { ($0.physical, $0.length) } }
        }
        return found
    }
}
