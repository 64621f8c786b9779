// Turns a FixtureSpec into a TreePlan: the seeded shape of the whole tree.

/// Decides every directory, file, size, name, link and attribute of a fixture from its spec.
///
/// Besides the seeded random bulk, the tree always holds (when `files` is large enough) the cases a
/// recovery tool gets wrong: an empty file, a one-byte file, sizes one below, at and one above a
/// block and the 12-block direct-map limit, a file of exactly `maxFileSize`, a sparse file,
/// small (in-inode) and large (EA block) xattrs, 255-byte ASCII and UTF-8 names, a fast and a slow
/// symlink, a hard link, a fragmented file (an extent tree of depth 2, unwritten extents) and an
/// indexed directory.
struct TreePlanner {
    static let rootInode: UInt32 = 2
    static let lostFoundInode: UInt32 = 11
    static let firstInode: UInt32 = 12
    /// Depth limit, so paths stay far below PATH_MAX even with 255-byte names.
    static let maxDepth = 10

    let spec: FixtureSpec

    private final class Node {
        var name: [UInt8] = []
        var body: Body
        var permissions: UInt16
        var time: UInt32
        var uid: UInt32
        var xattrs: [PlannedXattr] = []
        var number: UInt32 = 0
        var nameCount = 0
        var children: [Node] = []
        /// Every name in this directory (hard links included), in creation order.
        var entries: [(name: [UInt8], node: Node)] = []
        var taken = Set<[UInt8]>()
        var depth = 0
        enum Body { case dir, file(FileContent), symlink([UInt8]) }
        init(body: Body, permissions: UInt16, time: UInt32, uid: UInt32) {
            self.body = body; self.permissions = permissions; self.time = time; self.uid = uid
        }
        var isDir: Bool { if case .dir = body { true } else { false } }
    }

    /// The base timestamp of the image (mke2fs's fake time): 2021-01-01 plus up to three years.
    static func baseTime(seed: UInt64) -> UInt32 {
        var rng = SeededRandom(seed: seed, label: "time")
        return 1_609_459_200 + UInt32(rng.below(3 * 365 * 86_400))
    }

    func plan() -> TreePlan {
        var rng = SeededRandom(seed: spec.seed, label: "tree")
        let base = TreePlanner.baseTime(seed: spec.seed)
        func stamp(_ rng: inout SeededRandom) -> UInt32 { base - UInt32(rng.below(365 * 86_400)) }
        func owner(_ rng: inout SeededRandom) -> UInt32 { rng.chance(0.7) ? 1000 : 0 }

        let root = Node(body: .dir, permissions: 0o755, time: base, uid: 0)
        root.taken = [Array("lost+found".utf8)]
        var dirs = [root]
        func attach(_ node: Node, to dir: Node, name: [UInt8]) {
            let unique = NameGenerator.unique(name, in: &dir.taken)
            if node.nameCount == 0 { node.name = unique; dir.children.append(node) }
            node.nameCount += 1
            dir.entries.append((unique, node))
        }

        // Directories: each hangs under a recent one (depth grows) or a random one (breadth).
        for i in 0..<spec.resolvedDirs {
            let recent = dirs.count > 1 && rng.chance(0.5)
            var parent = recent ? dirs[dirs.count - 1 - Int(rng.below(UInt64(min(dirs.count - 1, 8))))] : rng.pick(dirs)
            if parent.depth >= TreePlanner.maxDepth { parent = root }
            let dir = Node(body: .dir, permissions: rng.chance(0.9) ? 0o755 : 0o700, time: stamp(&rng), uid: owner(&rng))
            dir.depth = parent.depth + 1
            let name = i == 1 ? NameGenerator.longName(&rng, unicode: true)
                : NameGenerator.dirName(&rng, unicode: rng.chance(0.08))
            attach(dir, to: parent, name: name)
            dirs.append(dir)
        }

        // Regular files: the special cases first, then the seeded bulk.
        let bs = UInt64(spec.blockSize)
        var specials: [(size: UInt64, style: ContentStyle, sparse: Bool)] = [
            (0, .text, false), (1, .text, false), (bs - 1, .binary, false), (bs, .binary, false), (bs + 1, .text, false),
            (12 * bs, .binary, false), (12 * bs + 1, .binary, false), (spec.maxFileSize, .binary, false),
            (0, .binary, true), (300, .text, false), (4000, .text, false),
        ]
        var files: [Node] = []
        var largeFiles = 0, sparseFiles = 0
        let maxSparse = min(64, max(1, spec.files / 200)), maxLarge = 64
        for i in 0..<spec.files {
            var frng = rng.derive(UInt64(i))
            var size: UInt64, style: ContentStyle = frng.chance(0.6) ? .text : .binary, sparse = false
            if !specials.isEmpty {
                let s = specials.removeFirst()
                (size, style, sparse) = (s.size, s.style, s.sparse)
            } else if sparseFiles < maxSparse && frng.chance(0.005) {
                (size, sparse) = (0, true)
            } else {
                size = TreePlanner.drawSize(&frng, blockSize: bs, max: spec.maxFileSize, largeAllowed: largeFiles < maxLarge)
                if size > 16 * bs { largeFiles += 1; style = .binary }
            }
            var content = FileContent(size: size, style: style, seed: frng.next(), dataRanges: nil)
            if sparse {
                sparseFiles += 1
                content = TreePlanner.sparseContent(&frng, blockSize: bs, max: spec.maxFileSize, seed: content.seed)
            }
            let perms: UInt16 = frng.pick([0o644, 0o644, 0o644, 0o600, 0o755, 0o444, 0o640])
            let file = Node(body: .file(content), permissions: perms, time: stamp(&frng), uid: owner(&frng))
            let name: [UInt8] = switch i {
            case 9: NameGenerator.longName(&frng, unicode: false)
            case 10: NameGenerator.longName(&frng, unicode: true)
            default: frng.chance(0.005) ? NameGenerator.longName(&frng, unicode: frng.chance(0.5))
                : NameGenerator.fileName(&frng, style: style, unicode: i == 2 || frng.chance(0.08))
            }
            // The first directory takes every third file until it holds about three blocks of names:
            // past one block, the kernel indexes a directory (htree), and so does the writer.
            let parent = rng.pick(dirs)
            if dirs.count > 1 && spec.files >= TreePlanner.indexedDirectoryMinimumFiles && i % 3 == 0
                && dirs[1].entries.count < Int(bs) / 10 {
                attach(file, to: dirs[1], name: name)
            } else {
                attach(file, to: parent, name: name)
            }
            files.append(file)
        }

        // A fragmented file, as fallocate and scattered writes leave one: on ext4, one-block extents
        // written and unwritten by turns, enough for an extent tree of depth 2 (4 full leaves and
        // one more extent); on ext2/ext3 (no unwritten extents), data and holes by turns.
        if spec.files >= TreePlanner.fragmentedFileMinimumFiles {
            var grng = rng.derive(0x4652_4147)
            let blocks = TreePlanner.fragmentedBlocks(blockSize: bs)
            let odd = stride(from: UInt64(1), to: blocks, by: 2).map { $0..<($0 + 1) }
            var content = FileContent(size: blocks * bs, style: .binary, seed: grng.next())
            if spec.type == .ext4 { content.unwritten = odd } else {
                content.dataRanges = stride(from: UInt64(0), to: blocks, by: 2).map { $0..<($0 + 1) }
            }
            let file = Node(body: .file(content), permissions: 0o640, time: stamp(&grng), uid: owner(&grng))
            attach(file, to: grng.pick(dirs), name: Array("fragmented.db".utf8))
            files.append(file)
        }

        // Extended attributes: small ones stay in the inode, every fourth file gets one big enough
        // to need an EA block.
        let xattrFiles = spec.files == 0 ? 0 : min(1000, max(2, spec.files / 100))
        for k in 0..<min(xattrFiles, files.count) {
            let file = files[(k * 7919) % files.count]
            guard file.xattrs.isEmpty else { continue }
            var xrng = rng.derive(0x7A77 + UInt64(k))
            file.xattrs.append(PlannedXattr(name: "user.fsrescue.origin", value: Array("seed=\(spec.seed) k=\(k)".utf8)))
            if k % 4 == 1 {
                let length = Int(bs) / 2 + Int(xrng.below(UInt64(bs) / 4))
                let text = (0..<length).map { _ in UInt8(ascii: "a") + UInt8(xrng.below(26)) }
                file.xattrs.append(PlannedXattr(name: "user.fsrescue.note", value: text))
            }
        }

        // Symlinks: the first fast (target in the inode), the second slow (target in a block).
        let symlinkCount = spec.files == 0 ? 0 : spec.files / 16 + 2
        for k in 0..<symlinkCount {
            var srng = rng.derive(0x5157_0000 + UInt64(k))
            let slow = k == 1 || (k > 1 && srng.chance(0.2))
            var target: [UInt8] = srng.chance(0.5) && !files.isEmpty ? Array(srng.pick(files).name.prefix(50)) : Array("../".utf8)
            if !slow {
                if target.count > 59 { target = Array(target.prefix(40)) }
                while let last = target.last, last & 0xC0 == 0x80 { target.removeLast() }
                if let last = target.last, last >= 0xC0 { target.removeLast() }
                if target.isEmpty { target = Array("x".utf8) }
            } else {
                var path = Array("../..".utf8)
                while path.count < 60 + Int(srng.below(200)) { path += Array("/\(srng.pick(NameGenerator.words))".utf8) }
                target = path
            }
            let link = Node(body: .symlink(target), permissions: 0o777, time: stamp(&srng), uid: owner(&srng))
            attach(link, to: srng.pick(dirs), name: Array("link-\(srng.pick(NameGenerator.words))-\(k)".utf8))
        }

        // Hard links: extra names for existing files, often in other directories.
        let hardLinks = spec.files < 2 ? 0 : spec.files / 40 + 1
        for k in 0..<hardLinks {
            var hrng = rng.derive(0x4A4C_0000 + UInt64(k))
            let file = files[Int(hrng.below(UInt64(files.count)))]
            attach(file, to: hrng.pick(dirs), name: Array("hardlink-\(k)-".utf8) + file.name.prefix(40).filter { $0 < 0x80 })
        }

        return number(root: root)
    }

    /// The first directory is filled until indexed with this many files or more.
    static let indexedDirectoryMinimumFiles = 200
    /// The fragmented file comes with this many files or more.
    static let fragmentedFileMinimumFiles = 100

    /// One extent more than a tree of depth 1 holds: four full leaves of `(blockSize - 12) / 12`.
    static func fragmentedBlocks(blockSize bs: UInt64) -> UInt64 { 4 * ((bs - 12) / 12) + 1 }

    /// Regular-file sizes: many tiny files, a body of a few blocks, and a capped tail up to the maximum.
    static func drawSize(_ rng: inout SeededRandom, blockSize bs: UInt64, max: UInt64, largeAllowed: Bool) -> UInt64 {
        let u = rng.unit()
        if u < 0.12 { return 0 }
        if u < 0.60 { return 1 + rng.below(512) }
        if u < 0.88 { return Swift.min(max, 513 + rng.below(2 * bs)) }
        if u < 0.99 || !largeAllowed { return Swift.min(max, 2 * bs + rng.below(6 * bs)) }
        // Log-uniform between 16 blocks and the maximum.
        let lo = Double(16 * bs), hi = Double(max)
        guard hi > lo else { return max }
        return UInt64(lo * pow2(rng.unit() * log2(hi / lo)))
    }

    /// A sparse file: one to three short data runs at seeded places, holes between and often at
    /// both ends.
    static func sparseContent(_ rng: inout SeededRandom, blockSize bs: UInt64, max: UInt64, seed: UInt64) -> FileContent {
        let totalBlocks = Swift.max(8, Swift.min(4 * max, 64 << 20) / bs)
        let runs = 1 + Int(rng.below(3))
        var ranges: [Range<UInt64>] = []
        var cursor: UInt64 = rng.chance(0.5) ? 0 : 1 + rng.below(totalBlocks / 4)
        for _ in 0..<runs where cursor < totalBlocks - 1 {
            let length = Swift.min(1 + rng.below(4), totalBlocks - cursor)
            ranges.append(cursor..<(cursor + length))
            cursor += length + 1 + rng.below(totalBlocks / 4)
        }
        let lastEnd = ranges.last!.upperBound
        let size = rng.chance(0.5) ? lastEnd * bs - rng.below(bs) : Swift.min(totalBlocks, lastEnd + 1 + rng.below(64)) * bs
        return FileContent(size: size, style: .binary, seed: seed, dataRanges: ranges)
    }

    /// Numbers the inodes depth-first (a directory, then its other children, then its subdirectories),
    /// which keeps each directory's inodes and blocks together as mke2fs -d would.
    private func number(root: Node) -> TreePlan {
        root.number = TreePlanner.rootInode
        var next = TreePlanner.firstInode
        var order: [Node] = [root]
        var stack = [root]
        while let dir = stack.popLast() {
            for child in dir.children where !child.isDir && child.number == 0 {
                child.number = next; next += 1; order.append(child)
            }
            for child in dir.children.reversed() where child.isDir {
                child.number = next; next += 1; order.append(child)
                stack.append(child)
            }
        }
        var inodes: [PlannedInode] = []
        inodes.reserveCapacity(order.count)
        var subdirs: [ObjectIdentifier: Int] = [:]
        for node in order where node.isDir {
            subdirs[ObjectIdentifier(node)] = node.children.filter(\.isDir).count
        }
        var parentOf: [ObjectIdentifier: UInt32] = [ObjectIdentifier(root): TreePlanner.rootInode]
        for node in order where node.isDir {
            for child in node.children where child.isDir { parentOf[ObjectIdentifier(child)] = node.number }
        }
        for node in order {
            let body: PlannedBody
            let links: Int
            switch node.body {
            case .dir:
                let lostFound = node === root ? [PlannedEntry(name: Array("lost+found".utf8), inode: TreePlanner.lostFoundInode)] : []
                let entries = lostFound + node.entries.map { PlannedEntry(name: $0.name, inode: $0.node.number) }
                body = .directory(parent: parentOf[ObjectIdentifier(node)]!, entries: entries)
                links = 2 + subdirs[ObjectIdentifier(node)]! + (node === root ? 1 : 0)
            case .file(let c): body = .file(c); links = node.nameCount
            case .symlink(let t): body = .symlink(target: t); links = 1
            }
            inodes.append(PlannedInode(number: node.number, permissions: node.permissions, uid: node.uid, gid: node.uid,
                                       time: node.time, body: body, xattrs: node.xattrs, links: UInt16(links)))
        }
        inodes.sort { $0.number < $1.number }
        return TreePlan(inodes: inodes)
    }
}

private func pow2(_ x: Double) -> Double { exp2(x) }

#if canImport(Glibc)
import Glibc
#endif
