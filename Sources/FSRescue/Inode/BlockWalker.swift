// Walking one inode's extent tree or indirect block map into data runs, bounded on hostile input.

/// Walks inodes' block maps, reusing its buffers from inode to inode. Out-of-range blocks,
/// bad extent headers, unreadable nodes and overlaps become ``BlockMapProblem``s; every walk is
/// bounded (by the filesystem's block count and a problem limit), so it ends on any input.
final class BlockWalker: BlockMapVisitor {
    static let maxExtentDepth = 5
    /// e2fsck gives up on an inode after a dozen illegal blocks; so do we, a little later.
    static let problemLimit = 64

    /// Indirect block maps are walked by the one block-map walker, reading through this filesystem.
    let filesystem: Filesystem
    let blocksCount: UInt64
    let firstDataBlock: UInt64
    @exclusivity(unchecked) private(set) var runs: [DataRun] = []
    @exclusivity(unchecked) private(set) var mappingBlocks: [UInt64] = []
    @exclusivity(unchecked) private(set) var problems: [BlockMapProblem] = []
    /// Highest logical block + 1 of initialized data (0 when none).
    @exclusivity(unchecked) private(set) var initializedEnd: UInt64 = 0
    /// Highest logical block + 1 of any data.
    @exclusivity(unchecked) private(set) var logicalEnd: UInt64 = 0
    /// Mapping blocks (indirect blocks, extent nodes) of this walk that could not be read: whatever
    /// they map belongs to the file but is not known.
    @exclusivity(unchecked) private(set) var unreadMappingBlocks = 0
    /// Where what the map says is unknown: from `logical` to the next block the walk did map (a
    /// subtree whose node could not be read or lies outside the filesystem, or the whole tree), or
    /// exactly `length` blocks (an extent pointing outside the filesystem); for the data map.
    @exclusivity(unchecked) private(set) var unknown: [(logical: UInt64, length: UInt64?, reason: String)] = []
    @exclusivity(unchecked) private var inode: UInt32 = 0
    @exclusivity(unchecked) private var mapped: UInt64 = 0
    @exclusivity(unchecked) private var aborted = false

    init(_ filesystem: Filesystem) {
        self.filesystem = filesystem
        blocksCount = filesystem.blocksCount
        firstDataBlock = filesystem.superblock.firstDataBlock
    }

    var totalBlocks: UInt64 { mapped + UInt64(mappingBlocks.count) }

    func inRange(_ block: UInt64) -> Bool { block >= firstDataBlock && block < blocksCount }

    /// Walks the blocks of the inode in `buffer`, number `inode` (the caller has checked ``RawInode/hasValidBlocks``).
    func walk(_ inode: UInt32, _ buffer: InodeBuffer) {
        self.inode = inode
        runs.removeAll(keepingCapacity: true)
        mappingBlocks.removeAll(keepingCapacity: true)
        problems.removeAll(keepingCapacity: true)
        initializedEnd = 0
        logicalEnd = 0
        unreadMappingBlocks = 0
        unknown.removeAll(keepingCapacity: true)
        mapped = 0
        aborted = false
        let raw = buffer.view
        if raw.flags.contains(.extents) {
            if !walkShallowExtents(raw) { walkExtentTree(buffer) }
        } else if raw.block(12) == 0 && raw.block(13) == 0 && raw.block(14) == 0 {
            for i in 0..<12 where raw.block(i) != 0 { data(UInt64(i), UInt64(raw.block(i)), 1, initialized: true) }
        } else {
            let p = UInt64(filesystem.blockSize / 4)
            var walker = self
            raw.withBlockBytes { BlockMapWalker(fs: filesystem, fileBlocks: 12 + p + p * p + p * p * p).walk($0, visitor: &walker) }
        }
    }

    // MARK: Recording

    private func problem(_ code: FindingCode, block: UInt64? = nil, logical: UInt64? = nil, _ message: String) {
        guard problems.count < Self.problemLimit else { aborted = true; return }
        problems.append(BlockMapProblem(code: code, block: block, logical: logical, message: message))
        if problems.count >= Self.problemLimit { aborted = true }
    }

    private func data(_ logical: UInt64, _ physical: UInt64, _ length: UInt32, initialized: Bool) {
        guard !aborted else { return }
        if length == 0 {
            problem(.extentBadOrder, block: physical, logical: logical, "an extent at logical block \(logical) has zero length")
            return
        }
        if logical < logicalEnd {
            problem(.extentBadOrder, block: physical, logical: logical,
                    "logical blocks \(logical)…\(logical + UInt64(length) - 1) overlap or precede blocks already mapped (up to \(logicalEnd - 1))")
            return
        }
        let end = physical &+ UInt64(length)
        guard inRange(physical), end <= blocksCount, end > physical else {
            unknown.append((logical, UInt64(length), "extent points outside the filesystem (block \(physical))"))
            problem(.blockOutOfRange, block: physical, logical: logical,
                    "logical block \(logical) maps to block \(physical)\(length > 1 ? " (+\(length - 1))" : ""), outside the filesystem (\(firstDataBlock)…\(blocksCount - 1))")
            return
        }
        mapped += UInt64(length)
        if mapped > blocksCount {
            problem(.blockMapError, "maps more blocks than the filesystem holds; walk stopped")
            aborted = true
            return
        }
        logicalEnd = logical + UInt64(length)
        if initialized { initializedEnd = logicalEnd }
        if let last = runs.last, last.unwritten == !initialized, last.logical + last.length == logical,
           last.physical + last.length == physical, last.length + UInt64(length) <= UInt64(UInt32.max) {
            runs[runs.count - 1] = DataRun(logical: last.logical, physical: last.physical,
                                           length: last.length + UInt64(length), unwritten: !initialized)
        } else {
            runs.append(DataRun(logical: logical, physical: physical, length: UInt64(length), unwritten: !initialized))
        }
    }

    private func mapping(_ block: UInt64, what: String) -> Bool {
        guard inRange(block) else {
            problem(.blockOutOfRange, block: block, "its \(what) is block \(block), outside the filesystem")
            return false
        }
        mappingBlocks.append(block)
        return true
    }

    // MARK: Extents

    /// Depth-0 extent roots (the common case) are decoded in place (``ExtentNodeBytes``), without
    /// libext2fs allocating a handle. Returns false when the tree is deeper and needs the libext2fs walk.
    private func walkShallowExtents(_ raw: RawInode) -> Bool {
        raw.withBlockBytes { bytes in
            guard let root = ExtentNodeBytes(bytes), root.magic == ExtentNode.magic, root.capacity >= 2, root.capacity <= 4,
                  root.entries <= root.capacity else {
                let node = ExtentNodeBytes(bytes)
                unknown.append((0, nil, "extent tree unreadable: invalid header in the inode"))
                problem(.extentBadHeader, "the extent root in the inode has an invalid header (magic \(String(node?.magic ?? 0, radix: 16)), \(node?.entries ?? 0) of \(node?.capacity ?? 0) entries)")
                return true
            }
            guard root.depth == 0 else { return false }
            for e in 0..<root.entries {
                let leaf = root.leaf(e)
                data(leaf.logical, leaf.physical, UInt32(leaf.length), initialized: !leaf.unwritten)
            }
            return true
        }
    }

    /// Deeper trees: an explicit walk with an ``ExtentCursor`` (down, next sibling, up), so a node that
    /// fails to read or verify is reported and skipped instead of stopping the walk, and bounded by a step count.
    private func walkExtentTree(_ buffer: InodeBuffer) {
        let cursor: ExtentCursor
        do {
            cursor = try ExtentCursor(filesystem, inode: InodeNumber(inode), buffer: buffer)
        } catch {
            unknown.append((0, nil, "extent tree unreadable: \(error.message)"))
            problem(.extentBadHeader, "the extent tree cannot be opened (\(error.message))")
            return
        }
        if let depth = cursor.maxDepth, depth > Self.maxExtentDepth {
            unknown.append((0, nil, "extent tree claims depth \(depth)"))
            problem(.extentTooDeep, "the extent tree claims depth \(depth) (at most \(Self.maxExtentDepth))")
            return
        }
        if let error = cursor.move(.root) {
            if error == .extentNoNext { return }  // an empty tree
            unknown.append((0, nil, "extent tree unreadable: \(error.message)"))
            problem(.extentBadHeader, "the extent root cannot be read (\(error.message))")
            return
        }
        var steps: UInt64 = 0
        let stepLimit = blocksCount + 1024
        while !aborted && steps < stepLimit {
            steps += 1
            let level = cursor.level
            let extent = cursor.current
            if extent.isLeaf {
                data(extent.logical, extent.physical, extent.length, initialized: !extent.isUnwritten)
            } else if extent.isSecondVisit {
                // Back up at an index entry: its subtree is done.
            } else if !mapping(extent.physical, what: "extent node at level \(level + 1)") {
                unknown.append((extent.logical, nil, "extent node outside the filesystem (block \(extent.physical))"))
            } else {
                let indexStart = extent.logical
                let error = cursor.move(.down)
                if error == nil || error == .extentChecksumInvalid {
                    if error != nil {
                        problem(.extentChecksum, block: mappingBlocks.last, "the checksum of extent node block \(mappingBlocks.last ?? 0) does not match")
                    }
                    // An index entry starts where the first entry of the node it points to starts
                    // (e2fsck's PR_1_EXTENT_INDEX_START_INVALID); lookups below it would miss otherwise.
                    let first = cursor.current.logical
                    if first != indexStart {
                        problem(.extentIndexStart, block: mappingBlocks.last, logical: first,
                                "the index at level \(level) starts at logical block \(indexStart), but the node it points to (block \(mappingBlocks.last ?? 0)) starts at \(first)")
                    }
                    continue
                }
                let blk = mappingBlocks.last ?? 0
                let text = error?.message ?? ""
                unknown.append((indexStart, nil, "extent node block \(blk) unreadable: \(text)"))
                if error?.isReadFailure == true {
                    unreadMappingBlocks += 1
                    problem(.extentUnreadable, block: blk, "extent node block \(blk) cannot be read (\(text))")
                } else {
                    problem(.extentBadHeader, block: blk, "extent node block \(blk) is invalid (\(text)); its extents are lost")
                }
            }
            // Advance: next sibling, climbing while the current node is exhausted.
            while true {
                if cursor.move(.nextSibling) == nil { break }
                if cursor.move(.up) != nil { return }
            }
        }
        if steps >= stepLimit { problem(.blockMapError, "the extent tree has more entries than the filesystem has blocks; walk stopped") }
    }

    // MARK: Indirect blocks (BlockMapWalker's visitor)

    func data(_ block: UInt64, logical: UInt64) { data(logical, block, 1, initialized: true) }

    func indirect(_ block: UInt64, level: Int, logical: UInt64, covered: UInt64) -> Bool {
        mapping(block, what: level == 1 ? "indirect block" : level == 2 ? "double indirect block" : "triple indirect block")
    }

    func unreadable(_ block: UInt64, level: Int, logical: UInt64, covered: UInt64) {
        unreadMappingBlocks += 1
        problem(.blockMapError, block: block, logical: logical,
                "its \(level == 1 ? "" : level == 2 ? "double " : "triple ")indirect block \(block) cannot be read; the \(covered) logical blocks from \(logical) it maps were not checked")
    }

    var stopped: Bool { aborted }
}
