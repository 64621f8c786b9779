// Every crash, hang or escape the fuzzer found, kept as an image under Fixtures/regressions and replayed.
import Foundation
import Testing
@testable import FSRescue
import FSRescueTestSupport

@Suite("Fuzz regressions", .serialized)
struct FuzzRegressionTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("Fixtures/regressions").path

    /// The regression images (`NAME.img.gz`; gzipped because `*.img` is ignored by git and to keep them small).
    static var images: [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: folder)) ?? []).filter { $0.hasSuffix(".img.gz") }.sorted()
    }

    /// Decompresses regression `name` into `dir` as a read-only `image.img`.
    static func unpack(_ name: String, into dir: TemporaryDirectory) throws -> String {
        let img = dir.file("image.img")
        let r = try Tool.run("/bin/sh", ["-c", "gzip -dc \"$0\" > \"$1\"", "\(folder)/\(name)", img])
        guard r.status == 0 else { throw TestImageError.tool("gzip", r.stderr) }
        chmod(img, 0o444)
        return img
    }

    /// Checks what a run left in `dir`: only the image and `out`; in `out` (when there is one) no special
    /// file or setuid bit, and no more disk used than four times the image (a map cut at the image's size).
    static func expectContained(_ dir: TemporaryDirectory, image: String, comment: Comment) throws {
        #expect(OutputAudit.strangers(in: dir.path, expected: ["image.img", "out", "out-salvage"]).isEmpty, comment)
        let imageBytes = try #require(try FileManager.default.attributesOfItem(atPath: image)[.size] as? UInt64)
        for out in [dir.file("out"), dir.file("out-salvage")] where FileManager.default.fileExists(atPath: out) {
            let audit = OutputAudit(root: out)
            #expect(audit.violations.isEmpty, "\(comment): \(audit.violations)")
            #expect(audit.allocatedBytes <= 4 * imageBytes + (1 << 20), "\(comment): \(audit.allocatedBytes) bytes of disk")
        }
    }

    @Test("blocks claimed by many inodes: each names at most 32 sharers and says there are more (the fuzzer's 13 s pass 1B)")
    func blocksSharedByMany() throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack("blocks-shared-by-many.img.gz", into: dir)
        let report = try Filesystem.open(path: img).scan()
        #expect(!report.sharedBlocks.isEmpty)
        #expect(report.sharedBlocks.allSatisfy { $0.sharedWith.count <= 32 })
        #expect(report.findings.contains { $0.code == .blockMultiplyClaimed && $0.message.contains("and more inodes (the first 32 are listed)") })
    }

    @Test("the regression images are there")
    func present() {
        #expect(Self.images.count >= 3, "\(Self.folder)")
    }

    @Test("open, info, scan, extract-everything and salvage through the library: no crash, bounded output, image unchanged",
          arguments: images)
    func library(_ name: String) throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack(name, into: dir)
        try expectUnchanged(img) {
            let fs: Filesystem
            do { fs = try Filesystem.open(path: img) } catch { return }
            _ = fs.info
            var options = SalvageOptions()
            options.maxOutputBytes = 64 << 20
            let summary = try SalvageRunner(filesystem: fs, plan: .attachedTree(listedBy: fs), output: dir.file("out"), options: options).run()
            #expect(summary.completed, "\(summary.stopReason ?? "")")
            let report = fs.scan()
            var plan = SalvagePlan(report: report, filesystem: fs)
            plan.history = fs.deletedFiles(scan: report)?.files ?? []
            let salvaged = try SalvageRunner(filesystem: fs, plan: plan, output: dir.file("out-salvage"), options: options).run()
            #expect(salvaged.completed, "\(salvaged.stopReason ?? "")")
        }
        try Self.expectContained(dir, image: img, comment: "\(name)")
    }

    @Test("info, scan, extract / and salvage through the CLI: exit 0, 4 or 8, at most one sentence on stderr, image unchanged",
          arguments: images)
    func cli(_ name: String) throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack(name, into: dir)
        for arguments in [["info", img], ["info", img, "--json"], ["scan", img, "--json"], ["extract", img, "/", "--out", dir.file("out")],
                          ["salvage", img, "--out", dir.file("out-salvage")]] {
            let r = try expectUnchanged(img) { try FSRescueBinary.run(arguments) }
            #expect([0, 4, 8].contains(r.status), "\(arguments): exit \(r.status), \(r.stderr)")
            let lines = r.stderr.split(separator: "\n")
            #expect(lines.count <= 1, "\(arguments): \(r.stderr)")
            #expect(lines.allSatisfy { $0.hasPrefix("fsrescue: ") }, "\(arguments): \(r.stderr)")
        }
        try Self.expectContained(dir, image: img, comment: "\(name)")
    }

    @Test("a block map whose triple-indirect block points at itself is cut at the image's size, not copied as 16 GiB")
    func blockMapLoop() throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack("block-map-loop.img.gz", into: dir)
        let fs = try Filesystem.open(path: img)
        let inode = try fs.readInode(try fs.lookup(path: "/f"))
        #expect(inode.size == 16 << 30)
        let map = fs.dataMap(of: inode)
        #expect(map.mappedBlocks <= 1025)
        #expect(map.lost.contains { $0.reason.contains("more than") })
    }

    @Test("a directory whose block map loops is listed once per block the image holds, not 16 million times")
    func directoryBlockLoop() throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack("dir-block-loop.img.gz", into: dir)
        let fs = try Filesystem.open(path: img)
        let entries = fs.entries(of: try fs.lookup(path: "/d"))
        #expect(entries.count <= Int(fs.blocksCount) + 1)
    }

    @Test("an i_size past what off_t holds is cut to what the map can address")
    func hugeSize() throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack("isize-beyond-off-t.img.gz", into: dir)
        let fs = try Filesystem.open(path: img)
        let huge = fs.entries(of: Filesystem.rootInode).compactMap { try? fs.readInode($0.inode) }
            .filter { $0.type == .regular && $0.size > UInt64(Int64.max) }
        #expect(!huge.isEmpty)
        for inode in huge { #expect(fs.contentSize(of: inode) <= fs.addressableBytes(of: inode)) }
    }

    @Test("a superblock claiming 3.7 billion inodes for one group of 5,504 is scanned over the inodes its table holds")
    func inodeCountBeyondItsTables() throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack("inodes-count-billions.img.gz", into: dir)
        let fs = try Filesystem.open(path: img)
        let held = Int(fs.info.groupCount) * Int(fs.info.inodesPerGroup)
        #expect(fs.info.inodesCount > 3_000_000_000 && held == 5504)
        let report = fs.scan()
        // The live bitmap, one bit per inode, was sized by s_inodes_count: 700 MB for a 495 KB image.
        #expect(report.inodes.live.capacity <= held)
        #expect(report.findings.contains { $0.message.contains("s_inodes_count is 3774210530, but its 1 group(s) of 5504 inodes hold 5504") })
    }

    @Test("free counts above their totals: a superblock.counts finding, and a first salvage estimate within the image",
          arguments: ["free-blocks-above-blocks.img.gz", "free-inodes-above-inodes.img.gz", "blocks-count-two.img.gz"])
    func countsAboveTotals(_ name: String) throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack(name, into: dir)
        let fs = try Filesystem.open(path: img)
        let info = fs.info
        if info.freeBlocks > info.blocksCount || info.freeInodes > info.inodesCount {
            #expect(info.findings.contains { $0.code == .superblockCounts }, "\(info.findings.map(\.message))")
        }
        // The trap was (blocks - free) * blockSize and inodes - free, in SalvageCommand.
        let estimate = SalvageEstimate(guessingFrom: info)
        #expect(estimate.dataBytes <= info.image.sizeBytes)
        #expect(estimate.items <= UInt64(info.groupCount) * UInt64(info.inodesPerGroup))
        #expect(estimate.units >= estimate.bytes)
    }

    @Test("salvage of a superblock claiming 2^32 - 1 inodes (valid checksum) stays within 100 MB")
    func salvageMemoryBoundedByTables() throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack("inodes-count-max.img.gz", into: dir)
        let fs = try Filesystem.open(path: img)
        #expect(fs.inodesCount == UInt32.max && fs.readableInodesCount < 100_000)
        #expect(throws: Ext2Error.self) { try fs.readInode(fs.readableInodesCount + 1) }
        // The salvage's visited set was sized by s_inodes_count: 512 MiB. Peak RSS of the child alone.
        let measure = "import resource,subprocess,sys; r=subprocess.run(sys.argv[1:],stdout=subprocess.DEVNULL,stderr=subprocess.DEVNULL); "
            + "print(r.returncode, resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss)"
        let r = try Tool.run("python3", ["-c", measure, FSRescueBinary.path, "salvage", img, "--out", dir.file("out")])
        let fields = r.stdout.split(separator: " ").compactMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        #expect(fields.count == 2 && [0, 4].contains(fields[0]), "\(r.stdout) \(r.stderr)")
        #expect((fields.last ?? .max) < 100_000, "peak \(fields.last ?? -1) KB")
    }

    @Test("a journal superblock whose first block lies past the blocks journal evidence reads is a range, not a trap")
    func journalFirstPastLimit() throws {
        let dir = TemporaryDirectory()
        let img = try Self.unpack("journal-first-past-limit.img.gz", into: dir)
        let report = try Filesystem.open(path: img).scan()
        #expect(report.completed)
        #expect(report.findings.contains { $0.code == .journalBadSuperblock })
        #expect(report.findings.contains { $0.code == .inodeUnattached })
    }
}
