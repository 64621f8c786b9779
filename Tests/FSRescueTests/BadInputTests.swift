// Bad inputs give one clear, typed error: never a crash, a hang, or a write.
import Foundation
import Testing
import FSRescue
import FSRescueTestSupport

@Suite("Bad input")
struct BadInputTests {
    @Test func missingFile() {
        #expect(#expect(throws: FSRescueError.self) { try Filesystem.open(path: "/nonexistent/fsrescue.img") }?.code == .notFound)
    }

    @Test func directory() {
        let dir = TemporaryDirectory()
        #expect(#expect(throws: FSRescueError.self) { try Filesystem.open(path: dir.path) }?.code == .isDirectory)
    }

    @Test func emptyFile() {
        let dir = TemporaryDirectory()
        let img = dir.file("empty.img")
        _ = FileManager.default.createFile(atPath: img, contents: Data())
        #expect(#expect(throws: FSRescueError.self) { try Filesystem.open(path: img) }?.code == .emptyImage)
    }

    @Test("a superblock whose first data block is impossible is refused, not read: libext2fs would overrun its bitmap")
    func impossibleFirstDataBlock() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fdb.img")
        // One group of 1 KiB blocks: no backup superblock to fall back on.
        try TestImages.make(img, type: "ext2", blockSize: 1024, sizeMiB: 2)
        let fd = open(img, O_WRONLY)
        var value = UInt32(255).littleEndian   // s_first_data_block, at byte 0x14 of the superblock
        #expect(pwrite(fd, &value, 4, 1024 + 0x14) == 4)
        close(fd)
        try expectUnchanged(img) {
            #expect(#expect(throws: FSRescueError.self) { try Filesystem.open(path: img) }?.code == .openFailed)
        }
    }

    @Test func fifoIsRefusedWithoutBlocking() throws {
        let dir = TemporaryDirectory()
        let fifo = dir.file("pipe")
        #expect(mkfifo(fifo, 0o600) == 0)
        #expect(#expect(throws: FSRescueError.self) { try Filesystem.open(path: fifo) }?.code == .unsupportedFileType)
    }

    @Test func swapIsNamedByBlkid() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("swap.img")
        _ = FileManager.default.createFile(atPath: img, contents: nil)
        try FileHandle(forWritingTo: URL(fileURLWithPath: img)).truncate(atOffset: 8 << 20)
        try Tool.run("mkswap", ["-q", img])
        do {
            _ = try Filesystem.open(path: img)
            Issue.record("swap opened as ext")
        } catch {
            #expect(error.code == .notExtFilesystem)
            #expect(error.message.contains("looks like swap"))
        }
    }

    @Test func randomBytesAreNotExt() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("noise.img")
        var rng = SystemRandomNumberGenerator()
        _ = FileManager.default.createFile(atPath: img, contents: Data((0..<(1 << 20)).map { _ in UInt8.random(in: 0...255, using: &rng) }))
        let thrown = try expectUnchanged(img) { () -> FSRescueError? in
            do throws(FSRescueError) { _ = try Filesystem.open(path: img); return nil } catch { return error }
        }
        #expect(thrown?.code == .notExtFilesystem)
    }

    @Test func partitionTableWithoutExt() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("disk.img")
        _ = FileManager.default.createFile(atPath: img, contents: nil)
        try FileHandle(forWritingTo: URL(fileURLWithPath: img)).truncate(atOffset: 32 << 20)
        try Tool.run("sfdisk", ["-q", img], stdin: Data("label: dos\nstart=2048, size=20000, type=82\n".utf8))
        let swap = dir.file("swap.part")
        _ = FileManager.default.createFile(atPath: swap, contents: nil)
        try FileHandle(forWritingTo: URL(fileURLWithPath: swap)).truncate(atOffset: 10_000 * 512)
        try Tool.run("mkswap", ["-q", swap])
        try Tool.run("dd", ["if=\(swap)", "of=\(img)", "bs=512", "seek=2048", "conv=notrunc", "status=none"])
        do {
            _ = try Filesystem.open(path: img)
            Issue.record("opened a disk with no ext partition")
        } catch {
            #expect(error.code == .noExtPartition)
            #expect(error.message.contains("swap"))
        }
    }

    @Test func partitionTableWithUnrecognizedPartition() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("disk.img")
        _ = FileManager.default.createFile(atPath: img, contents: nil)
        try FileHandle(forWritingTo: URL(fileURLWithPath: img)).truncate(atOffset: 32 << 20)
        try Tool.run("sfdisk", ["-q", img], stdin: Data("label: dos\nstart=2048, size=20000, type=83\n".utf8))
        do {
            _ = try Filesystem.open(path: img)
            Issue.record("opened a disk with an empty partition")
        } catch {
            #expect(error.code == .noExtPartition)
            #expect(error.message.contains("1: unknown"))
        }
    }

    @Test func unreadableFileWhenNotRoot() throws {
        guard getuid() != 0 else { return }  // root reads everything; the CLI test covers another user
        let dir = TemporaryDirectory()
        let img = dir.file("secret.img")
        try TestImages.make(img, sizeMiB: 8)
        chmod(img, 0)
        #expect(#expect(throws: FSRescueError.self) { try Filesystem.open(path: img) }?.code == .permissionDenied)
    }
}
