// A fresh filesystem of every supported shape, with files, directories and links, scans clean.
import Foundation
import Synchronization
import Testing
import FSRescue
import FSRescueTestSupport

@Suite("scan: fresh filesystems are clean", .serialized)
struct ScanCleanTests {
    struct Shape: Sendable, CustomStringConvertible {
        let type: String
        let blockSize: Int
        let features: String?
        var description: String { "\(type) \(blockSize / 1024)k" + (features.map { " -O \($0)" } ?? "") }
    }

    static let shapes: [Shape] = ["ext2", "ext3", "ext4"].flatMap { t in [1024, 4096].map { Shape(type: t, blockSize: $0, features: nil) } } + [
        Shape(type: "ext4", blockSize: 4096, features: "64bit,metadata_csum,flex_bg"),
        Shape(type: "ext4", blockSize: 1024, features: "^metadata_csum,^flex_bg"),
        Shape(type: "ext4", blockSize: 4096, features: "inline_data"),
        Shape(type: "ext4", blockSize: 4096, features: "orphan_file"),
        Shape(type: "ext4", blockSize: 1024, features: "^has_journal,^extent,^64bit,^dir_index"),
    ]

    @Test("scans clean, with every file attached and nothing orphaned", arguments: shapes)
    func clean(shape: Shape) throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: shape.type, blockSize: shape.blockSize, sizeMiB: 32,
                            extra: shape.features.map { ["-O", $0] } ?? [])
        try ScanImages.populate(img)
        let report = try expectUnchanged(img) { try Filesystem.open(path: img).scan() }
        #expect(report.completed)
        #expect(report.findings.filter { $0.severity >= .warning }.map(\.message) == [])
        #expect(report.verdict == .clean)
        #expect(report.orphans.isEmpty)
        #expect(report.timings.map(\.name) == ["inodes", "shared-blocks", "directories", "ownerless-blocks", "connectivity", "references", "summary"])
        // Nothing needs a name, so no free block or journal block is read for name evidence.
        #expect(report.timings.first { $0.name == "ownerless-blocks" }?.units == 0)
        let tree = try #require(report.inodes[inode: try ScanImages.inode(img, "/tree/big")])
        #expect(tree.type == .regular && tree.reachable && tree.name == Array("big".utf8))
        #expect(report.inodes.filter { !$0.isSystem && !$0.reachable }.isEmpty)
        let link = try #require(report.inodes[inode: try ScanImages.inode(img, "/tree/hosts")])
        #expect(link.linksCount == 2 && link.countedLinks == 2)
    }

    @Test("the name-evidence pass is planned from what the superblock says: nothing when clean, its reads when the error flag is set")
    func ownerlessPlan() throws {
        let dir = TemporaryDirectory()
        let img = try ScanImages.makePopulated(dir, blockSize: 1024)
        let clean = try Filesystem.open(path: img).scanPlan
        #expect(clean.first { $0.name == "ownerless-blocks" }?.units == 0)
        try TestImages.debugfsWrite(img, ["ssv state 3"])  // valid, errors found
        let flagged = try Filesystem.open(path: img).scanPlan
        let units = try #require(flagged.first { $0.name == "ownerless-blocks" }?.units)
        #expect(units > 1024)  // free blocks of initialized groups and the 1k journal's blocks
    }

    @Test("after pass 1 the plan of pass 2 is revised to its real blocks and about its real entries")
    func directoriesRevised() throws {
        let dir = TemporaryDirectory()
        let img = try ScanImages.makePopulated(dir, blockSize: 1024)
        let recorder = PlanRecorder()
        let report = try expectUnchanged(img) { try Filesystem.open(path: img).scan(progress: recorder) }
        let revised = try #require(recorder.revisions.withLock { $0 }.first { $0.index == 2 })
        // Pass 2 also reads the target block of each slow symlink: the populated image has one (`longlink`).
        #expect(revised.units == report.counts.directoryBlocks + 1)
        let predicted = Double(revised.units) * (revised.entriesPerUnit ?? 0)
        // `.` and `..` are not counted there; the symlink's target is one entry.
        let parsed = Double(report.counts.directoryEntries + 2 * report.counts.directories + 1)
        #expect(abs(predicted - parsed) <= 0.1 * parsed, "predicted \(predicted) entries, parsed \(parsed)")
    }

    @Test("the block map of a file is its data, byte for byte")
    func blockMap() throws {
        let dir = TemporaryDirectory()
        let img = try ScanImages.makePopulated(dir, blockSize: 1024)
        let fs = try Filesystem.open(path: img)
        let map = try fs.blockMap(of: try ScanImages.inode(img, "/tree/big"))
        let expected = try Data(contentsOf: URL(fileURLWithPath: ScanImages.bigSource))
        #expect(map.problems.isEmpty)
        #expect(map.size == UInt64(expected.count))
        let image = try FileHandle(forReadingFrom: URL(fileURLWithPath: img))
        var rebuilt = Data(count: Int(map.size))
        for run in map.runs {
            try image.seek(toOffset: run.physical * 1024)
            let bytes = try #require(try image.read(upToCount: Int(run.length) * 1024))
            let start = Int(run.logical) * 1024
            let end = min(start + bytes.count, rebuilt.count)
            rebuilt.replaceSubrange(start..<end, with: bytes.prefix(end - start))
        }
        #expect(rebuilt == expected)
    }
}

/// Records the plan revisions a scan makes.
final class PlanRecorder: FSRescue.ProgressReporting {
    let revisions = Mutex<[(index: Int, units: UInt64, entriesPerUnit: Double?)]>([])
    func start(plan: [PassPlan]) {}
    func beginPass(_ index: Int, units: UInt64) {}
    func revisePass(_ index: Int, units: UInt64, entriesPerUnit: Double?) {
        revisions.withLock { $0.append((index, units, entriesPerUnit)) }
    }
    func update(done: UInt64) {}
    func endPass(_ index: Int) {}
    func finish(completed: Bool) {}
    var cancellationRequested: Bool { false }
}

/// Populating test images and finding inode numbers with debugfs.
enum ScanImages {
    static let bigSource = "/usr/sbin/debugfs"

    /// A 32 MiB image of `type` in `dir`, populated; returns its path.
    static func makePopulated(_ dir: TemporaryDirectory, type: String = "ext4", blockSize: Int) throws -> String {
        let img = dir.file("fs.img")
        try TestImages.make(img, type: type, blockSize: blockSize, sizeMiB: 32)
        try populate(img)
        return img
    }

    /// Directories, a multi-block file, small files, a hard link and a symlink.
    static func populate(_ img: String) throws {
        try TestImages.debugfsWrite(img, [
            "mkdir tree", "mkdir tree/sub", "mkdir tree/sub/deeper",
            "cd tree", "write \(bigSource) big", "write /etc/hosts hosts",
            "symlink link /etc/hosts", "symlink longlink /\(String(repeating: "x", count: 80))",
            "cd sub", "write /etc/passwd passwd", "ln /tree/hosts hosts-link", "sif /tree/hosts links_count 2",
        ])
    }

    /// The inode number of `path` in `img` (`debugfs -R "stat PATH"`).
    static func inode(_ img: String, _ path: String) throws -> UInt32 {
        let r = try Tool.run("debugfs", ["-R", "stat \(path)", img])
        guard let range = r.stdout.range(of: #"Inode: (\d+)"#, options: .regularExpression),
              let n = UInt32(r.stdout[range].dropFirst(7)) else { throw TestImageError.tool("debugfs", "no inode for \(path): \(r.stderr)") }
        return n
    }
}
