// The scan's live-inode set: rank and select as a sorted array gives them, and chunks stored only where inodes are.
import Testing
@testable import FSRescue
import FSRescueTestSupport

@Suite("Live inode sets")
struct LiveInodesTests {
    static let chunkInodes = UInt32(1) << UInt32(LiveInodes.chunkBitsShift)

    /// Inodes at chunk and word edges, a dense run, and a far chunk, in increasing order.
    static var sample: [UInt32] {
        let c = chunkInodes
        var inodes: [UInt32] = [1, 2, 11, 63, 64, 65, 127, 128, 129]
        inodes += Array(200..<1400).filter { $0 % 3 != 0 }
        inodes += [c - 1, c, c + 1, 2 * c, 5 * c + 64, 5 * c + 65, 9 * c]
        return inodes
    }

    @Test("positions, numbers and the walk in order agree with a sorted array, across chunks and words")
    func matchesASortedArray() {
        let inodes = Self.sample
        var set = LiveInodes(capacity: 9 * Self.chunkInodes)
        set.reserve(chunks: 3)
        for inode in inodes {
            let added = set.append(inode)
            #expect(added, "inode \(inode)")
        }
        set.shrink()
        #expect(set.count == inodes.count)
        for (i, inode) in inodes.enumerated() {
            #expect(set.index(of: inode) == i, "rank of \(inode)")
            #expect(set.inode(at: i) == inode, "select \(i)")
        }
        let live = Set(inodes)
        for inode in UInt32(0)...(9 * Self.chunkInodes + 2) where !live.contains(inode) && set.index(of: inode) != nil {
            Issue.record("inode \(inode) is not live but has a position")
            break
        }
        #expect(set.numbered.map(\.inode) == inodes)
        // 64 bits at a time from any bit (bit n - 1 is inode n), across words, chunks and chunks not stored.
        let c = UInt64(Self.chunkInodes)
        for start in [UInt64(0), 1, 63, 64, 100, 1300, c - 40, c - 1, c, 2 * c - 10, 3 * c, 5 * c + 30, 9 * c - 64, 9 * c - 1, 9 * c] {
            var expected: UInt64 = 0
            for k in 0..<UInt64(64) where live.contains(UInt32(start + k + 1)) && start + k < 9 * c { expected |= 1 << k }
            #expect(set.bits(from: start) == expected, "64 bits from \(start)")
        }
        #expect(set.numbered.map(\.index) == Array(inodes.indices))
        // Chunks 0, 1, 5 and 8 hold inodes (bit n - 1 stands for inode n: inode c is chunk 0's last bit, 2c chunk 1's, 9c chunk 8's).
        #expect(set.storedChunks == 4)
    }

    @Test("inode 0, inodes past the capacity and inodes out of order are refused and change nothing")
    func refusals() {
        var set = LiveInodes(capacity: 100)
        let added = [0, 100, 101, .max, 50, 100].map { set.append($0) }
        #expect(added == [false, true, false, false, false, false])
        #expect(set.count == 1 && set.index(of: 100) == 0 && set.index(of: 50) == nil && set.index(of: 0) == nil)
        #expect(set.index(of: .max) == nil)
    }

    @Test("a set over 2^32 - 1 inodes stores only the chunks holding any, and finds an inode at the very end")
    func sparse() {
        var set = LiveInodes(capacity: .max)
        let added = [2, 11, 12, 3_000_000_000, .max].map { set.append($0) }
        #expect(!added.contains(false))
        #expect(set.storedChunks == 3)
        #expect(set.index(of: .max) == 4 && set.inode(at: 4) == .max)
        #expect(set.index(of: 3_000_000_000) == 3 && set.index(of: 2_999_999_999) == nil)
        #expect(Array(set.numbered.map(\.inode)) == [2, 11, 12, 3_000_000_000, .max])
    }

    @Test("a scan of a mostly empty 32 GiB ext4 (2M inodes) keeps live-inode words for the one chunk in use")
    func mostlyEmptyFilesystem() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("empty.img")
        // No journal and lazy inode tables: mke2fs writes 4 MB of the sparse 32 GiB.
        try TestImages.make(img, sizeMiB: 32 << 10, extra: ["-O", "^has_journal", "-E", "lazy_itable_init=1"])
        let report = try Filesystem.open(path: img).scan()
        #expect(report.verdict == .clean)
        #expect(report.inodes.live.capacity == 2 << 20)
        // A flat bitmap with ranks would be 2M / 64 words of 12 bytes (384 KiB); the chunk is 1.5 KiB.
        #expect(report.inodes.live.storedChunks == 1)
        #expect(report.inodes.count == report.inodes.numbered.reduce(0) { n, _ in n + 1 })
    }
}
