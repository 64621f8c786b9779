// The on-disk block bitmap beside the scan's own, 64 clusters at a time.
internal import CFSRescueExt2fs

extension ScanRun {
    /// Calls `body` for each 64-cluster word of blocks `first…last` (one group's): the offset of the
    /// word's first cluster from `first`'s, the clusters passes 1–4 found in use (``metadata`` or
    /// ``claimed``), the clusters the on-disk bitmap marks in use, and the mask of the word's
    /// clusters that lie in the range. The group's on-disk bits are
    /// copied out at once (`ext2fs_get_block_bitmap_range2`, which takes cluster numbers): a test per
    /// block of a 4 TiB filesystem's billion took seconds. Should the copy fail, they are tested one
    /// by one (`ext2fs_test_block_bitmap2`), so callers see the same words either way.
    func forEachBlockWord(first: UInt64, last: UInt64, blockMap: ext2fs_block_bitmap, buffer: inout [UInt8],
                          _ body: (_ offset: UInt64, _ used: UInt64, _ onDisk: UInt64, _ valid: UInt64) -> Void) {
        let start = cluster(first), n = (last - first) >> clusterBits + 1
        let bytes = Int((n + 63) / 64 * 8)
        if buffer.count < bytes { buffer = [UInt8](repeating: 0, count: bytes) }
        buffer.withUnsafeMutableBytes { raw in
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            guard ext2fs_get_block_bitmap_range2(blockMap, start, Int(n), raw.baseAddress) != 0 else { return }
            raw.initializeMemory(as: UInt8.self, repeating: 0)
            for i in 0..<n where ext2fs_test_block_bitmap2(blockMap, first + i << clusterBits) != 0 {
                raw[Int(i / 8)] |= 1 << UInt8(i % 8)
            }
        }
        buffer.withUnsafeBytes { raw in
            var i: UInt64 = 0
            while i < n {
                let valid: UInt64 = n - i >= 64 ? ~0 : (1 << (n - i)) - 1
                let used = (metadata.bits(from: start + i) | claimed.bits(from: start + i)) & valid
                let onDisk = raw.loadUnaligned(fromByteOffset: Int(i / 8), as: UInt64.self).littleEndian & valid
                body(i, used, onDisk, valid)
                i += 64
            }
        }
    }
}
