// The on-disk block and inode bitmaps beside the scan's own, 64 bits at a time.

/// What passes 1–4 found in use, beside the on-disk bitmaps (loaded with ``Filesystem/loadBitmaps()``):
/// the input pass 2B's candidates and pass 5's comparison share.
struct BitmapComparison {
    let filesystem: Filesystem
    /// Clusters holding filesystem metadata.
    let metadata: BitSet
    /// Clusters claimed by inodes.
    let claimed: BitSet
    /// Inodes the scan found in use.
    let live: LiveInodes
    /// log2(blocks per cluster).
    let clusterBits: UInt64
    /// Inodes below it are reserved: in use whatever their mode.
    let firstInode: UInt32

    func cluster(_ block: UInt64) -> UInt64 { block >> clusterBits }

    /// Calls `body` for each 64-cluster word of blocks `first…last` (one group's): the offset of the
    /// word's first cluster from `first`'s, the clusters passes 1–4 found in use (``metadata`` or ``claimed``), the clusters the on-disk bitmap marks in use, and the mask of the word's
    /// clusters that lie in the range. The group's on-disk bits are
    /// copied out at once (`ext2fs_get_block_bitmap_range2`, which takes cluster numbers): a test per
    /// block of a 4 TiB filesystem's billion took seconds. Should the copy fail, they are tested one
    /// by one (`ext2fs_test_block_bitmap2`), so callers see the same words either way.
    func forEachBlockWord(first: UInt64, last: UInt64, buffer: inout [UInt8],
                          _ body: (_ offset: UInt64, _ used: UInt64, _ onDisk: UInt64, _ valid: UInt64) -> Void) {
        let start = cluster(first), n = (last - first) >> clusterBits + 1
        Self.copyBits(n, into: &buffer, copy: { filesystem.copyBits(of: .blocks, from: start, count: Int(n), into: $0) },
                      test: { filesystem.marks(.blocks, first + $0 << clusterBits) })
        Self.forEachWord(n, of: buffer, used: { metadata.bits(from: start + $0) | claimed.bits(from: start + $0) }, body)
    }

    /// Calls `body` for each 64-inode word of inodes `first…last` (one group's): the offset of the
    /// word's first inode from `first`, the inodes the scan counts in use (live in the table, or
    /// reserved: below `s_first_ino`), the inodes the on-disk bitmap marks in use, and the mask of
    /// the word's inodes that lie in the range. The group's on-disk bits are copied out at once
    /// (`ext2fs_get_inode_bitmap_range2`; a test and a table lookup per inode of an empty 4 TiB
    /// filesystem's 134M took most of its scan), else tested one by one (`ext2fs_test_inode_bitmap2`).
    func forEachInodeWord(first: UInt32, last: UInt32, buffer: inout [UInt8],
                          _ body: (_ offset: UInt64, _ used: UInt64, _ onDisk: UInt64, _ valid: UInt64) -> Void) {
        let n = UInt64(last - first) + 1
        Self.copyBits(n, into: &buffer, copy: { filesystem.copyBits(of: .inodes, from: UInt64(first), count: Int(n), into: $0) },
                      test: { filesystem.marks(.inodes, UInt64(first) + $0) })
        let reserved = UInt64(firstInode)  // inodes below it are in use whatever their mode
        Self.forEachWord(n, of: buffer, used: { i in
            let inode = UInt64(first) + i
            let reservedMask: UInt64 = inode >= reserved ? 0 : reserved - inode >= 64 ? ~0 : (1 << (reserved - inode)) - 1
            return live.bits(from: inode - 1) | reservedMask
        }, body)
    }

    /// Fills `buffer` with `n` on-disk bits: copied out at once by `copy`, else (`copy` failed)
    /// tested one by one with `test`.
    private static func copyBits(_ n: UInt64, into buffer: inout [UInt8], copy: (UnsafeMutableRawPointer?) -> Bool,
                                 test: (UInt64) -> Bool) {
        let bytes = Int((n + 63) / 64 * 8)
        if buffer.count < bytes { buffer = [UInt8](repeating: 0, count: bytes) }
        buffer.withUnsafeMutableBytes { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            guard !copy(raw.baseAddress) else { return }
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            for i in 0..<n where test(i) { raw[Int(i / 8)] |= 1 << UInt8(i % 8) }
        }
    }

    /// Calls `body` for each 64-bit word of the first `n` bits of `buffer`, with `used(offset)`'s bits beside them.
    private static func forEachWord(_ n: UInt64, of buffer: [UInt8], used: (UInt64) -> UInt64,
                                    _ body: (_ offset: UInt64, _ used: UInt64, _ onDisk: UInt64, _ valid: UInt64) -> Void) {
        buffer.withUnsafeBytes { raw in
            var i: UInt64 = 0
            while i < n {
                let valid: UInt64 = n - i >= 64 ? ~0 : (1 << (n - i)) - 1
                let onDisk = raw.loadUnaligned(fromByteOffset: Int(i / 8), as: UInt64.self).littleEndian & valid
                body(i, used(i) & valid, onDisk, valid)
                i += 64
            }
        }
    }
}

extension ScanRun {
    /// What passes 1–4 found in use, for comparing with the on-disk bitmaps.
    var bitmapComparison: BitmapComparison {
        BitmapComparison(filesystem: filesystem, metadata: metadata, claimed: claimed, live: table.live,
                         clusterBits: clusterBits, firstInode: firstInode)
    }
}
