// The ext2/ext3 block map (12 direct, single, double and triple indirect pointers), walked with bounds.

/// Walks an indirect block map by reading pointer blocks straight from the image. Out-of-range
/// pointers and unreadable indirect blocks lose the ranges they cover and nothing more; logical
/// blocks at or beyond the file size are never visited, and the walk stops when the map reaches its
/// ``DataMap/blockLimit``, so a hostile map (indirect blocks pointing at themselves) cannot make it run long.
struct BlockMapWalker {
    let fs: Filesystem
    let fileBlocks: UInt64
    /// Where pointer blocks are read from: the image (through the replayed journal), or, for an
    /// older state of the filesystem (``HistoricalFile``), the journal's copy of that time.
    var readPointers: (UInt64) -> [UInt8]?

    init(fs: Filesystem, fileBlocks: UInt64, readPointers: ((UInt64) -> [UInt8]?)? = nil) {
        self.fs = fs
        self.fileBlocks = fileBlocks
        self.readPointers = readPointers ?? { try? fs.readBlock($0) }
    }

    func walk(_ blockArea: [UInt8], into map: inout DataMap) {
        let perBlock = UInt64(fs.blockSize / 4)
        for i in 0..<12 where UInt64(i) < fileBlocks {
            data(pointer(blockArea, i), logical: UInt64(i), into: &map)
        }
        var logical: UInt64 = 12
        var span = perBlock
        for level in 1...3 where logical < fileBlocks && !map.isFull {
            indirect(pointer(blockArea, 11 + level), level: level, logical: logical, into: &map)
            logical += span
            span *= perBlock
        }
    }

    private func pointer(_ bytes: [UInt8], _ index: Int) -> UInt64 {
        let o = index * 4
        return UInt64(bytes[o]) | UInt64(bytes[o + 1]) << 8 | UInt64(bytes[o + 2]) << 16 | UInt64(bytes[o + 3]) << 24
    }

    private func data(_ block: UInt64, logical: UInt64, into map: inout DataMap) {
        guard block != 0 else { return }
        if fs.blocksInRange(block, count: 1) {
            map.append(logical: logical, physical: block, fileBlocks: fileBlocks)
        } else {
            map.lose(logical: logical, length: 1, "block pointer outside the filesystem (block \(block))")
        }
    }

    private func indirect(_ block: UInt64, level: Int, logical: UInt64, into map: inout DataMap) {
        guard block != 0 else { return }
        let perBlock = UInt64(fs.blockSize / 4)
        var span: UInt64 = 1
        for _ in 1..<level { span *= perBlock }
        let covered = min(span * perBlock, fileBlocks - logical)
        guard fs.blocksInRange(block, count: 1) else {
            map.lose(logical: logical, length: covered, "indirect block outside the filesystem (block \(block))")
            return
        }
        guard let bytes = readPointers(block), bytes.count == Int(fs.blockSize) else {
            map.lose(logical: logical, length: covered, "indirect block \(block) unreadable")
            return
        }
        for i in 0..<Int(perBlock) {
            let l = logical + UInt64(i) * span
            if l >= fileBlocks || map.isFull { break }
            let p = pointer(bytes, i)
            if level == 1 { data(p, logical: l, into: &map) } else { indirect(p, level: level - 1, logical: l, into: &map) }
        }
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
