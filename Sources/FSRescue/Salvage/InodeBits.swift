// A set of inode numbers as one bit each, up to the inodes the tables hold.

/// Inode numbers `0...limit` as a bitmap: a million inodes in 128 KB, where a `Set<UInt32>` took
/// 16 MB and more while it grew. `limit` is the inodes the tables hold
/// (``Filesystem/readableInodesCount``), not `s_inodes_count`, which a hostile superblock sets to 2^32 - 1.
struct InodeBits {
    private var words: [UInt64]
    let limit: UInt32

    init(limit: UInt32) {
        self.limit = limit
        words = [UInt64](repeating: 0, count: Int(limit) / 64 + 1)
    }

    /// Whether `n` was inserted (never for a number past ``limit``).
    func contains(_ n: UInt32) -> Bool {
        n <= limit && words[Int(n / 64)] & (1 << UInt64(n % 64)) != 0
    }

    /// Sets `n`'s bit; false when it was set already or `n` is past ``limit``.
    mutating func insert(_ n: UInt32) -> Bool {
        guard n <= limit else { return false }
        let bit: UInt64 = 1 << UInt64(n % 64)
        let index = Int(n / 64)
        if words[index] & bit != 0 { return false }
        words[index] |= bit
        return true
    }
}
