// fixture corrupt: each kind damages a copy, the input stays as it was, the truth says what happened.
import Foundation
import Testing
import FSRescue
import FSRescueFixtures
import FSRescueTestSupport

@Suite("Corrupting fixture copies", .serialized)
struct FixtureCorruptTests {
    /// A 1 KiB-block ext4 of three groups, so backup superblocks exist.
    static func base(_ dir: TemporaryDirectory, type: FixtureType = .ext4) throws -> FixtureImage {
        try FixtureGenerator.create(FixtureSpec(type: type, sizeBytes: 24 << 20, blockSize: 1024, files: 300, maxFileSize: 512 << 10, seed: 21),
                                    imagePath: dir.file("base.img"))
    }

    /// e2fsck -fn's exit status on each kind. Random bytes over a directory or inode-table block
    /// make e2fsck -n abort after reporting (4 | 8): it cannot go on without salvaging.
    static func expectedE2fsck(_ kind: CorruptionKind) -> Int32? {
        switch kind {
        case .truncate: nil
        case .dirBlockNoise, .inodeTableNoise: 12
        default: 4
        }
    }

    @Test("each kind damages a copy, leaves the input byte-identical, and e2fsck -fn reports it",
          arguments: CorruptionKind.allCases)
    func kind(_ kind: CorruptionKind) throws {
        let dir = TemporaryDirectory()
        let base = try Self.base(dir)
        let before = try TestImages.sha256(base.imagePath)
        let out = dir.file("out.img")
        let made = try FixtureCorruptor.corrupt(input: base.imagePath, output: out, kinds: [kind], seed: 3, count: 2)
        #expect(try TestImages.sha256(base.imagePath) == before)
        #expect(try TestImages.sha256(out) != before)
        let c = try #require(made.truth.corruptions.first)
        #expect(made.truth.corruptions.count == 1)
        #expect(c.kind == kind)
        #expect(!c.summary.isEmpty)
        #expect(!c.inodes.isEmpty || !c.blocks.isEmpty || !c.byteRanges.isEmpty)
        #expect(made.truth.recoverable != nil)
        let reread = try FixtureTruth.read(from: made.truthPath)
        #expect(reread.corruptions.first?.kind == kind)
        let fsck = try Tool.run("e2fsck", ["-fn", out])
        if let expected = Self.expectedE2fsck(kind) {
            #expect(fsck.status == expected, "\(fsck.stdout.prefix(2000))")
        } else {
            let size = try FileManager.default.attributesOfItem(atPath: out)[.size] as! UInt64
            #expect(size < made.truth.filesystem.imageBytes)
        }
    }

    @Test("unlinked names stay in directory-block slack where the truth says")
    func slackNames() throws {
        let dir = TemporaryDirectory()
        let base = try Self.base(dir)
        let made = try FixtureCorruptor.corrupt(input: base.imagePath, output: dir.file("out.img"), kinds: [.unlinkFile, .orphanList], seed: 5, count: 3)
        let names = made.truth.corruptions.flatMap(\.names)
        #expect(names.count == 6)
        let handle = try FileHandle(forReadingFrom: URL(fileURLWithPath: made.imagePath))
        defer { try? handle.close() }
        for n in names {
            #expect(n.state == "slack")
            try handle.seek(toOffset: n.imageOffset + 8)
            let bytes = try #require(try handle.read(upToCount: Array(n.name.utf8).count))
            #expect([UInt8](bytes) == Array(n.name.utf8))
            let fate = try #require(made.truth.recoverable?.affected.first { $0.inode == n.inode })
            #expect(fate.content == "intact")
            #expect(!fate.reachable)
        }
        let orphans = try #require(made.truth.corruptions.first { $0.kind == .orphanList })
        let info = try Filesystem.open(path: made.imagePath).info
        #expect(info.orphans.listHead == UInt64(orphans.inodes[0]))
    }

    @Test("kinds compose, applied in the listed order whatever the command-line order; same seed, same bytes")
    func composition() throws {
        let dir = TemporaryDirectory()
        let base = try Self.base(dir)
        let kinds: [CorruptionKind] = [.truncate, .linkCount, .hostileNames, .clearInode, .zeroSuperblock]
        let a = try FixtureCorruptor.corrupt(input: base.imagePath, output: dir.file("a.img"), kinds: kinds, seed: 9)
        let b = try FixtureCorruptor.corrupt(input: base.imagePath, output: dir.file("b.img"), kinds: kinds.reversed(), seed: 9)
        #expect(a.truth.corruptions.map(\.kind) == [.hostileNames, .clearInode, .linkCount, .zeroSuperblock, .truncate])
        #expect(try TestImages.sha256(a.imagePath) == TestImages.sha256(b.imagePath))
        let touched = a.truth.corruptions.filter { $0.kind == .clearInode || $0.kind == .linkCount }.flatMap(\.inodes)
        #expect(Set(touched).count == touched.count)
    }

    @Test("clear-inode orphans the children: their names survive in blocks nothing maps")
    func clearInodeFates() throws {
        let dir = TemporaryDirectory()
        let base = try Self.base(dir)
        let made = try FixtureCorruptor.corrupt(input: base.imagePath, output: dir.file("out.img"), kinds: [.clearInode], seed: 2)
        let cleared = try #require(made.truth.corruptions.first?.inodes.first)
        let children = made.truth.entries.filter { $0.parentInode == cleared }
        #expect(!children.isEmpty)
        let fates = made.truth.recoverable!.affected
        #expect(fates.first { $0.inode == cleared }?.content == "lost")
        for child in children {
            let fate = try #require(fates.first { $0.inode == child.inode })
            let elsewhere = made.truth.entries.contains { $0.inode == child.inode && $0.parentInode != cleared }
            #expect(fate.reachable == elsewhere, "\(child.path)")
            #expect(fate.names.contains { $0.state == "orphaned-block" && $0.dirInode == cleared })
        }
    }

    @Test("hostile-names adds the entries an extractor must survive")
    func hostile() throws {
        let dir = TemporaryDirectory()
        let base = try Self.base(dir)
        let made = try FixtureCorruptor.corrupt(input: base.imagePath, output: dir.file("out.img"), kinds: [.hostileNames], seed: 1)
        let added = try #require(made.truth.corruptions.first?.addedEntries)
        let names = added.map { $0.nameHex ?? $0.name }
        for name in [".", "..", "shadow", "setuid-root", "huge-sparse.img", "null-device", "disk-device", "fifo", "socket"] {
            #expect(names.contains(name), "\(name)")
        }
        #expect(added.contains { $0.nameHex == "2e2e2f2e2e2f657363617065" })  // ../../escape
        #expect(added.contains { $0.nameHex == "fffe8041c3" })
        #expect(added.filter { $0.name == "shadow" }.map(\.type).sorted() == ["dir", "symlink"])
        #expect(added.contains { $0.mode == 0o104755 && $0.uid == 0 })
        let huge = try #require(added.first { $0.name == "huge-sparse.img" })
        #expect(huge.size == 1 << 40)
        #expect(huge.sha256 == nil && huge.dataRanges?.count == 2)
        #expect(made.truth.entries.contains { $0.path == "/hostile/setuid-root" })
    }

    @Test("the input must have a truth file, and --out must not be the input")
    func refusals() throws {
        let dir = TemporaryDirectory()
        let base = try Self.base(dir)
        #expect(#expect(throws: FSRescueError.self) {
            try FixtureCorruptor.corrupt(input: base.imagePath, output: base.imagePath, kinds: [.linkCount])
        }?.code == .usage)
        try FileManager.default.removeItem(atPath: base.truthPath)
        #expect(#expect(throws: FSRescueError.self) {
            try FixtureCorruptor.corrupt(input: base.imagePath, output: dir.file("x.img"), kinds: [.linkCount])
        }?.code == .notFound)
        #expect(!FileManager.default.fileExists(atPath: dir.file("x.img")))
    }
}
