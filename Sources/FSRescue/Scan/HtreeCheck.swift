// Pass 2, hashed directories: every leaf's entries must hash into the range its index gives it.

/// What pass 2 gathers about hashed (htree) directories: index nodes, and each leaf's hash span.
struct HtreeState {
    struct Node {
        var entries: [(hash: UInt32, block: UInt32)]
    }
    /// Hash version per directory (from its root, read before the other blocks).
    var versions: [Int32: Int32] = [:]
    /// Indirect levels per directory.
    var levels: [Int32: Int] = [:]
    /// Index nodes (root and interior) per (directory, logical block).
    var nodes: [Int64: Node] = [:]
    /// Lowest and highest hash of the names in each leaf, per (directory, logical block).
    var leaves: [Int64: (min: UInt32, max: UInt32)] = [:]
    /// Directories whose names are not hashed from their bytes (casefolded or encrypted): not checked.
    var unchecked: Set<Int32> = []
    /// `s_hash_seed`, copied once.
    var seed: [UInt32] = []

    static func key(_ dir: Int32, _ logical: UInt32) -> Int64 { Int64(dir) << 32 | Int64(logical) }
}

extension DirectoryPass {
    /// Reads the root block of every hashed directory first, for its hash version and levels
    /// (``Filesystem/readBlocks(_:count:into:)``), so leaves can be hashed as they are met in physical order.
    mutating func readHtreeRoots() {
        let bs = Int(blockSize)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bs, alignment: 8)
        defer { buffer.deallocate() }
        let sb = filesystem.superblock
        htree.seed = sb.hashSeed
        for ref in directoryBlocks where ref.logical == 0 && table.flags[Int(ref.directory)] & InodeTable.Flag.indexed != 0
            && !htree.unchecked.contains(ref.directory) {
            guard read(ref.physical, into: buffer) == nil else { continue }
            let bytes = UnsafeRawBufferPointer(start: buffer, count: bs)
            var version = Int32(bytes[28])
            if version <= DirectoryHash.lastSignedVersion && sb.unsignedHash { version += 3 }
            htree.versions[ref.directory] = version
            htree.levels[ref.directory] = Int(bytes[30])
            htree.nodes[HtreeState.key(ref.directory, 0)] = indexEntries(bytes, at: 24 + Int(bytes[29]))
        }
    }

    /// The count/limit header and (hash, block) entries of an index node at `offset`.
    func indexEntries(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> HtreeState.Node {
        guard offset + 8 <= bytes.count else { return HtreeState.Node(entries: []) }
        let limit = Int(bytes.loadUnaligned(fromByteOffset: offset, as: UInt16.self))
        let count = min(Int(bytes.loadUnaligned(fromByteOffset: offset + 2, as: UInt16.self)), limit, (bytes.count - offset) / 8)
        var entries: [(hash: UInt32, block: UInt32)] = []
        for i in 0..<count {
            let hash = i == 0 ? 0 : bytes.loadUnaligned(fromByteOffset: offset + 8 * i, as: UInt32.self)
            entries.append((hash, bytes.loadUnaligned(fromByteOffset: offset + 8 * i + 4, as: UInt32.self)))
        }
        return HtreeState.Node(entries: entries)
    }

    /// Hashes a leaf entry's name (``DirectoryHash``) into the leaf's span.
    mutating func noteLeafName(_ name: UnsafeRawBufferPointer, directory: Int32, logical: UInt32) {
        guard let version = htree.versions[directory], let value = DirectoryHash.of(name, version: version, seed: htree.seed) else { return }
        let key = HtreeState.key(directory, logical)
        if let span = htree.leaves[key] {
            htree.leaves[key] = (min(span.min, value), max(span.max, value))
        } else {
            htree.leaves[key] = (value, value)
        }
    }

    /// Walks each hashed directory's index from its root (bounded by the nodes recorded) and checks
    /// every leaf's hash span against the range its index entry gives.
    mutating func checkHtreeHashes() {
        for (dir, levels) in htree.levels.sorted(by: { $0.key < $1.key }) {
            let ino = table.number(at: Int(dir))
            var stack: [(logical: UInt32, low: UInt32, high: UInt32, level: Int)] = [(0, 0, UInt32.max, 0)]
            var visited = Set<UInt32>()
            var reported = 0
            while let (logical, low, high, level) = stack.popLast() {
                guard visited.insert(logical).inserted, let node = htree.nodes[HtreeState.key(dir, logical)] else { continue }
                for (i, entry) in node.entries.enumerated() {
                    let childLow = i == 0 ? low : entry.hash & ~1
                    let childHigh = i + 1 < node.entries.count ? node.entries[i + 1].hash & ~1 : high
                    if level < levels {
                        stack.append((entry.block, childLow, childHigh, level + 1))
                    } else if let span = htree.leaves[HtreeState.key(dir, entry.block)], span.min < childLow || span.max > childHigh,
                              reported < 8 {
                        reported += 1
                        add(Finding(.dirHtreeHash, "Hashed directory inode \(ino): leaf block \(entry.block) holds hashes \(String(span.min, radix: 16))…\(String(span.max, radix: 16)) outside its index range \(String(childLow, radix: 16))…\(String(childHigh, radix: 16)).", inode: ino))
                        table.addDamage(.badEntries, at: Int(dir))
                    }
                }
            }
        }
    }
}
