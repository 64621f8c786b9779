// Pass 2B's reads: candidates joined across short gaps into reads of at most 64 blocks, each with its mask.
import Testing
@testable import FSRescue

@Suite("Ownerless candidate reads")
struct OwnerlessCandidatesTests {
    /// The candidate blocks a set of reads stands for, in order.
    static func blocks(_ candidates: OwnerlessCandidates) -> [UInt64] {
        candidates.reads.flatMap { read in (0..<UInt64(64)).filter { read.mask & (1 << $0) != 0 }.map { read.start + $0 } }
    }

    @Test("every other block (damaged bitmaps) is read 64 blocks at a time, not one read per candidate")
    func everyOtherBlock() {
        var candidates = OwnerlessCandidates()
        let blocks = Array(stride(from: UInt64(1000), to: 1000 + 2 * 640, by: 2))
        for b in blocks { candidates.add(b) }
        #expect(candidates.total == 640)
        #expect(candidates.reads.count == 20)
        #expect(candidates.reads.allSatisfy { $0.length == 63 && $0.mask.nonzeroBitCount == 32 })
        #expect(Self.blocks(candidates) == blocks)
    }

    @Test("a read spans gaps of up to 7 blocks, stops at a longer one, and never passes 64 blocks")
    func gapsAndLengths() {
        var candidates = OwnerlessCandidates()
        let blocks: [UInt64] = [10, 11, 19, 27, 40] + Array(100..<170) + [178]
        for b in blocks { candidates.add(b) }
        let reads = candidates.reads.map { ($0.start, $0.length) }
        // 10…27 (gaps of 7), 40 alone (a gap of 12), 100…163 (64 blocks), 164…169 then 178 (a gap of 8 starts another).
        #expect(reads.map(\.0) == [10, 40, 100, 164, 178])
        #expect(reads.map(\.1) == [18, 1, 64, 6, 1])
        #expect(Self.blocks(candidates) == blocks)
        #expect(candidates.total == UInt64(blocks.count))
    }
}
