// Read-ahead over a list of scattered blocks or reads in physical order (pass 2, slow symlink targets, pass 2B).

/// Keeps the kernel reading up to ``window`` entries of a list sorted by physical block ahead of the
/// one being read: when fewer than half of them have been asked for, asks for the rest
/// (``Filesystem/readAhead(_:count:)``), one request per
/// stretch of consecutive blocks. Scattered reads otherwise wait for the disk one at a time.
/// An entry is one block (pass 2's directory blocks) or one read of several (pass 2B's).
struct SortedBlockReadahead {
    /// Single blocks asked for ahead of the one being read.
    static let window = 512

    private let filesystem: Filesystem
    private let window: Int
    /// The index after the last entry asked for.
    private var asked = 0

    /// `window` entries are asked for ahead (``window`` for single blocks; fewer for longer reads).
    init(_ filesystem: Filesystem, window: Int = Self.window) {
        self.filesystem = filesystem
        self.window = window
    }

    /// Block `current` of `count` is about to be read; `physical(i)` is block `i`'s address.
    mutating func reading(_ current: Int, of count: Int, physical: (Int) -> UInt64) {
        reading(current, of: count) { (physical($0), 1) }
    }

    /// Read `current` of `count` is about to be made; `read(i)` is read `i`'s first block and length.
    mutating func reading(_ current: Int, of count: Int, read: (Int) -> (start: UInt64, length: UInt64)) {
        let start = max(current, asked)
        guard start - current < window / 2 else { return }
        let end = min(count, current + window)
        var k = start
        while k < end {
            var (first, length) = read(k)
            while k + 1 < end, case let next = read(k + 1), next.start == first + length {
                length += next.length
                k += 1
            }
            filesystem.readAhead(BlockNumber(first), count: length)
            k += 1
        }
        asked = max(end, asked)
    }
}
