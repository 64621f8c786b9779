// A plain bit array over block (cluster) or inode numbers, with word-at-a-time range operations.

/// A fixed-size bit array. Range claims work a 64-bit word at a time so marking a long extent is cheap.
/// The words are allocated at the first bit set: a set that stays empty (multiply-claimed blocks
/// on a healthy filesystem) costs nothing.
struct BitSet: Sendable {
    private(set) var words: [UInt64] = []
    let count: UInt64

    init(count: UInt64) {
        self.count = count
    }

    private mutating func allocate() {
        if words.isEmpty { words = [UInt64](repeating: 0, count: Int((count + 63) / 64)) }
    }

    func contains(_ bit: UInt64) -> Bool {
        bit < count && !words.isEmpty && words[Int(bit >> 6)] & (1 << (bit & 63)) != 0
    }

    mutating func insert(_ bit: UInt64) {
        guard bit < count else { return }
        allocate()
        words[Int(bit >> 6)] |= 1 << (bit & 63)
    }

    /// Sets bits `start ..< start+length` (clipped to the set) and returns how many were already set.
    @discardableResult
    mutating func claim(_ start: UInt64, _ length: UInt64) -> UInt64 {
        // Not written with forEachWord: a closure mutating `words` while forEachWord borrows `self`
        // forces a copy of the whole array on every call (it was half of a 100k-file scan).
        guard start < count else { return 0 }
        allocate()
        let end = min(start &+ length, count)
        var already: UInt64 = 0
        var bit = start
        words.withUnsafeMutableBufferPointer { w in
            while bit < end {
                let low = bit & 63
                let span = min(64 - low, end - bit)
                let mask: UInt64 = span == 64 ? ~0 : ((1 << span) - 1) << low
                let i = Int(bit >> 6)
                already += UInt64((w[i] & mask).nonzeroBitCount)
                w[i] |= mask
                bit += span
            }
        }
        return already
    }

    /// Number of set bits in `start ..< start+length`.
    func population(_ start: UInt64, _ length: UInt64) -> UInt64 {
        var total: UInt64 = 0
        forEachWord(start, length) { word, mask in total += UInt64((words[word] & mask).nonzeroBitCount) }
        return total
    }

    /// Calls `body` with each word index and the mask of the range's bits in it (clipped to the set).
    private func forEachWord(_ start: UInt64, _ length: UInt64, _ body: (Int, UInt64) -> Void) {
        guard start < count, !words.isEmpty else { return }
        let end = min(start &+ length, count)
        var bit = start
        while bit < end {
            let low = bit & 63
            let span = min(64 - low, end - bit)
            body(Int(bit >> 6), span == 64 ? ~0 : ((1 << span) - 1) << low)
            bit += span
        }
    }

    var isEmpty: Bool { !words.contains { $0 != 0 } }

    /// Calls `body` for each set bit, in order.
    func forEach(_ body: (UInt64) -> Void) {
        for (i, word) in words.enumerated() where word != 0 {
            var w = word
            while w != 0 {
                let bit = UInt64(w.trailingZeroBitCount)
                body(UInt64(i) << 6 | bit)
                w &= w - 1
            }
        }
    }
}
