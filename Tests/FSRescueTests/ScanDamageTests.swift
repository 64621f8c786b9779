// Damage made with debugfs on the tests' own images: each reported with the right code and inode.
import Foundation
import Testing
import FSRescue
import FSRescueTestSupport

@Suite("scan: damage is reported precisely", .serialized)
struct ScanDamageTests {
    /// A populated image of `type`, damaged by `commands`, scanned with its hash checked before and after.
    func scanDamaged(type: String = "ext4", blockSize: Int = 1024, _ commands: (String) throws -> [String]) throws -> (ScanReport, String, TemporaryDirectory) {
        let dir = TemporaryDirectory()
        let img = try ScanImages.makePopulated(dir, type: type, blockSize: blockSize)
        try TestImages.debugfsWrite(img, try commands(img))
        let report = try expectUnchanged(img) { try Filesystem.open(path: img).scan() }
        #expect(report.completed)
        return (report, img, dir)
    }

    func codes(_ report: ScanReport, inode: UInt32) -> Set<String> {
        Set(report.findings.filter { $0.inode == inode }.map(\.code.id))
    }

    @Test("unlink leaving the inode allocated: an unattached orphan, named by the slack of its directory", arguments: ["ext2", "ext4"])
    func unlinked(type: String) throws {
        var ino: UInt32 = 0
        let (report, _, _) = try scanDamaged(type: type) { img in
            ino = try ScanImages.inode(img, "/tree/hosts")
            return ["sif /tree/hosts links_count 1", "unlink /tree/sub/hosts-link", "unlink /tree/hosts"]
        }
        #expect(report.verdict == .damaged)
        #expect(codes(report, inode: ino).contains("inode.unattached"))
        let orphan = try #require(report.orphans.first { $0.inode == ino })
        #expect(orphan.kind == .unattached && orphan.type == .regular && orphan.worthSalvaging)
        let names = orphan.nameEvidence.filter { $0.source == .slack }.map { String(decoding: $0.name, as: UTF8.self) }
        #expect(names.contains("hosts"))
        #expect(orphan.nameEvidence.first?.typeMatches == true)
    }

    @Test("a slow symlink whose size is not its target's length is reported on that inode, and only that one", arguments: ["ext2", "ext4"])
    func badSlowSymlink(type: String) throws {
        var bad: UInt32 = 0, good: UInt32 = 0, fast: UInt32 = 0
        let (report, _, _) = try scanDamaged(type: type) { img in
            try TestImages.debugfsWrite(img, ["cd tree", "symlink longlink2 /\(String(repeating: "y", count: 90))"])
            (bad, good, fast) = (try ScanImages.inode(img, "/tree/longlink"), try ScanImages.inode(img, "/tree/longlink2"),
                                 try ScanImages.inode(img, "/tree/link"))
            return ["sif /tree/longlink size 40"]
        }
        #expect(report.findings.filter { $0.code == .inodeBadSymlink }.map(\.inode) == [bad])
        #expect(!codes(report, inode: good).contains("inode.bad-symlink") && !codes(report, inode: fast).contains("inode.bad-symlink"))
    }

    @Test("clri on a directory: its entry points at an unused inode and its children are orphaned")
    func clearedDirectory() throws {
        var sub: UInt32 = 0, passwd: UInt32 = 0, deeper: UInt32 = 0
        let (report, _, _) = try scanDamaged { img in
            sub = try ScanImages.inode(img, "/tree/sub")
            passwd = try ScanImages.inode(img, "/tree/sub/passwd")
            deeper = try ScanImages.inode(img, "/tree/sub/deeper")
            return ["clri /tree/sub"]
        }
        let tree = try #require(report.inodes[inode: sub - 1])  // /tree was made just before /tree/sub
        #expect(report.findings.contains { $0.code == .dirUnusedInode && $0.inode == tree.inode && $0.message.contains("inode \(sub)") })
        #expect(codes(report, inode: passwd).contains("inode.unattached"))
        #expect(report.orphans.contains { $0.inode == passwd && $0.kind == .unattached })
        #expect(codes(report, inode: deeper).contains("dir.disconnected"))
        let orphan = try #require(report.orphans.first { $0.inode == deeper })
        #expect(orphan.kind == .disconnectedDirectory)
        #expect(orphan.nameEvidence.contains { $0.source == .dotdot && $0.directory == sub })
    }

    @Test("a wrong links_count is reported on that inode")
    func linkCount() throws {
        var ino: UInt32 = 0
        let (report, _, _) = try scanDamaged { img in
            ino = try ScanImages.inode(img, "/tree/sub/passwd")
            return ["sif /tree/sub/passwd links_count 5"]
        }
        #expect(report.findings.filter { $0.code == .inodeLinkCount }.map(\.inode) == [ino])
        #expect(report.inodes[inode: ino]?.damage.contains(.linkCount) == true)
    }

    @Test("an orphan list chained through dtime is walked; a loop in it is reported, not followed")
    func orphanList() throws {
        var a: UInt32 = 0, b: UInt32 = 0
        let (report, _, _) = try scanDamaged { img in
            a = try ScanImages.inode(img, "/tree/big")
            b = try ScanImages.inode(img, "/tree/sub/passwd")
            return ["unlink /tree/big", "unlink /tree/sub/passwd",
                    "sif <\(a)> links_count 0", "sif <\(a)> dtime \(b)", "sif <\(b)> links_count 0", "sif <\(b)> dtime \(a)",
                    "ssv last_orphan \(a)"]
        }
        #expect(codes(report, inode: a).contains("orphan.list"))
        #expect(codes(report, inode: b).contains("orphan.list"))
        #expect(report.findings.contains { $0.code == .orphanListBad && $0.inode == a })
        #expect(Set(report.orphans.filter { $0.kind == .orphanList }.map(\.inode)) == [a, b])
        #expect(report.orphans.first { $0.inode == a }?.worthSalvaging == true)
        #expect(!report.findings.contains { $0.code == .inodeUnattached })
    }

    @Test("two files claiming one block: both named, each with the other")
    func duplicateBlocks() throws {
        var a: UInt32 = 0, b: UInt32 = 0
        let (report, _, _) = try scanDamaged(type: "ext2") { img in
            a = try ScanImages.inode(img, "/tree/big")
            b = try ScanImages.inode(img, "/tree/sub/passwd")
            let blocks = try Tool.run("debugfs", ["-R", "blocks /tree/big", img]).stdout.split(separator: " ")
            let first = try #require(blocks.first.map(String.init))
            return ["sif /tree/sub/passwd block[0] \(first)"]
        }
        let shared = report.findings.filter { $0.code == .blockMultiplyClaimed }
        #expect(Set(shared.compactMap(\.inode)) == [a, b])
        #expect(report.sharedBlocks.first { $0.inode == a }?.sharedWith == [b])
        #expect(report.sharedBlocks.first { $0.inode == b }?.sharedWith == [a])
    }

    @Test("freeb and setb: block bitmap differences both ways")
    func bitmapDifferences() throws {
        let (report, _, _) = try scanDamaged { img in
            let blocks = try Tool.run("debugfs", ["-R", "blocks /tree/big", img]).stdout.split(separator: " ")
            let used = try #require(blocks.first.map(String.init))
            return ["freeb \(used)", "setb 30000"]
        }
        let diffs = report.findings.filter { $0.code == .blockBitmapDifferences }
        #expect(diffs.contains { $0.severity == .error && $0.message.contains("marked free") })
        #expect(diffs.contains { $0.severity == .warning && $0.block == 30000 })
    }

    @Test("a truncated image is damaged, and the scan still finishes")
    func truncated() throws {
        let dir = TemporaryDirectory()
        let img = try ScanImages.makePopulated(dir, blockSize: 4096)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: img))
        try handle.truncate(atOffset: 20 << 20)
        try handle.close()
        let report = try expectUnchanged(img) { try Filesystem.open(path: img).scan() }
        #expect(report.completed)
        #expect(report.verdict == .damaged)
        #expect(report.findings.contains { $0.code == .imageTruncated })
    }

    @Test("cancellation stops the scan with a partial report")
    func cancelled() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext2", blockSize: 1024, sizeMiB: 32)
        let progress = CancelAtOnce()
        let report = try Filesystem.open(path: img).scan(progress: progress)
        #expect(!report.completed)
        #expect(progress.finished == false)
        #expect(report.timings.count == 1)
    }
}

/// A progress receiver that asks to stop from the start and records how the job ended.
final class CancelAtOnce: FSRescue.ProgressReporting, @unchecked Sendable {
    var finished: Bool?
    func start(plan: [PassPlan]) {}
    func beginPass(_ index: Int, units: UInt64) {}
    func update(done: UInt64) {}
    func endPass(_ index: Int) {}
    func finish(completed: Bool) { finished = completed }
    var cancellationRequested: Bool { true }
}
