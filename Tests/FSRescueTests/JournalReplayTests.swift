// The in-memory journal replay against e2fsck's on-disk one, block for block, on kernel power-cut images.
import Foundation
import Testing
@testable import FSRescue
import FSRescueFixtures
import FSRescueTestSupport

@Suite("journal replay", .serialized)
struct JournalReplayTests {
    static let names = KernelImage.powerCuts.map(\.name)
    /// debugfs's journal_run, the block-level oracle, replays only journals inside the image.
    static let internalJournals = KernelImage.powerCuts.filter { !$0.hasExternalJournal }.map(\.name)

    @Test("the power-cut images are committed")
    func present() {
        #expect(Set(Self.names).isSuperset(of: ["powercut-ext4", "powercut-ext4-1k", "powercut-orphanfile", "powercut-nocsum", "powercut-ext3",
                                                "powercut-external"]))
    }

    /// The filesystem blocks of the journal inode (e2fsck's replay rewrites the journal's superblock).
    static func journalBlocks(_ fs: Filesystem) throws -> Set<UInt64> {
        let map = try fs.blockMap(of: 8)
        var blocks = Set<UInt64>()
        for run in map.runs { for k in 0..<UInt64(run.length) { blocks.insert(run.physical + k) } }
        return blocks.union(map.mappingBlocks)
    }

    @Test("every block of the replayed view is the block e2fsprogs' recovery writes (superblock and journal aside)", arguments: internalJournals)
    func sameAsE2fsck(_ name: String) throws {
        let dir = TemporaryDirectory()
        let (img, copy) = try KernelImage(name: name).withReplayedCopy(in: dir)

        let fs = try expectUnchanged(img) { try Filesystem.open(path: img) }
        let summary = try #require(fs.journalReplay)
        #expect(summary.transactions >= 1 && summary.blocks >= 1 && !summary.stoppedOnDamage)
        let replayed = try Filesystem.open(path: copy, options: { var o = OpenOptions(); o.replayJournal = false; return o }())
        #expect(replayed.journalReplay == nil)
        let skip = try Self.journalBlocks(fs).union([fs.blockSize == 1024 ? 1 : 0])
        var differing: [UInt64] = []
        var changedByReplay = 0
        let plain = try FileHandle(forReadingFrom: URL(fileURLWithPath: img))
        defer { try? plain.close() }
        for block in 0..<fs.blocksCount where !skip.contains(block) {
            let ours = try fs.readBlock(block), theirs = try replayed.readBlock(block)
            if ours != theirs { differing.append(block) }
            if fs.overlay?.contains(block) == true { changedByReplay += 1 }
        }
        #expect(differing.isEmpty, "\(name): blocks differing from debugfs journal_run: \(differing.prefix(10))")
        #expect(changedByReplay > 0)
    }

    @Test("a journal superblock with a bad checksum, a wrong block size or a start outside the log is refused")
    func superblockChecks() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "powercut-ext4").decompress(into: dir.path)
        let fs = try Filesystem.open(path: img, options: { var o = OpenOptions(); o.replayJournal = false; return o }())
        let map = try fs.blockMap(of: 8)
        let first = try #require(map.runs.first)
        let raw = try fs.readBlock(first.physical)
        let bs = Int(fs.blockSize)
        /// The problem refusing `bytes`, or nil when they parse (with `blockSize` as the filesystem's).
        func problem(_ bytes: [UInt8], blockSize: Int? = nil) -> JournalSuperblock.Problem? {
            bytes.withUnsafeBytes { b -> JournalSuperblock.Problem? in
                do { _ = try JournalSuperblock(b, filesystemBlockSize: blockSize ?? bs, journalBlocks: 1 << 20); return nil } catch { return error as? JournalSuperblock.Problem }
            }
        }
        #expect(problem(raw) == nil)
        var flipped = raw; flipped[0x80] ^= 1
        #expect(problem(flipped) == .badChecksum)
        if case .badGeometry = problem(raw, blockSize: bs * 2) {} else { Issue.record("a block size other than the filesystem's is refused") }
        var badStart = raw; badStart[28] = 0xFF  // s_start, big-endian, far past the log
        #expect(problem(badStart) != nil)
        #expect(problem([UInt8](repeating: 0, count: bs)) == .notJournal)
    }
}

@Suite("journal replay on hostile logs", .serialized)
struct JournalHostileTests {
    @Test("300 mutated logs (headers, tags, sequences, revoke counts, checksums): open, replay and scan never trap")
    func mutatedLogs() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "powercut-ext4-1k").decompress(into: dir.path)
        let plain = try Filesystem.open(path: img, options: { var o = OpenOptions(); o.replayJournal = false; return o }())
        let map = try plain.blockMap(of: 8)
        let bs = UInt64(plain.blockSize)
        // The log's first 64 blocks hold this image's transactions (descriptor, data, revoke, commit).
        var logBlocks: [UInt64] = []
        for run in map.runs { for k in 0..<UInt64(run.length) where logBlocks.count < 65 { logBlocks.append(run.physical + k) } }
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: img))
        defer { try? handle.close() }
        var random = SeededRandom(seed: 27)
        var replayed = 0, refused = 0
        for _ in 0..<300 {
            let block = logBlocks[Int(random.next() % UInt64(logBlocks.count))]
            // Mostly the header and the first tags, where the counts and sequence numbers are.
            let offset = random.next() % 4 == 0 ? random.next() % bs : random.next() % 64
            try handle.seek(toOffset: block * bs + offset)
            let old = try #require(try handle.read(upToCount: 1))
            let values: [UInt8] = [0, 1, 0x7F, 0x80, 0xFF, old[0] ^ 1, UInt8(truncatingIfNeeded: random.next())]
            try handle.seek(toOffset: block * bs + offset)
            handle.write(Data([values[Int(random.next() % UInt64(values.count))]]))
            if let fs = try? Filesystem.open(path: img) {
                if fs.journalReplay != nil { replayed += 1 } else { refused += 1 }
                let report = fs.scan()
                #expect(report.completed)
            }
            try handle.seek(toOffset: block * bs + offset)
            handle.write(old)
        }
        // Both outcomes happen: most mutations leave a replayable prefix, some stop it before any commit.
        #expect(replayed > 0 && refused > 0, "replayed \(replayed), not replayed \(refused)")
    }
}

@Suite("CRC-32C")
struct CRC32CTests {
    @Test("the check value of \"123456789\", and slice-by-8 equal to byte by byte at every length and alignment")
    func checkValue() {
        let digits = Array("123456789".utf8)
        #expect(digits.withUnsafeBytes { ~CRC32C.update(~0, $0) } == 0xE306_9283)
        var random = SeededRandom(seed: 9)
        let bytes = (0..<300).map { _ in UInt8(truncatingIfNeeded: random.next()) }
        func bytewise(_ crc: UInt32, _ data: ArraySlice<UInt8>) -> UInt32 {
            var c = crc
            for b in data { c ^= UInt32(b); for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 } }
            return c
        }
        for start in 0..<9 {
            for end in stride(from: start, through: bytes.count, by: 7) {
                let slice = bytes[start..<end]
                #expect(slice.withUnsafeBytes { CRC32C.update(0x1234_5678, $0) } == bytewise(0x1234_5678, slice))
            }
        }
    }
}
