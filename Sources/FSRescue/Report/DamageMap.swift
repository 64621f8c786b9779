// The facts behind a picture of the filesystem: its block groups, where the disk was never read,
// where the scan found damage, and which files each such area touches.

/// One cell of the picture: a block group, or a slice of one when the filesystem has few groups.
public struct GroupSummary: Sendable, Equatable {
    public let group: UInt32
    public let firstBlock: UInt64
    public let blocks: UInt64
    /// Blocks free: the descriptor's count (`ext2fs_bg_free_blocks_count`) for a whole group, the
    /// block bitmap's (`ext2fs_test_block_bitmap2`) for a slice.
    public let freeBlocks: UInt64
    /// Superblock, descriptors, bitmaps and inode table blocks in the group.
    public let metadataBlocks: UInt64
    /// Blocks of the group never read from the disk (mapfile) or unreadable (read errors).
    public let unreadBlocks: UInt64
    /// Findings that name a block or the group itself.
    public let findings: Int
}

/// An area of the filesystem the picture marks, and the files it touches.
public struct MarkedArea: Sendable, Equatable {
    public enum Kind: String, Sendable, Codable { case unread, readError = "read-error", damaged }
    public let kind: Kind
    /// Filesystem blocks `[first, first + count)`.
    public let firstBlock: UInt64
    public let count: UInt64
    /// What is there or wrong, in words (a finding's message for damage).
    public let what: String
    /// Files whose data or metadata lies there, by path (or `#inode`), at most ``DamageMap/filesPerArea``.
    public var files: [String]
}

/// What `scan --html` draws (``Filesystem/damageMap(report:)``).
public struct DamageMap: Sendable {
    public static let filesPerArea = 50
    /// With fewer groups than this, each is drawn as slices (so a one-group filesystem is not one cell).
    static let slicedBelow = 256
    static let slicesWanted = 1024
    /// The cells, in block order.
    public let groups: [GroupSummary]
    public let blockSize: UInt32
    public let areas: [MarkedArea]
    /// Cells each group is drawn as (1: a cell is a group).
    public let slicesPerGroup: Int
}

extension Filesystem {
    /// The picture's facts for `report`: every group (`ext2fs_group_first_block2`,
    /// `ext2fs_bg_free_blocks_count`, the metadata `ext2fs_super_and_bgd_loc2` and the descriptors
    /// place there), the unread and unreadable areas, the blocks findings name, and for each area
    /// the files whose maps (`dataMap(of:)`) or inodes touch it.
    public func damageMap(report: ScanReport) -> DamageMap {
        let bs = UInt64(blockSize), base = location.offsetBytes
        // Areas, in filesystem blocks.
        var areas: [MarkedArea] = []
        func blocks(_ r: Range<UInt64>) -> (UInt64, UInt64) { (r.lowerBound / bs, (r.upperBound + bs - 1) / bs - r.lowerBound / bs) }
        for r in mapfile?.unread ?? [] where r.upperBound > base {
            let (first, count) = blocks((max(r.lowerBound, base) - base)..<(r.upperBound - base))
            areas.append(MarkedArea(kind: .unread, firstBlock: first, count: count, what: "never read from the disk (ddrescue mapfile)", files: []))
        }
        for r in source.readErrors.all where r.upperBound > base {
            let (first, count) = blocks((max(r.lowerBound, base) - base)..<(r.upperBound - base))
            areas.append(MarkedArea(kind: .readError, firstBlock: first, count: count, what: "could not be read (input/output error)", files: []))
        }
        var namedInode: [Int: UInt32] = [:]
        for finding in report.findings where finding.severity != .info {
            guard let block = finding.block, block < blocksCount else { continue }
            if let inode = finding.inode { namedInode[areas.count] = inode }
            areas.append(MarkedArea(kind: .damaged, firstBlock: block, count: 1, what: "\(finding.code.id): \(finding.message)", files: []))
        }
        let order = areas.indices.sorted { areas[$0].firstBlock < areas[$1].firstBlock }
        var byInode: [UInt32: [Int]] = [:]
        for (sorted, original) in order.enumerated() {
            if let inode = namedInode[original] { byInode[inode, default: []].append(sorted) }
        }
        areas = order.map { areas[$0] }
        // Which files touch each area: their data runs, and the inode a finding names.
        if !areas.isEmpty {
            let starts = areas.map(\.firstBlock)
            let longest = areas.map(\.count).max() ?? 1
            // The areas overlapping blocks [first, first + count): those starting before its end and
            // ending after its start (none starting more than the longest area before it can).
            func touched(_ first: UInt64, _ count: UInt64) -> [Int] {
                var low = 0, high = starts.count
                while low < high { let mid = (low + high) / 2; if starts[mid] < first + count { low = mid + 1 } else { high = mid } }
                var hits: [Int] = []
                var i = low - 1
                while i >= 0, starts[i] + longest > first {
                    if starts[i] + areas[i].count > first { hits.append(i) }
                    i -= 1
                }
                return hits
            }
            var paths: [UInt32: String] = [:]
            func path(_ n: UInt32) -> String {
                if let known = paths[n] { return known }
                var parts: [String] = []
                var at = n, steps = 0
                while at != Self.rootInode, steps < 64, let facts = report.inodes[inode: at], let name = facts.name, let parent = facts.parent {
                    parts.insert(String(decoding: name, as: UTF8.self), at: 0)
                    at = parent
                    steps += 1
                }
                let text = at == Self.rootInode ? "/" + parts.joined(separator: "/") : "#\(n)"
                paths[n] = text
                return text
            }
            for i in report.inodes.indices {
                let facts = report.inodes[i]
                guard !facts.isSystem, facts.type == .regular || facts.type == .directory || facts.type == .symlink,
                      let inode = try? readInode(facts.inode) else { continue }
                var hits = Set(byInode[facts.inode] ?? [])
                for run in dataMap(of: inode).runs { hits.formUnion(touched(run.physical, run.length)) }
                for a in hits where areas[a].files.count < DamageMap.filesPerArea { areas[a].files.append(path(facts.inode)) }
            }
        }
        // Cells: whole groups, or slices of them when there are few.
        var groups: [GroupSummary] = []
        let perTable = UInt64(superblock.inodeTableBlocks)
        let unreadBlocks = areas.filter { $0.kind != .damaged }
        let sliced = groupCount < DamageMap.slicedBelow && loadBitmapsForHistory()
        let slicesPerGroup = sliced ? max(1, DamageMap.slicesWanted / Int(max(1, groupCount))) : 1
        for g in 0..<groupCount {
            let descriptor = group(g)
            let first = descriptor.firstBlock, last = min(descriptor.lastBlock, blocksCount - 1)
            guard first <= last else { continue }
            // The group's metadata as block ranges.
            var metadata: [Range<UInt64>] = [first..<(first + min(copies(inGroup: g).usedBlocks, last - first + 1))]
            // Descriptor fields are 64-bit and untrusted: only locations inside the filesystem count.
            for b in [descriptor.blockBitmap, descriptor.inodeBitmap] where b < blocksCount { metadata.append(b..<(b + 1)) }
            let table = descriptor.inodeTable
            if table < blocksCount { metadata.append(table..<(table + min(perTable, blocksCount - table))) }
            let span = (last - first + 1 + UInt64(slicesPerGroup) - 1) / UInt64(slicesPerGroup)
            var start = first
            while start <= last {
                let end = min(last + 1, start + span)
                func overlap(_ r: Range<UInt64>) -> UInt64 { r.upperBound > start && r.lowerBound < end ? min(r.upperBound, end) - max(r.lowerBound, start) : 0 }
                let meta = metadata.reduce(UInt64(0)) { $0 + overlap($1) }
                let unread = unreadBlocks.reduce(UInt64(0)) { $0 + overlap($1.firstBlock..<($1.firstBlock + $1.count)) }
                let damaged = report.findings.count { f in
                    f.severity != .info && (f.block.map { $0 >= start && $0 < end } ?? (!sliced && f.group == g))
                }
                let free: UInt64
                if sliced {
                    free = (start..<end).reduce(UInt64(0)) { $0 + (blockMarkedInUse($1) ? 0 : 1) }
                } else {
                    free = UInt64(descriptor.freeBlocks)
                }
                let count = end - start
                groups.append(GroupSummary(group: g, firstBlock: start, blocks: count, freeBlocks: min(count, free),
                                           metadataBlocks: min(count, meta), unreadBlocks: min(count, unread), findings: damaged))
                start = end
            }
        }
        return DamageMap(groups: groups, blockSize: blockSize, areas: areas, slicesPerGroup: slicesPerGroup)
    }
}
