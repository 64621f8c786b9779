// Damage e2fsck reports that scan once missed: each made on a fresh image, with e2fsck -fn as the oracle.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("checks e2fsck makes", .serialized)
struct E2fsckChecksTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let name: String
        /// mke2fs options (the image is 8 MiB) or nil for the kernel-written ext4-default fixture.
        let mke2fs: [String]?
        let debugfs: [String]
        let code: String
        let says: String
        /// What e2fsck -fn prints of it, and whether it exits 4 (superblock fields it may leave as they
        /// are, PR_NO_OK, exit 0: scan reports them as notes and stays clean, as e2fsck does).
        let e2fsckSays: String
        var damaged = true
        /// Blocks for mke2fs's bad-blocks list (`-l`): the bad-blocks inode owns them.
        var badBlocks: [Int] = []
        var testDescription: String { name }
    }

    static let cases: [Case] = [
        Case(name: "s_min_extra_isize not a multiple of 4", mke2fs: ["-t", "ext4", "-I", "256"],
             debugfs: ["ssv min_extra_isize 7"], code: "superblock.bad-field", says: "s_min_extra_isize is 7",
             e2fsckSays: "Bad required extra isize in superblock (7)", damaged: false),
        Case(name: "s_want_extra_isize past the inode", mke2fs: ["-t", "ext4", "-I", "256"],
             debugfs: ["ssv want_extra_isize 200"], code: "superblock.bad-field", says: "s_want_extra_isize is 200",
             e2fsckSays: "Bad desired extra isize in superblock (200)", damaged: false),
        Case(name: "a journal inode with has_journal clear", mke2fs: ["-t", "ext4"],
             debugfs: ["feature -has_journal"], code: "superblock.bad-field", says: "has_journal feature is clear",
             e2fsckSays: "has_journal flag is clear, but a journal is present", damaged: false),
        Case(name: "an xattr block without ext_attr", mke2fs: ["-t", "ext2", "-O", "^ext_attr"],
             debugfs: ["write /dev/null /f", "sif /f file_acl 100"], code: "xattr.bad-block", says: "lacks the ext_attr feature",
             e2fsckSays: "i_file_acl for inode 12 (/f) is 100, should be zero"),
        Case(name: "names too short for an encrypted directory", mke2fs: ["-t", "ext4", "-O", "encrypt"],
             debugfs: ["mkdir /d", "write /dev/null /d/a", "sif /d flags 0x80800"], code: "dir.bad-name", says: "too short for an encrypted name",
             e2fsckSays: "has encrypt flag but no encryption extended attribute"),
        Case(name: "an extent index starting past its node (kernel-written tree of depth 2)", mke2fs: nil,
             debugfs: ["sif /fragmented block[3] 1"], code: "extent.index-start", says: "starts at logical block 1, but the node it points to",
             e2fsckSays: "Logical start 1 does not match logical start 0 at next level"),
        Case(name: "a bad-blocks list (clean: inode 1 owns its blocks), then a block past the filesystem in it", mke2fs: ["-t", "ext4"],
             debugfs: ["sif <1> block[3] 99999"], code: "block.out-of-range", says: "Inode 1: logical block 3 maps to block 99999",
             e2fsckSays: "Bad block inode has illegal block(s)", badBlocks: [3000, 3001, 5000]),
    ]

    @Test("scan reports what e2fsck -fn reports", arguments: cases)
    func agrees(_ c: Case) throws {
        let dir = TemporaryDirectory()
        let img: String
        if let options = c.mke2fs {
            img = dir.file("fs.img")
            var list: [String] = []
            if !c.badBlocks.isEmpty {
                let path = dir.file("badblocks.txt")
                try c.badBlocks.map(String.init).joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
                list = ["-l", path]
            }
            let r = try Tool.run("mke2fs", ["-q", "-F", "-b", "1024"] + options + list + [img, "8M"])
            #expect(r.status == 0, "\(r.stderr)")
        } else {
            img = try KernelImage(name: "ext4-default").decompress(into: dir.path)
        }
        let clean = try FSRescueBinary.run(["scan", img])
        #expect(clean.status == 0, "before the damage: \(clean.stdout)")
        try TestImages.debugfsWrite(img, c.debugfs)
        let fsck = try Tool.run("e2fsck", ["-fn", img])
        #expect(fsck.stdout.contains(c.e2fsckSays), "\(fsck.stdout)")
        #expect(fsck.status == (c.damaged ? 4 : 0), "e2fsck -fn: \(fsck.stdout)")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", "--json", img]) }
        #expect(r.status == (c.damaged ? 4 : 0), "\(r.stdout.prefix(2000))")
        let report = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        let ours = findings.filter { $0["code"] as? String == c.code && ($0["message"] as? String ?? "").contains(c.says) }
        #expect(!ours.isEmpty, "\(findings.map { "\($0["code"] ?? "") \($0["message"] ?? "")" })")
    }
}
