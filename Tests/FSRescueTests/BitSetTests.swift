// The scan's bit arrays: word-at-a-time claims across chunk boundaries, and chunks allocated only where bits are set.
import Testing
@testable import FSRescue

@Suite("Bit sets")
struct BitSetTests {
    static let chunkBits = UInt64(BitSet.chunkWords) * 64

    @Test("claims, counts and reads bits across chunk boundaries as a plain array would")
    func matchesAPlainArray() {
        let count = 3 * Self.chunkBits + 100
        var set = BitSet(count: count)
        var plain = [Bool](repeating: false, count: Int(count))
        let runs: [(UInt64, UInt64)] = [(0, 1), (63, 2), (Self.chunkBits - 5, 10), (2 * Self.chunkBits - 64, 200),
                                        (count - 3, 50), (70, 64), (Self.chunkBits - 5, 3)]
        for (start, length) in runs {
            let end = min(start + length, count)
            let expected = UInt64((Int(start)..<Int(end)).filter { plain[$0] }.count)
            #expect(set.claim(start, length) == expected, "already set in \(start)+\(length)")
            for i in Int(start)..<Int(end) { plain[i] = true }
        }
        set.insert(2 * Self.chunkBits + 7)
        plain[Int(2 * Self.chunkBits + 7)] = true
        for bit in stride(from: UInt64(0), to: count, by: 1) where plain[Int(bit)] != set.contains(bit) {
            Issue.record("bit \(bit): \(set.contains(bit)), expected \(plain[Int(bit)])")
            break
        }
        #expect(!set.contains(count) && !set.contains(.max))
        for (start, length) in [(UInt64(0), count), (60, 10), (Self.chunkBits - 10, Self.chunkBits + 20), (count - 10, 100)] {
            let end = min(start + length, count)
            #expect(set.population(start, length) == UInt64((Int(start)..<Int(end)).filter { plain[$0] }.count))
        }
        for start in [UInt64(0), 1, 63, 64, 100, Self.chunkBits - 30, Self.chunkBits - 64, 2 * Self.chunkBits - 1, count - 40, count - 1, count] {
            var expected: UInt64 = 0
            for j in 0..<UInt64(64) where start + j < count && plain[Int(start + j)] { expected |= 1 << j }
            #expect(set.bits(from: start) == expected, "64 bits from \(start)")
        }
    }

    @Test("a set over 2^33 bits (a mostly empty 32 TiB filesystem of 4 KiB blocks) allocates only the chunks it sets bits in")
    func sparse() {
        var set = BitSet(count: 1 << 33)
        #expect(set.allocatedChunks == 0 && set.population(0, 1 << 33) == 0)
        set.claim(5, 100)
        set.claim((1 << 33) - 10, 100)
        set.insert(1 << 32)
        #expect(set.allocatedChunks == 3)
        #expect(set.population(0, 1 << 33) == 100 + 10 + 1)
        #expect(set.contains(1 << 32) && !set.contains((1 << 32) + 1))
    }
}
