// Quota files against usage, and blocks shared on purpose (shared_blocks): e2fsck -fn is the oracle.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("quota files and shared blocks, as e2fsck sees them", .serialized)
struct QuotaAndSharedBlocksTests {
    /// An ext4 image with user, group and project quotas whose files have several owners, made
    /// consistent by `e2fsck -fy` (which writes the quota files as the kernel's format has them):
    /// clean to e2fsck -fn and to scan.
    static func quotaImage(in dir: TemporaryDirectory) throws -> String {
        let img = dir.file("quota.img")
        try TestImages.make(img, blockSize: 1024, sizeMiB: 16,
                            extra: ["-I", "256", "-O", "quota,project", "-E", "quotatype=usrquota:grpquota:prjquota"])
        let data = dir.file("data")
        try Data((0..<300_000).map { UInt8(truncatingIfNeeded: $0 &* 31) }).write(to: URL(fileURLWithPath: data))
        try TestImages.debugfsWrite(img, [
            "mkdir /d", "write \(data) /d/a", "write \(data) /b", "write /dev/null /empty", "symlink /s /d/a",
            "sif /d/a uid 1000", "sif /d/a gid 1001", "sif /b uid 1002", "sif /b projid 7", "sif /d uid 1000",
            "ea_set /b user.note hello",
        ])
        _ = try Tool.run("e2fsck", ["-fy", img])
        let fsck = try Tool.run("e2fsck", ["-fn", img])
        #expect(fsck.status == 0, "the quota image is not clean to e2fsck: \(fsck.stdout) \(fsck.stderr)")
        return img
    }

    @Test("a consistent quota image scans clean; every quota type is read")
    func cleanQuotas() throws {
        let dir = TemporaryDirectory()
        let img = try Self.quotaImage(in: dir)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", img]) }
        #expect(r.status == 0, "\(r.stdout)")
        #expect(!r.stdout.contains("quota.usage") && !r.stdout.contains("quota.unreadable"), "\(r.stdout)")
    }

    struct Damage: Sendable, CustomTestStringConvertible {
        let name: String
        let debugfs: [String]
        /// What e2fsck -fn prints on stdout (it asks to rewrite the quota file of that type).
        let e2fsckType: Int
        let code: String
        let says: [String]
        var testDescription: String { name }
    }

    static let damages: [Damage] = [
        Damage(name: "a file handed to another user", debugfs: ["sif /d/a uid 1003"], e2fsckType: 0, code: "quota.usage",
               says: ["user ID 1000 is recorded as 301056 bytes and 2 inodes, but its files use 1024 bytes and 1 inode",
                      "user ID 1003 has no record, but its files use 300032 bytes and 1 inode"]),
        Damage(name: "a file moved to another project", debugfs: ["sif /b projid 9"], e2fsckType: 2, code: "quota.usage",
               says: ["project ID 9 has no record", "project ID 7 is recorded as"]),
        Damage(name: "a directory made behind the quota's back", debugfs: ["mkdir /new"], e2fsckType: 1, code: "quota.usage",
               says: ["group ID 0 is recorded as"]),
        Damage(name: "a quota file's header zeroed", debugfs: ["zap_block -f <4> 0"], e2fsckType: 1, code: "quota.unreadable",
               says: ["The group quota file (inode 4) cannot be read: its header's magic number is 0x0"]),
        Damage(name: "a quota file's tree root pointing past its end", debugfs: ["zap_block -f <3> -o 0 -l 4 -p 255 1"], e2fsckType: 0,
               code: "quota.unreadable", says: ["The user quota file (inode 3) cannot be read: tree block 1 refers to block"]),
    ]

    @Test("scan reports the quota damage e2fsck -fn reports", arguments: damages)
    func damaged(_ d: Damage) throws {
        let dir = TemporaryDirectory()
        let img = try Self.quotaImage(in: dir)
        try TestImages.debugfsWrite(img, d.debugfs)
        let fsck = try Tool.run("e2fsck", ["-fn", img])
        #expect(fsck.status == 4, "e2fsck -fn: \(fsck.stdout)")
        #expect(fsck.stdout.contains("Update quota info for quota type \(d.e2fsckType)"), "\(fsck.stdout) \(fsck.stderr)")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", "--json", img]) }
        #expect(r.status == 4, "\(r.stdout.prefix(2000))")
        let report = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let messages = ((report["findings"] as? [[String: Any]]) ?? []).filter { $0["code"] as? String == d.code }.compactMap { $0["message"] as? String }
        for text in d.says {
            #expect(messages.contains { $0.contains(text) }, "\(text) not in \(messages)")
        }
        // Every disagreement e2fsck prints, with the same figures ("actual" is what the files use).
        for line in fsck.stderr.split(separator: "\n") where line.contains("[QUOTA WARNING]") {
            let numbers = line.split(whereSeparator: { !$0.isNumber }).compactMap { UInt64($0) }
            if line.contains("Usage inconsistent"), numbers.count == 5 {
                let inodes = { (n: UInt64) in "\(n) inode\(n == 1 ? "" : "s")" }
                let text = "ID \(numbers[0]) is recorded as \(numbers[3]) bytes and \(inodes(numbers[4])), but its files use \(numbers[1]) bytes and \(inodes(numbers[2]))"
                #expect(messages.contains { $0.contains(text) }, "\(text) not in \(messages)")
            } else if line.contains("Missing quota entry"), let id = numbers.first {
                #expect(messages.contains { $0.contains("ID \(id) has no record") }, "\(line) not in \(messages)")
            }
        }
        // Only the quota files disagree: nothing else is reported as damage.
        let others = ((report["findings"] as? [[String: Any]]) ?? []).filter {
            !($0["code"] as? String ?? "").hasPrefix("quota.") && $0["severity"] as? String != "info"
        }
        #expect(others.isEmpty, "\(others)")
    }

    @Test("a quota file's i_size is trusted as e2fsck trusts it: 2 GiB of holes read as zeros, more is refused")
    func quotaFileSize() throws {
        let dir = TemporaryDirectory()
        let img = try Self.quotaImage(in: dir)
        try TestImages.debugfsWrite(img, ["sif <3> size 0x7ffff000"])
        #expect(try Tool.run("e2fsck", ["-fn", img]).status == 0)
        let sparse = try FSRescueBinary.run(["scan", img])
        #expect(sparse.status == 0, "\(sparse.stdout)")
        try TestImages.debugfsWrite(img, ["sif <3> size 0x7fffffff0"])
        let fsck = try Tool.run("e2fsck", ["-fn", img])
        #expect(fsck.status == 4 && fsck.stderr.contains("Quota inode 3 corrupted: file size"), "\(fsck.stderr)")
        let huge = try FSRescueBinary.run(["scan", img])
        #expect(huge.status == 4)
        #expect(huge.stdout.contains("quota.unreadable") && huge.stdout.contains("more than is checked"), "\(huge.stdout)")
    }

    @Test("an attribute value kept in an EA inode counts one more inode for its file's owner")
    func eaInodeValues() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("ea.img"), big = dir.file("big")
        try TestImages.make(img, blockSize: 1024, sizeMiB: 16, extra: ["-I", "256", "-O", "quota,ea_inode"])
        try Data((0..<5000).map { UInt8(truncatingIfNeeded: $0 &* 7) }).write(to: URL(fileURLWithPath: big))
        try TestImages.debugfsWrite(img, ["write \(big) /f", "ea_set -f \(big) /f user.big", "sif /f uid 77"])
        _ = try Tool.run("e2fsck", ["-fy", img])
        #expect(try Tool.run("e2fsck", ["-fn", img]).status == 0)
        let clean = try FSRescueBinary.run(["scan", img])
        #expect(clean.status == 0, "\(clean.stdout)")
        try TestImages.debugfsWrite(img, ["sif /f uid 78"])
        let fsck = try Tool.run("e2fsck", ["-fn", img])
        #expect(fsck.stderr.contains("Missing quota entry ID 78"), "\(fsck.stderr)")
        let r = try FSRescueBinary.run(["scan", img])
        #expect(r.status == 4)
        #expect(r.stdout.contains("user ID 78 has no record, but its files use 6144 bytes and 2 inodes"), "\(r.stdout)")
    }

    @Test("blocks shared under the shared_blocks feature are no damage; without it they are")
    func sharedBlocks() throws {
        let dir = TemporaryDirectory()
        let base = dir.file("base.img"), img = dir.file("shared.img")
        #expect(try FSRescueBinary.run(["fixture", "create", "--out", base, "--files", "40", "--seed", "5"]).status == 0)
        let c = try FSRescueBinary.run(["fixture", "corrupt", "--in", base, "--out", img, "--kind", "duplicate-blocks", "--count", "2"])
        #expect(c.status == 0, "\(c.stderr)")
        // Shared on purpose: the feature set, then the blocks the corruption freed marked free (e2fsck -fy
        // with the feature touches nothing else).
        try TestImages.debugfsWrite(img, ["feature shared_blocks"])
        _ = try Tool.run("e2fsck", ["-fy", img])
        #expect(try Tool.run("e2fsck", ["-fn", img]).status == 0)
        let shared = try expectUnchanged(img) { try FSRescueBinary.run(["scan", img]) }
        #expect(shared.status == 0, "\(shared.stdout)")
        #expect(!shared.stdout.contains("multiply-claimed"), "\(shared.stdout)")

        try TestImages.debugfsWrite(img, ["feature -shared_blocks"])
        let fsck = try Tool.run("e2fsck", ["-fn", img])
        #expect(fsck.status == 4 && fsck.stdout.contains("multiply-claimed"), "\(fsck.stdout)")
        let damaged = try FSRescueBinary.run(["scan", img])
        #expect(damaged.status == 4)
        #expect(damaged.stdout.contains("block.multiply-claimed"), "\(damaged.stdout)")
    }
}
