// The journal's history index on logs built by hand: what survives overwriting, wrap-around,
// missing commits, and hostile bytes.
import Testing
@testable import FSRescue
import FSRescueFixtures

/// A jbd2 log of 1 KiB blocks without checksums or 64bit, written block by block.
struct HandLog {
    static let blockSize = 1024
    var blocks: [[UInt8]]
    var sequence: UInt32

    init(length: Int, nextSequence: UInt32) {
        blocks = Array(repeating: [UInt8](repeating: 0, count: Self.blockSize), count: length)
        sequence = nextSequence
    }

    static func put(_ v: UInt32, _ block: inout [UInt8], at o: Int) {
        block[o] = UInt8(v >> 24); block[o + 1] = UInt8(v >> 16 & 0xFF); block[o + 2] = UInt8(v >> 8 & 0xFF); block[o + 3] = UInt8(v & 0xFF)
    }

    static func header(_ type: UInt32, _ sequence: UInt32) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: blockSize)
        put(JournalSuperblock.magic, &b, at: 0)
        put(type, &b, at: 4)
        put(sequence, &b, at: 8)
        return b
    }

    /// A transaction at `position`: its descriptor, one data block per filesystem block (filled with
    /// the block number's low byte), its commit block. Positions wrap within the log.
    mutating func transaction(_ sequence: UInt32, at position: Int, blocks fsBlocks: [UInt32], committed: Bool = true) {
        var descriptor = Self.header(1, sequence)
        var o = 12
        for (i, b) in fsBlocks.enumerated() {
            Self.put(b, &descriptor, at: o)
            var flags: UInt32 = i == 0 ? 0 : 0x2
            if i == fsBlocks.count - 1 { flags |= 0x8 }
            descriptor[o + 6] = UInt8(flags >> 8); descriptor[o + 7] = UInt8(flags & 0xFF)
            o += 8 + (i == 0 ? 16 : 0)
        }
        var p = position
        func next() { p = p + 1 >= blocks.count ? 1 : p + 1 }
        blocks[p] = descriptor
        for b in fsBlocks {
            next()
            blocks[p] = [UInt8](repeating: UInt8(b & 0xFF), count: Self.blockSize)
        }
        next()
        if committed { blocks[p] = Self.header(2, sequence) }
    }

    var superblock: JournalSuperblock {
        var b = Self.header(4, 0)
        Self.put(UInt32(Self.blockSize), &b, at: 12)
        Self.put(UInt32(blocks.count), &b, at: 16)
        Self.put(1, &b, at: 20)
        Self.put(sequence, &b, at: 24)
        return try! b.withUnsafeBytes { try JournalSuperblock($0, filesystemBlockSize: Self.blockSize, journalBlocks: UInt64(blocks.count)) }
    }

    func history() -> JournalHistory {
        JournalHistory(superblock: superblock, limit: 1 << 20) { first, buffer in
            let n = min(buffer.count / Self.blockSize, blocks.count - Int(first))
            for i in 0..<max(0, n) {
                blocks[Int(first) + i].withUnsafeBytes { buffer.baseAddress!.advanced(by: i * Self.blockSize).copyMemory(from: $0.baseAddress!, byteCount: Self.blockSize) }
            }
            return max(0, n)
        }
    }
}

@Suite("journal history index")
struct JournalHistoryTests {
    static func copies(_ h: JournalHistory) -> [String] {
        h.copies.map { "\($0.sequence):\($0.filesystemBlock)@\($0.logBlock)" }
    }

    @Test("every copy of every committed transaction, checkpointed ones included, oldest first")
    func committed() {
        var log = HandLog(length: 32, nextSequence: 12)
        log.transaction(10, at: 1, blocks: [100, 101, 102])
        log.transaction(11, at: 6, blocks: [200])
        let h = log.history()
        #expect(Self.copies(h) == ["10:100@2", "10:101@3", "10:102@4", "11:200@7"])
        #expect(h.commits.keys.sorted() == [10, 11])
        #expect(h.sequenceRange.map { [$0.oldest, $0.newest] } == [10, 11])
    }

    @Test("a newer transaction written over an older one's blocks and commit leaves nothing of the older one")
    func overwritten() {
        var log = HandLog(length: 32, nextSequence: 13)
        log.transaction(10, at: 1, blocks: [100, 101, 102])
        log.transaction(11, at: 6, blocks: [200])
        // Transaction 12 wrote positions 3–5: tx 10's last data blocks and its commit.
        log.transaction(12, at: 3, blocks: [300])
        let h = log.history()
        #expect(Self.copies(h) == ["11:200@7", "12:300@4"])
        #expect(h.lostCopies == 3)
    }

    @Test("a transaction without its commit block is not history")
    func uncommitted() {
        var log = HandLog(length: 32, nextSequence: 12)
        log.transaction(10, at: 1, blocks: [100])
        log.transaction(11, at: 4, blocks: [200, 201], committed: false)
        #expect(Self.copies(log.history()) == ["10:100@2"])
    }

    @Test("a transaction wrapping past the log's end continues at its first block")
    func wraps() {
        var log = HandLog(length: 16, nextSequence: 21)
        log.transaction(20, at: 14, blocks: [500, 501])
        let h = log.history()
        #expect(Self.copies(h) == ["20:500@15", "20:501@1"])
        #expect(h.commits[20] != nil)
    }

    @Test("2,000 logs of random blocks with journal headers index without trapping, in bounded memory")
    func hostile() {
        var random = SeededRandom(seed: 28)
        for _ in 0..<2_000 {
            var log = HandLog(length: 24, nextSequence: UInt32(truncatingIfNeeded: random.next()))
            for p in 1..<24 where random.next() % 2 == 0 {
                var b = HandLog.header(UInt32(random.next() % 6), UInt32(truncatingIfNeeded: random.next() % 4))
                for i in 12..<64 { b[i] = UInt8(truncatingIfNeeded: random.next()) }
                log.blocks[p] = b
            }
            let h = log.history()
            #expect(h.copies.count <= 24 * 128)
            #expect(h.copies.allSatisfy { $0.logBlock >= 1 && $0.logBlock < 24 })
        }
    }

    @Test("sequence numbers that wrapped: the oldest transaction is the larger number, and nothing traps")
    func wrappedSequences() throws {
        var log = HandLog(length: 32, nextSequence: 5)
        log.transaction(0xFFFF_FFFE, at: 1, blocks: [100])
        log.transaction(3, at: 4, blocks: [200])
        let h = log.history()
        let range = try #require(h.sequenceRange)
        #expect(range.oldest == 0xFFFF_FFFE && range.newest == 3)
        #expect(Self.copies(h) == ["4294967294:100@2", "3:200@5"])
    }

    @Test("a ddrescue mapfile with CRLF line ends reads as with LF")
    func crlfMapfile() throws {
        let text = "# Mapfile\r\n0x0 + 1\r\n0x0 0x1000 +\r\n0x1000 0x1000 -\r\n"
        let map = try Mapfile(text: text, imageSize: 0x2000)
        #expect(map.unread == [0x1000..<0x2000])
    }

    @Test("a log whose every block is a descriptor full of tags is indexed with about two tags a block at most")
    func tagFlood() {
        var log = HandLog(length: 64, nextSequence: 2)
        // Every block a descriptor of transaction 1 listing 120 blocks (each written alone, in a copy).
        var scratch = HandLog(length: 200, nextSequence: 2)
        scratch.transaction(1, at: 1, blocks: Array(1...120))
        for p in 1..<63 { log.blocks[p] = scratch.blocks[1] }
        log.blocks[63] = HandLog.header(2, 1)
        let h = log.history()
        #expect(h.copies.count + h.lostCopies <= 2 * 63 + 1024 + 128, "one descriptor past the cap at most")
        #expect(h.descriptors == 62)
    }

    @Test("UTC times: ISO dates and @seconds parse, and format back")
    func utcTimes() {
        #expect(UTCTime.parse("1970-01-01") == 0)
        #expect(UTCTime.parse("2026-12-07T04:31:33Z") == 1_796_617_893)
        #expect(UTCTime.parse("2026-12-07 04:31") == 1_796_617_860)
        #expect(UTCTime.parse("@1796617893") == 1_796_617_893)
        #expect(UTCTime.format(1_796_617_893) == "2026-12-07T04:31:33Z")
        #expect(UTCTime.format(951_782_400) == "2000-02-29T00:00:00Z")
        for bad in ["2026-02-30", "2026-13-01", "2026-12-07T24:00", "yesterday", "", "2026-1-7", "@x"] {
            #expect(UTCTime.parse(bad) == nil, "\(bad)")
        }
    }
}
