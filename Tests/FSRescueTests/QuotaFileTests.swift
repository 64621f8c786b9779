// The quota-file reader on hostile bytes: a sentence or records, never a trap, a hang or a large allocation.
import Testing
@testable import FSRescue

@Suite("Quota file reader")
struct QuotaFileTests {
    /// A minimal valid user quota file: header, info, a four-level path to one data block holding ID 1000.
    static func validFile() -> [UInt8] {
        var b = [UInt8](repeating: 0, count: 6 * 1024)
        func put32(_ at: Int, _ v: UInt32) { for i in 0..<4 { b[at + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
        func put64(_ at: Int, _ v: UInt64) { put32(at, UInt32(truncatingIfNeeded: v)); put32(at + 4, UInt32(v >> 32)) }
        put32(0, QuotaType.user.magic); put32(4, 1)
        put32(20, 6)                       // dqi_blocks
        // ID 1000 = 0x000003E8: index bytes 0, 0, 3, 0xE8 at depths 0..3.
        put32(1024 + 0 * 4, 2); put32(2 * 1024 + 0 * 4, 3); put32(3 * 1024 + 3 * 4, 4); put32(4 * 1024 + 0xE8 * 4, 5)
        let entry = 5 * 1024 + 16
        put32(entry, 1000); put64(entry + 24, 7); put64(entry + 48, 40960)
        return b
    }

    @Test("a valid file's record is read")
    func valid() throws {
        let file = try QuotaFile(Self.validFile(), fileSize: 6 * 1024, type: .user)
        #expect(file.records.count == 1)
        #expect(file.records.first?.id == 1000 && file.records.first?.usage == QuotaUsage(space: 40960, inodes: 7))
        #expect(throws: QuotaFileError.self) { try QuotaFile(Self.validFile(), fileSize: 6 * 1024, type: .group) }
    }

    @Test("every single-byte change and every truncation gives records or a sentence")
    func mutations() {
        let base = Self.validFile()
        var outcomes = 0
        for at in stride(from: 0, to: base.count, by: 7) {
            for value: UInt8 in [0, 1, 0x7F, 0xFF] {
                var bytes = base
                bytes[at] = value
                do { _ = try QuotaFile(bytes, fileSize: UInt64(bytes.count), type: .user) } catch { #expect(!error.reason.isEmpty) }
                outcomes += 1
            }
        }
        for cut in stride(from: 0, through: base.count, by: 100) {
            // The file claims its full size but holds only `cut` bytes: the rest reads as zeros.
            _ = try? QuotaFile(Array(base.prefix(cut)), fileSize: UInt64(base.count), type: .user)
            outcomes += 1
        }
        // Every reference in every tree block pointing at one block: each block is still read once.
        var loop = base
        for slot in 0..<256 { for blk in 1...4 { loop.replaceSubrange((blk * 1024 + 4 * slot)..<(blk * 1024 + 4 * slot + 4), with: [2, 0, 0, 0]) } }
        _ = try? QuotaFile(loop, fileSize: UInt64(loop.count), type: .user)
        #expect(outcomes > 3000)
    }
}
