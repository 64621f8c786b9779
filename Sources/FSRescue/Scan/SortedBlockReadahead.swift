// Read-ahead over a list of scattered blocks read in physical order (pass 2, slow symlink targets).
internal import CFSRescueExt2fs

/// Keeps the kernel reading up to ``window`` blocks of a list sorted by physical block ahead of the
/// one being read: when fewer than half of them have been asked for, asks for the rest
/// (`io_channel_cache_readahead`, `posix_fadvise(POSIX_FADV_WILLNEED)` underneath), one request per
/// run of consecutive blocks. Scattered single-block reads otherwise wait for the disk one at a time.
struct SortedBlockReadahead {
    /// Blocks asked for ahead of the one being read.
    static let window = 512

    private let io: io_channel
    private let blocksCount: UInt64
    /// The index after the last block asked for.
    private var asked = 0

    init(_ fs: ext2_filsys, blocksCount: UInt64) {
        io = fs.pointee.io
        self.blocksCount = blocksCount
    }

    /// Index `current` of `count` blocks is about to be read; `physical(i)` is block `i`'s address.
    mutating func reading(_ current: Int, of count: Int, physical: (Int) -> UInt64) {
        let start = max(current, asked)
        guard start - current < Self.window / 2 else { return }
        let end = min(count, current + Self.window)
        var k = start
        while k < end {
            var last = k
            while last + 1 < end, physical(last + 1) == physical(last) + 1 { last += 1 }
            let first = physical(k)
            if first < blocksCount { _ = io_channel_cache_readahead(io, first, UInt64(min(last - k + 1, Int(blocksCount - first)))) }
            k = last + 1
        }
        asked = max(end, asked)
    }
}
