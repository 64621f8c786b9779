// The ext2/ext3 block map (12 direct, single, double and triple indirect pointers), walked with bounds.

/// What a walk of a block map meets, in the map's order: each data pointer, each indirect block
/// before what it maps, each indirect block that could not be read. The scan checks what it meets
/// (``BlockWalker``); the data map keeps what can be read (``DataMapFill``).
protocol BlockMapVisitor {
    /// Data pointer `block` (non-zero) for logical block `logical`.
    mutating func data(_ block: UInt64, logical: UInt64)
    /// Indirect block `block` (non-zero) of `level` (1 single, 2 double, 3 triple), mapping `covered`
    /// logical blocks from `logical`: true to read it and walk what it maps.
    mutating func indirect(_ block: UInt64, level: Int, logical: UInt64, covered: UInt64) -> Bool
    /// An indirect block `indirect(…)` asked for that could not be read.
    mutating func unreadable(_ block: UInt64, level: Int, logical: UInt64, covered: UInt64)
    /// True once the walk must end (a limit reached).
    var stopped: Bool { get }
}

/// Walks an indirect block map (12 direct pointers, then single, double and triple indirect
/// blocks), reading pointer blocks itself: the one block-map walker, for the scan, the data map,
/// the journal's history and the rescue domain. Logical blocks at or beyond `fileBlocks` are never
/// visited, and the walk ends when the visitor says it must, so a hostile map (indirect blocks
/// pointing at themselves) cannot make it run long.
struct BlockMapWalker {
    let fs: Filesystem
    let perBlock: UInt64
    let fileBlocks: UInt64
    /// Where pointer blocks are read from: the image (through the replayed journal), or, for an
    /// older state of the filesystem (``HistoricalFile``), the journal's copy of that time.
    var readPointers: (UInt64) -> [UInt8]?

    init(fs: Filesystem, fileBlocks: UInt64, readPointers: ((UInt64) -> [UInt8]?)? = nil) {
        self.fs = fs
        perBlock = UInt64(fs.blockSize / 4)
        self.fileBlocks = fileBlocks
        self.readPointers = readPointers ?? { try? fs.readBlock($0) }
    }

    /// Fills `map` (``DataMapFill``): out-of-range pointers and unreadable indirect blocks lose the
    /// ranges they cover and nothing more; the walk stops at the map's ``DataMap/blockLimit``.
    func walk(_ blockArea: [UInt8], into map: inout DataMap) {
        var fill = DataMapFill(fs: fs, fileBlocks: fileBlocks, map: map)
        map = DataMap()
        walk(blockArea, visitor: &fill)
        map = fill.map
    }

    /// Walks `blockArea` (the 60 bytes of `i_block`) for `visitor`.
    func walk<V: BlockMapVisitor>(_ blockArea: UnsafeRawBufferPointer, visitor: inout V) {
        for i in 0..<12 where UInt64(i) < fileBlocks && !visitor.stopped {
            let p = pointer(blockArea, i)
            if p != 0 { visitor.data(p, logical: UInt64(i)) }
        }
        var logical: UInt64 = 12
        var span = perBlock
        for level in 1...3 where logical < fileBlocks && !visitor.stopped {
            indirect(pointer(blockArea, 11 + level), level: level, logical: logical, visitor: &visitor)
            logical += span
            span *= perBlock
        }
    }

    func walk<V: BlockMapVisitor>(_ blockArea: [UInt8], visitor: inout V) {
        blockArea.withUnsafeBytes { walk($0, visitor: &visitor) }
    }

    private func pointer(_ bytes: UnsafeRawBufferPointer, _ index: Int) -> UInt64 {
        UInt64(bytes.loadUnaligned(fromByteOffset: index * 4, as: UInt32.self))
    }

    private func indirect<V: BlockMapVisitor>(_ block: UInt64, level: Int, logical: UInt64, visitor: inout V) {
        guard block != 0 else { return }
        var span: UInt64 = 1
        for _ in 1..<level { span *= perBlock }
        let covered = min(span * perBlock, fileBlocks - logical)
        guard visitor.indirect(block, level: level, logical: logical, covered: covered) else { return }
        guard let bytes = readPointers(block), bytes.count == Int(perBlock * 4) else {
            visitor.unreadable(block, level: level, logical: logical, covered: covered)
            return
        }
        bytes.withUnsafeBytes { raw in
            for i in 0..<Int(perBlock) {
                let l = logical + UInt64(i) * span
                if l >= fileBlocks || visitor.stopped { break }
                let p = pointer(raw, i)
                guard p != 0 else { continue }
                if level == 1 { visitor.data(p, logical: l) } else { indirect(p, level: level - 1, logical: l, visitor: &visitor) }
            }
        }
    }
}

/// Builds a ``DataMap`` from a block-map walk: in-range pointers become runs, the rest lost ranges.
struct DataMapFill: BlockMapVisitor {
    let fs: Filesystem
    let fileBlocks: UInt64
    var map: DataMap

    var stopped: Bool { map.isFull }

    mutating func data(_ block: UInt64, logical: UInt64) {
        if fs.blocksInRange(block, count: 1) {
            map.append(logical: logical, physical: block, fileBlocks: fileBlocks)
        } else {
            map.lose(logical: logical, length: 1, "block pointer outside the filesystem (block \(block))")
        }
    }

    mutating func indirect(_ block: UInt64, level: Int, logical: UInt64, covered: UInt64) -> Bool {
        guard fs.blocksInRange(block, count: 1) else {
            map.lose(logical: logical, length: covered, "indirect block outside the filesystem (block \(block))")
            return false
        }
        return true
    }

    mutating func unreadable(_ block: UInt64, level: Int, logical: UInt64, covered: UInt64) {
        map.lose(logical: logical, length: covered, "indirect block \(block) unreadable")
    }
}

extension Filesystem {
    /// Reads one block from the image (`pread` at the filesystem offset), or its journal copy when the
    /// journal was replayed; fewer bytes past the end.
    public func readBlock(_ block: UInt64) throws(FSRescueError) -> [UInt8] {
        guard blockWasRead(block) else {
            throw FSRescueError(.readFailed, "block \(block) was never read from the disk (the ddrescue mapfile marks it unknown)")
        }
        var bytes = try source.read(at: location.offsetBytes + block * UInt64(blockSize), count: Int(blockSize))
        if let overlay { bytes.withUnsafeMutableBytes { overlay.apply(to: $0, fromFilesystemByte: block * UInt64(blockSize)) } }
        return bytes
    }
}
