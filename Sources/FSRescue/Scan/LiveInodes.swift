// Which inodes are live: a bitmap in chunks allocated where inodes are, with the rank of each word beside it.

/// The set of live inode numbers, added in increasing order, with rank (an inode's position among
/// live inodes, O(1)) and select (the inode at a position, a binary search).
///
/// Bit `n - 1` stands for inode `n`. The bits come in chunks of 2^13 (one block group of a
/// filesystem with 4 KiB blocks), each allocated when its first inode is added, and stored one
/// after another in chunk order: a mostly empty filesystem pays for the groups that hold inodes,
/// not for its inode count (an empty 4 TiB ext4 has 134M inodes, whose bitmap and ranks cost 25 MB;
/// in chunks it costs the one chunk its few inodes are in). Every stored word keeps the number of
/// live inodes before it: 1.5 bits per inode of the chunks in use, plus 4 bytes per chunk of the range.
struct LiveInodes: Sendable {
    static let chunkWordsShift = 7
    static let chunkWords = 1 << chunkWordsShift
    static let chunkBitsShift = chunkWordsShift + 6
    static let noSlot = UInt32.max

    /// Per chunk of the inode range: where its words start in ``words`` (in chunks), or ``noSlot``.
    private var slots: [UInt32]
    /// Per stored chunk: which chunk of the range it is.
    private var slotChunks: [UInt32] = []
    /// The words of the stored chunks, in chunk order.
    private var words: [UInt64] = []
    /// Live inodes before each stored word, for words up to ``filled``.
    private var ranks: [UInt32] = []
    /// Stored words whose rank is set: those up to the one holding the last inode added.
    private var filled = 0
    /// The inodes that can be added: 1 ... `capacity`.
    let capacity: UInt32
    /// Live inodes added so far.
    private(set) var count = 0
    private var last: UInt32 = 0

    /// An empty set for inodes 1 ... `capacity`.
    init(capacity: UInt32) {
        self.capacity = capacity
        slots = [UInt32](repeating: Self.noSlot, count: Int((UInt64(capacity) + (1 << Self.chunkBitsShift) - 1) >> Self.chunkBitsShift))
    }

    /// Chunks holding words (for tests of the sparse allocation).
    var storedChunks: Int { slotChunks.count }

    /// Room for `chunks` stored chunks, so the words do not grow by doubling.
    mutating func reserve(chunks: Int) {
        let chunks = min(chunks, slots.count)
        slotChunks.reserveCapacity(chunks)
        words.reserveCapacity(chunks << Self.chunkWordsShift)
        ranks.reserveCapacity(chunks << Self.chunkWordsShift)
    }

    /// Frees spare capacity once every inode is added.
    mutating func shrink() {
        slotChunks = slotChunks.compacted(); words = words.compacted(); ranks = ranks.compacted()
    }

    /// Adds `inode`; false (nothing added) for 0, one beyond ``capacity``, or one not above the last added.
    mutating func append(_ inode: UInt32) -> Bool {
        let bit = inode &- 1
        guard bit < capacity, inode > last else { return false }
        let chunk = Int(bit >> UInt32(Self.chunkBitsShift))
        if slots[chunk] == Self.noSlot {
            slots[chunk] = UInt32(slotChunks.count)
            slotChunks.append(UInt32(chunk))
            words.append(contentsOf: repeatElement(0, count: Self.chunkWords))
            ranks.append(contentsOf: repeatElement(0, count: Self.chunkWords))
        }
        let w = Int(slots[chunk]) << Self.chunkWordsShift | Int(bit >> 6) & (Self.chunkWords - 1)
        while filled <= w {
            ranks[filled] = UInt32(count)
            filled += 1
        }
        words[w] |= 1 << UInt64(bit & 63)
        last = inode
        count += 1
        return true
    }

    /// The position of `inode` among live inodes (rank), or nil when it is not live.
    @inline(__always)
    func index(of inode: UInt32) -> Int? {
        let bit = inode &- 1
        guard bit < capacity else { return nil }
        let slot = slots[Int(bit >> UInt32(Self.chunkBitsShift))]
        guard slot != Self.noSlot else { return nil }
        let w = Int(slot) << Self.chunkWordsShift | Int(bit >> 6) & (Self.chunkWords - 1)
        let word = words[w], mask = UInt64(1) << UInt64(bit & 63)
        guard word & mask != 0 else { return nil }
        return Int(ranks[w]) + (word & (mask - 1)).nonzeroBitCount
    }

    /// The live inode at position `i`, 0 ≤ `i` < ``count`` (select: the word by binary search over the ranks).
    func inode(at i: Int) -> UInt32 {
        var low = 0, high = filled - 1
        while low < high {
            let mid = (low + high + 1) >> 1
            if Int(ranks[mid]) <= i { low = mid } else { high = mid - 1 }
        }
        var word = words[low]
        for _ in 0..<(i - Int(ranks[low])) { word &= word - 1 }
        return inode(word: low, bit: word.trailingZeroBitCount)
    }

    /// The 64 bits from bit `start` (bit `k` of the result: inode `start + k + 1`), 0 where no inode is live.
    func bits(from start: UInt64) -> UInt64 {
        guard start < UInt64(capacity) else { return 0 }
        return BitSet.bits(from: start, words: word)
    }

    /// Word `index` of the whole inode range (0 in chunks not stored, and past the range).
    private func word(_ index: Int) -> UInt64 {
        let chunk = index >> Self.chunkWordsShift
        guard chunk < slots.count, slots[chunk] != Self.noSlot else { return 0 }
        return words[Int(slots[chunk]) << Self.chunkWordsShift | index & (Self.chunkWords - 1)]
    }

    private func inode(word w: Int, bit: Int) -> UInt32 {
        let chunk = slotChunks[w >> Self.chunkWordsShift]
        return chunk << UInt32(Self.chunkBitsShift) + UInt32((w & (Self.chunkWords - 1)) << 6 + bit) + 1
    }

    /// Live inodes in increasing order, with their positions.
    var numbered: Numbered { Numbered(set: self) }

    struct Numbered: Sequence {
        let set: LiveInodes

        struct Iterator: IteratorProtocol {
            let set: LiveInodes
            var w = 0, word: UInt64 = 0, index = 0

            mutating func next() -> (index: Int, inode: UInt32)? {
                while word == 0 {
                    guard w < set.filled else { return nil }
                    word = set.words[w]
                    w += 1
                }
                let inode = set.inode(word: w - 1, bit: word.trailingZeroBitCount)
                word &= word - 1
                defer { index += 1 }
                return (index, inode)
            }
        }

        func makeIterator() -> Iterator { Iterator(set: set) }
    }
}
