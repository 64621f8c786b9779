// fixture create writes what the kernel writes: indexed directories, extent trees of depth 2,
// unwritten extents; e2fsck -fn calls every shape clean, and a read-only kernel mount reads back
// every file, link and listing exactly as the truth says.
import Foundation
import Testing
import FSRescue
@testable import FSRescueFixtures
import FSRescueTestSupport

@Suite("Fixture shapes as the kernel writes them", .serialized)
struct FixtureShapesTests {
    struct Shape: Sendable, CustomTestStringConvertible {
        let type: FixtureType
        let blockSize: UInt32
        var files = 700
        var dirs: Int?
        var testDescription: String { "\(type.rawValue), \(blockSize)-byte blocks, \(files) files" + (dirs.map { ", \($0) dirs" } ?? "") }
    }

    static let shapes: [Shape] = [
        Shape(type: .ext4, blockSize: 4096), Shape(type: .ext4, blockSize: 1024),
        Shape(type: .ext3, blockSize: 4096), Shape(type: .ext3, blockSize: 1024),
        Shape(type: .ext2, blockSize: 2048),
        // One directory of about 4,000 names in 1 KiB blocks: an htree of two levels.
        Shape(type: .ext4, blockSize: 1024, files: 8000, dirs: 1),
    ]

    @Test("every shape is clean to e2fsck -fn and read back by the kernel as the truth says", arguments: shapes)
    func shape(_ s: Shape) throws {
        let dir = TemporaryDirectory()
        let spec = FixtureSpec(type: s.type, blockSize: s.blockSize, files: s.files, dirs: s.dirs, maxFileSize: 1 << 20, seed: 21)
        let made = try FixtureGenerator.create(spec, imagePath: dir.file("fs.img"))
        let fsck = try Tool.run("e2fsck", ["-fn", made.imagePath])
        #expect(fsck.status == 0, "\(fsck.stdout)")

        // What the kernel would have made: an indexed directory, and on ext4 a fragmented file whose
        // extent tree has depth 2 and whose unwritten extents read as zeros.
        let fs = try Filesystem.open(path: made.imagePath)
        let dirs = made.truth.entries.filter { $0.type == "dir" }
        let indexed = try dirs.filter { try fs.readInode($0.inode).flags & 0x1000 != 0 }
        #expect(!indexed.isEmpty, "no indexed directory")
        let fragmented = try #require(made.truth.entries.first { $0.name == "fragmented.db" })
        let extents = try Tool.run("debugfs", ["-R", "ex <\(fragmented.inode)>", made.imagePath]).stdout
        if s.type == .ext4 {
            #expect(extents.contains(" 0/ 2 "), "\(extents.prefix(400))")
            #expect(extents.contains("Uninit"))
            #expect(fragmented.unwrittenRanges?.isEmpty == false)
        } else {
            #expect(fragmented.dataRanges?.isEmpty == false)
        }
        if s.dirs == 1 {
            let root = try Tool.run("debugfs", ["-R", "htree <\(indexed.max { $0.size < $1.size }!.inode)>", made.imagePath]).stdout
            #expect(root.contains("Indirect levels: 1"), "\(root.prefix(300))")
        }
        // fsrescue agrees: clean, and every file salvaged byte-exact (unwritten blocks as zeros).
        #expect(try FSRescueBinary.run(["scan", made.imagePath]).status == 0)
        let out = dir.file("out")
        let salvage = try expectUnchanged(made.imagePath) { try FSRescueBinary.run(["salvage", made.imagePath, "--out", out]) }
        #expect(salvage.status == 0, "\(salvage.stderr)")
        let manifest = try ManifestReadBack(out)
        for e in made.truth.entries where e.type == "file" {
            let item = manifest.items(of: e.inode).first
            #expect(item?.sha256 == e.sha256 && item?.status == .complete, "\(e.path): \(String(describing: item))")
        }

        guard let mount = KernelMount(image: made.imagePath) else {
            #expect(!KernelMount.available, "mount -o loop works here but the fixture did not mount")
            return
        }
        try Self.expectKernelReads(made.truth, at: mount.path)
    }

    @Test("the corruptor's replay of each directory's layout finds every name where the image has it, indexed or not")
    func layoutReplay() throws {
        let dir = TemporaryDirectory()
        let made = try FixtureGenerator.create(FixtureSpec(type: .ext4, blockSize: 1024, files: 3000, dirs: 2, maxFileSize: 64 << 10, seed: 12),
                                               imagePath: dir.file("fs.img"))
        let image = try #require(FileManager.default.contents(atPath: made.imagePath))
        var index = TruthIndex(made.truth)
        index.hashing = DirectoryHashing(superblock: [UInt8](image[1024..<2048]))
        let fs = try Filesystem.open(path: made.imagePath)
        var indexed = 0, checked = 0
        for d in made.truth.entries where d.type == "dir" {
            if try fs.readInode(d.inode).flags & 0x1000 != 0 { indexed += 1 }
            let layout = index.layout(of: d.inode)
            #expect(layout.count == made.truth.entries.filter { $0.parentInode == d.inode && $0.path != "/" }.count, "\(d.path)")
            for at in layout {
                let o = Int(at.imageOffset)
                let inode = image[o..<(o + 4)].reversed().reduce(UInt32(0)) { $0 << 8 | UInt32($1) }
                let length = Int(image[o + 6])
                #expect(inode == at.inode && [UInt8](image[(o + 8)..<(o + 8 + length)]) == Array(at.name.utf8), "\(d.path)/\(at.name)")
                checked += 1
            }
        }
        #expect(indexed >= 2 && checked > 3000, "\(indexed) indexed directories, \(checked) names")
    }

    /// Every entry of `truth` through the kernel's mount: inode number, mode, size, content, link
    /// target, and each directory's listing.
    static func expectKernelReads(_ truth: FixtureTruth, at root: String) throws {
        var names: [UInt32: Set<String>] = [:]
        for e in truth.entries where e.path != "/" { names[e.parentInode, default: []].insert(e.name) }
        var checked = 0
        for e in truth.entries where e.nameHex == nil {
            let path = root + e.path
            var st = stat()
            guard lstat(path, &st) == 0 else { Issue.record("the kernel does not find \(e.path)"); continue }
            checked += 1
            #expect(UInt32(st.st_ino) == e.inode && UInt32(st.st_mode) == e.mode, "\(e.path)")
            switch e.type {
            case "file":
                #expect(UInt64(st.st_size) == e.size, "\(e.path)")
                if let sha = e.sha256 {
                    let data = try #require(FileManager.default.contents(atPath: path))
                    #expect(SHA256.hex(of: [UInt8](data)) == sha, "\(e.path)")
                }
            case "symlink":
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == e.target, "\(e.path)")
            case "dir":
                let listed = Set(try FileManager.default.contentsOfDirectory(atPath: path))
                #expect(listed == names[e.inode] ?? [], "\(e.path): \(listed.count) names, the truth has \(names[e.inode]?.count ?? 0)")
            default: break
            }
        }
        #expect(checked == truth.entries.filter { $0.nameHex == nil }.count)
    }
}
