// The raw-superblock checks that keep libext2fs from dividing by zero under EXT2_FLAG_IGNORE_SB_ERRORS.
import Foundation
import Testing
@testable import FSRescue
import FSRescueTestSupport

@Suite("Superblock sanity before tolerant opens", .serialized)
struct SuperblockSanityTests {
    func rawSuperblock(_ path: String) throws -> [UInt8] {
        let h = try FileHandle(forReadingFrom: URL(fileURLWithPath: path))
        defer { try? h.close() }
        try h.seek(toOffset: 1024)
        return [UInt8](try h.read(upToCount: 1024) ?? Data())
    }

    @Test func freshSuperblockIsSane() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 32)
        #expect(SuperblockSanity(raw: try rawSuperblock(img)).problems.isEmpty)
    }

    @Test("zero divisors are caught", arguments: [(0xFE, "descriptor size 0"), (0x20, "zero blocks per group"),
                                               (0x28, "zero inodes per group"), (0x58, "inode size 0")])
    func zeroDivisor(offset: Int, problem: String) throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 32)
        var raw = try rawSuperblock(img)
        raw[offset] = 0; raw[offset + 1] = 0
        if offset == 0x20 || offset == 0x28 { raw[offset + 2] = 0; raw[offset + 3] = 0 }
        #expect(SuperblockSanity(raw: raw).problems.contains(problem))
    }

    @Test("a zero descriptor size gives exit-8 error, not a crash")
    func zeroDescriptorSizeOpen() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 32, extra: ["-O", "^metadata_csum"])
        try TestImages.zero(img, offset: 1024 + 0xFE, count: 2)
        let thrown = try expectUnchanged(img) { () -> FSRescueError? in
            do throws(FSRescueError) { _ = try Filesystem.open(path: img); return nil } catch { return error }
        }
        #expect(thrown?.code == .openFailed)
        #expect(thrown?.message.contains("descriptor size 0") == true)
    }

    /// A group's inode and block bitmaps are one block each: 4 KiB blocks hold 32,768 bits. Beyond
    /// that, libext2fs's 32-bit inode-table arithmetic wraps (a fuzzed image with 0xFFFFFFFF inodes
    /// per group made ext2fs_get_next_inode_full copy a negative length).
    @Test("more inodes or blocks per group than a one-block bitmap holds are caught",
          arguments: [(0x28, UInt32(32_769), "32769 inodes per group"), (0x28, UInt32.max, "4294967295 inodes per group"),
                      (0x20, UInt32(32_769), "32769 blocks per group")])
    func beyondTheBitmap(offset: Int, value: UInt32, problem: String) throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 32)
        var raw = try rawSuperblock(img)
        for i in 0..<4 { raw[offset + i] = UInt8(truncatingIfNeeded: value >> (8 * UInt32(i))) }
        #expect(SuperblockSanity(raw: raw).problems.contains(problem))
        for i in 0..<4 { raw[offset + i] = UInt8(truncatingIfNeeded: UInt32(32_768) >> (8 * UInt32(i))) }
        #expect(SuperblockSanity(raw: raw).problems.isEmpty, "32,768 per group fill one 4 KiB bitmap exactly")
    }
}
