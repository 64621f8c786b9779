// Reading file content from real images: block maps, extents, inline data, sparse files, symlinks.
import Foundation
import Testing
@testable import FSRescue
import FSRescueTestSupport

@Suite("Content copy", .serialized)
struct ContentCopyTests {
    /// A source tree with the shapes that stress a data map.
    static func makeSourceTree(_ dir: TemporaryDirectory) throws -> [String: [UInt8]] {
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        var state: UInt64 = 0x9E3779B97F4A7C15
        func bytes(_ n: Int) -> [UInt8] {
            (0..<n).map { _ in state = state &* 6364136223846793005 &+ 1442695040888963407; return UInt8(truncatingIfNeeded: state >> 33) }
        }
        let files: [String: [UInt8]] = [
            "empty": [], "one": [0x41], "small.txt": Array("hello, rescue\n".utf8),
            "block4k": bytes(4096), "block4k+1": bytes(4097), "big": bytes(5 << 20 + 123),
        ]
        for (name, content) in files {
            _ = FileManager.default.createFile(atPath: "\(src)/\(name)", contents: Data(content))
        }
        // A sparse file: 3 MiB hole, 4 KiB of data, hole to 8 MiB.
        let sparse = "\(src)/sparse"
        _ = FileManager.default.createFile(atPath: sparse, contents: nil)
        let h = try FileHandle(forWritingTo: URL(fileURLWithPath: sparse))
        try h.seek(toOffset: 3 << 20)
        h.write(Data(bytes(4096)))
        try h.truncate(atOffset: 8 << 20)
        try h.close()
        try FileManager.default.createSymbolicLink(atPath: "\(src)/fastlink", withDestinationPath: "small.txt")
        try FileManager.default.createSymbolicLink(atPath: "\(src)/slowlink", withDestinationPath: String(repeating: "long/", count: 30) + "target")
        return files
    }

    struct Shape: Sendable, CustomStringConvertible {
        let type: String, blockSize: Int, extra: [String]
        var description: String { "\(type) \(blockSize) \(extra.joined(separator: " "))" }
    }

    @Test("files come back byte-exact and sparse", arguments: [
        Shape(type: "ext2", blockSize: 1024, extra: []),
        Shape(type: "ext3", blockSize: 4096, extra: []),
        Shape(type: "ext4", blockSize: 4096, extra: []),
        Shape(type: "ext4", blockSize: 1024, extra: ["-O", "inline_data"]),
    ])
    func roundTrip(shape: Shape) throws {
        let dir = TemporaryDirectory()
        let files = try Self.makeSourceTree(dir)
        let img = dir.file("fs.img")
        try TestImages.make(img, type: shape.type, blockSize: shape.blockSize, sizeMiB: 64, extra: shape.extra + ["-d", dir.file("src")])
        try expectUnchanged(img) {
            let fs = try Filesystem.open(path: img)
            let sandbox = try OutputSandbox(root: dir.file("out"))
            let copier = ContentCopier(fs: fs)
            for (name, content) in files {
                let inode = try fs.readInode(try fs.lookup(path: "/\(name)"))
                let map = fs.dataMap(of: inode)
                #expect(map.problems.isEmpty, "\(name): \(map.problems)")
                let out = try sandbox.root.createFile(SafeName(Array(name.utf8)))
                let copy = try copier.copy(map, size: inode.size, to: out)
                try out.finish(size: inode.size, mode: inode.permissions, accessTime: 0, modificationTime: 0, owner: nil)
                let written = try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("out/\(name)"))))
                #expect(written == content, "\(name) differs")
                #expect(copy.missing.isEmpty)
                #expect(copy.sha256 == SHA256.hex(of: content))
                #expect(copy.bytesRecovered == UInt64(content.count))
            }
            let sparse = try fs.readInode(try fs.lookup(path: "/sparse"))
            let out = try sandbox.root.createFile(SafeName(Array("sparse".utf8)))
            let copy = try copier.copy(fs.dataMap(of: sparse), size: sparse.size, to: out)
            try out.finish(size: sparse.size, mode: 0o644, accessTime: 0, modificationTime: 0, owner: nil)
            // The oracle is debugfs's own dump of the same inode (mke2fs -d does not always keep a
            // source file's holes, e.g. with inline_data, so the source folder is not the reference here).
            let dumped = dir.file("sparse.debugfs")
            try Tool.run("debugfs", ["-R", "dump /sparse \(dumped)", img])
            let expected = [UInt8](try Data(contentsOf: URL(fileURLWithPath: dumped)))
            #expect(UInt64(expected.count) == sparse.size)
            #expect(try [UInt8](Data(contentsOf: URL(fileURLWithPath: dir.file("out/sparse")))) == expected)
            #expect(copy.sha256 == SHA256.hex(of: expected))
            #expect(copy.missing.isEmpty)
            var st = stat()
            stat(dir.file("out/sparse"), &st)
            #expect(UInt64(st.st_blocks) * 512 <= copy.bytesRecovered + 64 << 10, "holes were filled")
            for link in ["fastlink", "slowlink"] {
                let inode = try fs.readInode(try fs.lookup(path: "/\(link)"))
                #expect(inode.type == .symlink)
                let sink = MemorySink()
                _ = try copier.copy(fs.dataMap(of: inode), size: inode.size, to: sink)
                let target = try FileManager.default.destinationOfSymbolicLink(atPath: dir.file("src/\(link)"))
                #expect(sink.bytes == Array(target.utf8))
            }
        }
    }

    @Test("hashing holes has a budget per run: later sparse files get no hash, and say why")
    func holeHashBudget() throws {
        let dir = TemporaryDirectory()
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for name in ["a", "b"] {
            _ = FileManager.default.createFile(atPath: "\(src)/\(name)", contents: nil)
            let h = try FileHandle(forWritingTo: URL(fileURLWithPath: "\(src)/\(name)"))
            try h.seek(toOffset: 3 << 20)
            h.write(Data(repeating: 7, count: 4096))
            try h.close()
        }
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 32, extra: ["-d", src])
        let fs = try Filesystem.open(path: img)
        let copier = ContentCopier(fs: fs, holeHashBudget: 4 << 20)
        let first = try fs.readInode(try fs.lookup(path: "/a")), second = try fs.readInode(try fs.lookup(path: "/b"))
        let a = try copier.copy(fs.dataMap(of: first), size: first.size, to: MemorySink())
        let b = try copier.copy(fs.dataMap(of: second), size: second.size, to: MemorySink())
        #expect(a.sha256 != nil)
        #expect(b.sha256 == nil)
        #expect(b.sha256Omitted?.contains("budget") == true)
        #expect(b.bytesRecovered == 4096)
    }

    @Test("a truncated image gives a partial copy with the missing range")
    func truncatedImage() throws {
        let dir = TemporaryDirectory()
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(src)/big", contents: Data(repeating: 0x5A, count: 6 << 20))
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 32, extra: ["-d", src])
        let fs0 = try Filesystem.open(path: img)
        let inode0 = try fs0.readInode(try fs0.lookup(path: "/big"))
        let run = try #require(fs0.dataMap(of: inode0).runs.first)
        // Cut the image 1 MiB into the file's data.
        let cut = (run.physical * 4096) + (1 << 20)
        try FileHandle(forWritingTo: URL(fileURLWithPath: img)).truncate(atOffset: cut)
        let fs = try Filesystem.open(path: img)
        let inode = try fs.readInode(inode0.number)
        let sink = MemorySink()
        let copy = try ContentCopier(fs: fs).copy(fs.dataMap(of: inode), size: inode.size, to: sink)
        #expect(copy.bytesRecovered == 1 << 20)
        #expect(copy.missing == [ByteRange(start: 1 << 20, end: 6 << 20)])
        #expect(sink.bytes.count == 6 << 20)
    }
}

/// Collects content in memory, holes as zeros.
final class MemorySink: ContentSink {
    var bytes: [UInt8] = []
    func write(_ b: UnsafeRawBufferPointer, at offset: UInt64) {
        if bytes.count < Int(offset) + b.count { bytes += [UInt8](repeating: 0, count: Int(offset) + b.count - bytes.count) }
        bytes.replaceSubrange(Int(offset)..<(Int(offset) + b.count), with: b)
    }
    func hole(_ r: ByteRange) {
        if bytes.count < Int(r.end) { bytes += [UInt8](repeating: 0, count: Int(r.end) - bytes.count) }
    }
}

/// Discards what it is given.
private final class DiscardSink: ContentSink {
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) {}
    func hole(_ range: ByteRange) {}
}

@Suite("Copied data leaves the page cache")
struct CopiedDataCacheTests {
    @Test("data starting off a 2 MiB boundary is dropped whole, large folios across chunk ends included",
          .enabled(if: PageCache.observable))
    func unalignedRunIsDropped() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 64)
        let share: Double = try expectUnchanged(img) {
            // The hash read the image whole and in order: cached, in large folios where the kernel makes them.
            let fs = try Filesystem.open(path: img)
            var map = DataMap()
            map.runs = [DataRun(logical: 0, physical: 257, length: 6144)]
            let copier = ContentCopier(fs: fs)
            _ = try copier.copy(map, size: 6144 * 4096, to: DiscardSink())
            copier.dropCopiedData()
            return try PageCache.residentShare(of: img, byteRanges: [257 * 4096 ..< (257 + 6144) * 4096])
        }
        #expect(share < 0.05, "\(Int(share * 100))% of the copied range still cached")
    }
}

extension CopiedDataCacheTests {
    @Test("copying isolated small files drops none of their neighbours' cached data", .enabled(if: PageCache.observable))
    func smallRunKeepsNeighbours() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 64)
        let (before, after): (Double, Double) = try expectUnchanged(img) {
            // Blocks 2400–2900 cached one page at a time (no read-ahead, so no large folios), as
            // scattered small files' reads leave them.
            try PageCache.evict(img)
            let fd = open(img, O_RDONLY)
            defer { close(fd) }
            _ = posix_fadvise(fd, 0, 0, POSIX_FADV_RANDOM)
            var page = [UInt8](repeating: 0, count: 4096)
            for block in 2400..<2900 { _ = pread(fd, &page, 4096, off_t(block * 4096)) }
            let fs = try Filesystem.open(path: img)
            let copier = ContentCopier(fs: fs)
            // Two small files 1 MiB apart (blocks 2600 and 2856), as scattered files lie.
            for physical: UInt64 in [2600, 2856] {
                var map = DataMap()
                map.runs = [DataRun(logical: 0, physical: physical, length: 3)]
                _ = try copier.copy(map, size: 10_000, to: DiscardSink())
            }
            copier.dropCopiedData()
            return (try PageCache.residentShare(of: img, byteRanges: [2400 * 4096 ..< 2599 * 4096]),
                    try PageCache.residentShare(of: img, byteRanges: [2604 * 4096 ..< 2855 * 4096]))
        }
        #expect(before > 0.9, "only \(Int(before * 100))% of the data before the first file still cached")
        #expect(after > 0.9, "only \(Int(after * 100))% of the data between the files still cached")
    }
}
