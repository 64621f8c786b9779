// A plain bit array over block (cluster) or inode numbers, with word-at-a-time range operations.

/// A fixed-size bit array. Range claims work a 64-bit word at a time so marking a long extent is cheap.
///
/// The words come in chunks of 2^15 bits (4 KiB, one block group of 4 KiB blocks), each allocated
/// at the first bit set in it: a set that stays empty (multiply-claimed blocks on a healthy
/// filesystem) costs nothing, and one over a mostly empty 4 TiB filesystem costs the chunks its
/// metadata and files touch, not 128 MiB. (Chunks of 32 KiB cost that filesystem's metadata set
/// 67 MB: with flex_bg every 16th group holds a run of tables, and each run took a whole chunk.)
struct BitSet: Sendable {
    static let chunkWordsShift = 9
    static let chunkWords = 1 << chunkWordsShift

    /// Chunk `c` holds words `c << chunkWordsShift ..<`: empty until a bit in it is set.
    private var chunks: [[UInt64]]
    let count: UInt64

    init(count: UInt64) {
        self.count = count
        let words = (count + 63) / 64
        chunks = [[UInt64]](repeating: [], count: Int((words + UInt64(Self.chunkWords) - 1) >> UInt64(Self.chunkWordsShift)))
    }

    func contains(_ bit: UInt64) -> Bool {
        guard bit < count else { return false }
        let word = Int(bit >> 6), c = word >> Self.chunkWordsShift
        return !chunks[c].isEmpty && chunks[c][word & (Self.chunkWords - 1)] & (1 << (bit & 63)) != 0
    }

    /// The 64 bits from `start` (bit 0 of the result is bit `start`), 0 past the end.
    func bits(from start: UInt64) -> UInt64 {
        guard start < count else { return 0 }
        return Self.bits(from: start, words: word)
    }

    /// The 64 bits from bit `start` of an array of 64-bit words that `word(i)` reads (0 past its end),
    /// two words joined when `start` is not on a word boundary.
    @inline(__always)
    static func bits(from start: UInt64, words word: (Int) -> UInt64) -> UInt64 {
        let shift = start & 63
        let low = word(Int(start >> 6)) >> shift
        return shift == 0 ? low : low | word(Int(start >> 6) + 1) << (64 - shift)
    }

    private func word(_ index: Int) -> UInt64 {
        let c = index >> Self.chunkWordsShift
        guard c < chunks.count, !chunks[c].isEmpty else { return 0 }
        return chunks[c][index & (Self.chunkWords - 1)]
    }

    /// How many chunks hold words (for tests of the sparse allocation).
    var allocatedChunks: Int { chunks.reduce(0) { $0 + ($1.isEmpty ? 0 : 1) } }

    /// Sets `bit`; false when it was set already or lies past the end.
    @discardableResult
    mutating func insert(_ bit: UInt64) -> Bool {
        guard bit < count else { return false }
        return claim(bit, 1) == 0
    }

    /// Sets bits `start ..< start+length` (clipped to the set) and returns how many were already set.
    @discardableResult
    mutating func claim(_ start: UInt64, _ length: UInt64) -> UInt64 {
        // Not written with forEachWord: a closure mutating the chunks while forEachWord borrows `self`
        // forces a copy on every call (it was half of a 100k-file scan).
        guard start < count else { return 0 }
        let end = min(start &+ length, count)
        var already: UInt64 = 0
        var bit = start
        while bit < end {
            let c = Int(bit >> 6) >> Self.chunkWordsShift
            let chunkEnd = min(end, UInt64(c + 1) << UInt64(Self.chunkWordsShift + 6))
            if chunks[c].isEmpty { chunks[c] = [UInt64](repeating: 0, count: Self.chunkWords) }
            chunks[c].withUnsafeMutableBufferPointer { w in
                while bit < chunkEnd {
                    let low = bit & 63
                    let span = min(64 - low, chunkEnd - bit)
                    let mask = Self.mask(low, span)
                    let i = Int(bit >> 6) & (Self.chunkWords - 1)
                    already += UInt64((w[i] & mask).nonzeroBitCount)
                    w[i] |= mask
                    bit += span
                }
            }
        }
        return already
    }

    /// Number of set bits in `start ..< start+length`.
    func population(_ start: UInt64, _ length: UInt64) -> UInt64 {
        guard start < count else { return 0 }
        let end = min(start &+ length, count)
        var total: UInt64 = 0
        var bit = start
        while bit < end {
            let word = Int(bit >> 6), c = word >> Self.chunkWordsShift
            if chunks[c].isEmpty {  // nothing set in this chunk: on to the next
                bit = min(end, UInt64(c + 1) << UInt64(Self.chunkWordsShift + 6))
                continue
            }
            let low = bit & 63
            let span = min(64 - low, end - bit)
            let mask = Self.mask(low, span)
            total += UInt64((chunks[c][word & (Self.chunkWords - 1)] & mask).nonzeroBitCount)
            bit += span
        }
        return total
    }

    /// The mask of `span` bits from bit `low` of a word.
    private static func mask(_ low: UInt64, _ span: UInt64) -> UInt64 { span == 64 ? ~0 : ((1 << span) - 1) << low }
}
