// fixture create: byte-identical images, clean to e2fsck, truth that matches the bytes.
import Foundation
import Testing
import FSRescue
import FSRescueFixtures
import FSRescueTestSupport

@Suite("Creating fixture images", .serialized)
struct FixtureCreateTests {
    @Test("a fresh fixture is clean to e2fsck -fn", arguments: FixtureType.allCases, [UInt32(1024), 4096])
    func cleanToE2fsck(type: FixtureType, blockSize: UInt32) throws {
        let dir = TemporaryDirectory()
        let spec = FixtureSpec(type: type, blockSize: blockSize, files: 400, maxFileSize: 2 << 20, seed: 11)
        let made = try FixtureGenerator.create(spec, imagePath: dir.file("fs.img"))
        let fsck = try Tool.run("e2fsck", ["-fn", made.imagePath])
        #expect(fsck.status == 0, "\(fsck.stdout)")
        let info = try Filesystem.open(path: made.imagePath).info
        #expect(info.type == type.rawValue)
        #expect(info.blockSize == blockSize)
        #expect(info.uuid == made.truth.filesystem.uuid)
    }

    @Test("the same arguments give byte-identical images and truth; another seed does not")
    func deterministic() throws {
        let dir = TemporaryDirectory()
        let spec = FixtureSpec(type: .ext4, blockSize: 1024, files: 300, maxFileSize: 1 << 20, seed: 42)
        let a = try FixtureGenerator.create(spec, imagePath: dir.file("a.img"))
        Thread.sleep(forTimeInterval: 1.1)  // a clock leaking into the image would show
        let b = try FixtureGenerator.create(spec, imagePath: dir.file("b.img"))
        #expect(try TestImages.sha256(a.imagePath) == TestImages.sha256(b.imagePath))
        #expect(try TestImages.sha256(a.truthPath) == TestImages.sha256(b.truthPath))
        var other = spec
        other.seed = 43
        let c = try FixtureGenerator.create(other, imagePath: dir.file("c.img"))
        #expect(try TestImages.sha256(a.imagePath) != TestImages.sha256(c.imagePath))
        #expect(a.truth.filesystem.uuid != c.truth.filesystem.uuid)
    }

    @Test("the truth streamed to disk holds what the generator returns; keepingEntries: false keeps no entries")
    func streamedTruth() throws {
        let dir = TemporaryDirectory()
        let spec = FixtureSpec(type: .ext4, blockSize: 1024, files: 500, maxFileSize: 64 << 10, seed: 17)
        let kept = try FixtureGenerator.create(spec, imagePath: dir.file("a.img"))
        let read = try FixtureTruth.read(from: kept.truthPath)
        #expect(read.entries == kept.truth.entries)
        #expect(read.hardLinks == kept.truth.hardLinks && !read.hardLinks.isEmpty)
        #expect(read.filesystem == kept.truth.filesystem)
        let streamed = try FixtureGenerator.create(spec, imagePath: dir.file("b.img"), keepingEntries: false)
        #expect(streamed.truth.entries.isEmpty)
        #expect(try TestImages.sha256(streamed.truthPath) == TestImages.sha256(kept.truthPath))
        #expect(streamed.counts == Dictionary(grouping: kept.truth.entries, by: \.type).mapValues(\.count))
        #expect(try TestImages.sha256(streamed.imagePath) == TestImages.sha256(kept.imagePath))
    }

    @Test("every file's content in the image matches the truth's sha256", arguments: [FixtureType.ext3, .ext4])
    func contentMatchesTruth(type: FixtureType) throws {
        let dir = TemporaryDirectory()
        let made = try FixtureGenerator.create(FixtureSpec(type: type, blockSize: 1024, files: 120, maxFileSize: 256 << 10, seed: 5),
                                               imagePath: dir.file("fs.img"))
        let files = made.truth.entries.filter { $0.type == "file" }
        #expect(files.count >= 120)
        for e in files {
            let out = try Tool.run("debugfs", ["-R", "cat <\(e.inode)>", made.imagePath])
            #expect(SHA256.hex(of: [UInt8](out.stdoutData)) == e.sha256, "\(e.path)")
            #expect(UInt64(out.stdoutData.count) == e.size, "\(e.path)")
        }
        for e in made.truth.entries where e.type == "symlink" {
            let out = try Tool.run("debugfs", ["-R", "stat <\(e.inode)>", made.imagePath])
            #expect(out.stdout.contains(e.size < 60 ? "Fast link dest" : "EXTENTS") || type == .ext3, "\(e.path)")
        }
    }

    @Test("the tree holds the special cases")
    func specialCases() throws {
        let dir = TemporaryDirectory()
        let bs: UInt64 = 4096
        let made = try FixtureGenerator.create(FixtureSpec(type: .ext4, blockSize: UInt32(bs), files: 200, maxFileSize: 3 << 20, seed: 9),
                                               imagePath: dir.file("fs.img"))
        let t = made.truth
        #expect(t.schema == "fsrescue.truth/1")
        let sizes = Set(t.entries.filter { $0.type == "file" }.map(\.size))
        for size in [0, 1, bs - 1, bs, bs + 1, 12 * bs, 12 * bs + 1, 3 << 20] { #expect(sizes.contains(size), "size \(size)") }
        #expect(t.entries.contains { $0.dataRanges != nil && $0.type == "file" })
        #expect(t.entries.contains { Array($0.name.utf8).count == 255 && $0.name.unicodeScalars.allSatisfy(\.isASCII) })
        #expect(t.entries.contains { Array($0.name.utf8).count > 200 && !$0.name.unicodeScalars.allSatisfy(\.isASCII) })
        #expect(t.entries.contains { $0.type == "symlink" && $0.size < 60 })
        #expect(t.entries.contains { $0.type == "symlink" && $0.size >= 60 })
        #expect(!t.hardLinks.isEmpty && t.hardLinks.allSatisfy { $0.paths.count >= 2 })
        #expect(t.entries.contains { $0.xattrBlock != nil })
        #expect(t.entries.contains { $0.xattrs != nil && $0.xattrBlock == nil })
        #expect(t.entries.filter { $0.type == "dir" }.map { $0.path.split(separator: "/").count }.max()! >= 3)
        let sparse = try #require(t.entries.first { $0.dataRanges != nil })
        let out = try Tool.run("debugfs", ["-R", "stat <\(sparse.inode)>", made.imagePath])
        #expect(out.stdout.contains("Size: \(sparse.size)"))
    }

    @Test("an existing output is refused, and replaced only when asked")
    func refusesExisting() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("taken.img")
        #expect(FileManager.default.createFile(atPath: path, contents: Data("precious".utf8)))
        let spec = FixtureSpec(files: 10, seed: 1)
        let error = #expect(throws: FSRescueError.self) { try FixtureGenerator.create(spec, imagePath: path) }
        #expect(error?.code == .outputFailed)
        #expect(error?.message.contains("--force") == true)
        #expect(try String(contentsOfFile: path, encoding: .utf8) == "precious")
        _ = try FixtureGenerator.create(spec, imagePath: path, replace: true)
        #expect(try Tool.run("e2fsck", ["-fn", path]).status == 0)
    }

    @Test("a --size too small for the tree fails with a sentence and leaves no image")
    func tooSmall() throws {
        let dir = TemporaryDirectory()
        let path = dir.file("small.img")
        let error = #expect(throws: FSRescueError.self) {
            try FixtureGenerator.create(FixtureSpec(sizeBytes: 8 << 20, blockSize: 1024, files: 2000, maxFileSize: 1 << 20, seed: 1), imagePath: path)
        }
        #expect(error?.message.contains("--size") == true)
        #expect(!FileManager.default.fileExists(atPath: path))
    }

    @Test("sizes parse with K, M, G suffixes")
    func byteSizes() throws {
        #expect(try ByteSize(parsing: "64M", option: "--size").bytes == 64 << 20)
        #expect(try ByteSize(parsing: "4k", option: "--size").bytes == 4096)
        #expect(try ByteSize(parsing: "2GiB", option: "--size").bytes == 2 << 30)
        #expect(try ByteSize(parsing: "1000", option: "--size").bytes == 1000)
        #expect(throws: FSRescueError.self) { try ByteSize(parsing: "12Q", option: "--size") }
        #expect(ByteSize(bytes: 3 << 20).description == "3M")
    }
}
