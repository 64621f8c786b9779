// `fsrescue info` as a user runs it: exit statuses, one-sentence errors, JSON, and no writes.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("fsrescue info", .serialized)
struct InfoCommandTests {
    @Test("a fresh image: exit 0, facts on stdout, nothing on stderr, image unchanged")
    func freshImage() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext3", blockSize: 1024, sizeMiB: 32)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["info", img]) }
        #expect(r.status == 0)
        #expect(r.stderr.isEmpty)
        #expect(r.stdout.contains("ext3 at byte 0"))
        #expect(r.stdout.contains("Superblock    primary"))
        #expect(r.stdout.contains("No problems met while opening."))
    }

    @Test("--json: a versioned document with the facts")
    func json() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 64, extra: ["-L", "rescue-me"])
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["info", "--json", img]) }
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        #expect(doc["schema"] as? String == "fsrescue.info/1")
        #expect(doc["type"] as? String == "ext4")
        #expect(doc["label"] as? String == "rescue-me")
        #expect(doc["block_size"] as? Int == 4096)
        #expect(doc["blocks_count"] as? Int == 16384)
        #expect((doc["features"] as? [String])?.contains("extent") == true)
        let sb = try #require(doc["superblock"] as? [String: Any])
        #expect(sb["is_backup"] as? Bool == false)
        let journal = try #require(doc["journal"] as? [String: Any])
        #expect(journal["inode"] as? Int == 8)
        #expect((doc["findings"] as? [Any])?.isEmpty == true)
    }

    @Test("a zeroed primary superblock: exit 4, the backup named on stdout and in JSON")
    func zeroedPrimary() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 1024, sizeMiB: 32)
        try TestImages.zero(img, offset: 1024, count: 1024)
        let text = try expectUnchanged(img) { try FSRescueBinary.run(["info", img]) }
        #expect(text.status == 4)
        #expect(text.stdout.contains("BACKUP at block 8193"))
        let json = try FSRescueBinary.run(["info", "--json", img])
        #expect(json.status == 4)
        let doc = try #require(try JSONSerialization.jsonObject(with: json.stdoutData) as? [String: Any])
        let codes = (doc["findings"] as? [[String: Any]])?.compactMap { $0["code"] as? String } ?? []
        #expect(codes.contains("superblock.primary-unusable"))
    }

    @Test("a GPT disk image: the partition at 1 MiB is found")
    func gptDisk() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("disk.img")
        try TestImages.makeGPTDisk(img)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["info", "--json", img]) }
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let location = try #require(doc["location"] as? [String: Any])
        #expect(location["offset_bytes"] as? Int == 1 << 20)
        #expect(location["partition"] as? Int == 1)
        #expect((location["partition_table"] as? [String: Any])?["type"] as? String == "gpt")
    }

    struct BadInput: Sendable, CustomStringConvertible {
        let name: String
        let make: @Sendable (TemporaryDirectory) throws -> String
        let expected: String
        var description: String { name }
    }

    static let badInputs: [BadInput] = [
        BadInput(name: "missing file", make: { $0.file("absent.img") }, expected: "no such file"),
        BadInput(name: "directory", make: { $0.path }, expected: "is a directory"),
        BadInput(name: "empty file", make: { d in
            let p = d.file("empty.img"); _ = FileManager.default.createFile(atPath: p, contents: Data()); return p
        }, expected: "is empty"),
        BadInput(name: "FIFO", make: { d in let p = d.file("fifo"); mkfifo(p, 0o600); return p }, expected: "is a FIFO"),
        BadInput(name: "swap image", make: { d in
            let p = d.file("swap.img"); _ = FileManager.default.createFile(atPath: p, contents: nil)
            try FileHandle(forWritingTo: URL(fileURLWithPath: p)).truncate(atOffset: 8 << 20)
            try Tool.run("mkswap", ["-q", p]); return p
        }, expected: "looks like swap"),
        BadInput(name: "garbage", make: { d in
            let p = d.file("garbage.img")
            var state: UInt64 = 42
            let bytes = (0..<(2 << 20)).map { _ -> UInt8 in state = state &* 6364136223846793005 &+ 1442695040888963407; return UInt8(state >> 56) }
            _ = FileManager.default.createFile(atPath: p, contents: Data(bytes)); return p
        }, expected: "holds no ext2/ext3/ext4 filesystem"),
        BadInput(name: "truncated to 1 KiB", make: { d in
            let p = d.file("tiny.img"); try TestImages.make(p, sizeMiB: 8)
            try FileHandle(forWritingTo: URL(fileURLWithPath: p)).truncate(atOffset: 1024); return p
        }, expected: "ends before where an ext superblock would be"),
    ]

    @Test("bad input: one sentence on stderr, exit 8", arguments: badInputs)
    func badInput(input: BadInput) throws {
        let dir = TemporaryDirectory()
        let path = try input.make(dir)
        let r = try FSRescueBinary.run(["info", path])
        #expect(r.status == 8)
        #expect(r.stdout.isEmpty)
        #expect(r.stderr.hasPrefix("fsrescue: "))
        #expect(r.stderr.contains(input.expected))
        #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
    }

    @Test("usage errors exit 16 with one line", arguments: [
        ["info"], ["info", "x.img", "--superblock", "8193"], ["info", "x.img", "--partition", "1", "--offset", "0"],
        ["frobnicate"], ["info", "x.img", "--no-such-flag"],
    ])
    func usage(arguments: [String]) throws {
        let r = try FSRescueBinary.run(arguments)
        #expect(r.status == 16)
        #expect(r.stderr.hasPrefix("fsrescue: "))
        #expect(r.stderr.split(separator: "\n").count == 1, "one line: \(r.stderr)")
    }

    @Test("--help and --version exit 0")
    func help() throws {
        #expect(try FSRescueBinary.run(["--help"]).status == 0)
        #expect(try FSRescueBinary.run(["info", "--help"]).status == 0)
        #expect(try FSRescueBinary.run(["--version"]).status == 0)
    }

    @Test("--version names the libext2fs and libblkid it reads filesystems with, at the versions installed")
    func versionNamesLibraries() throws {
        let out = try FSRescueBinary.run(["--version"]).stdout
        for lib in ["ext2fs", "blkid"] {
            let installed = try Tool.run("pkg-config", ["--modversion", lib]).stdout
                .trimmingCharacters(in: .whitespacesAndNewlines)
            #expect(!installed.isEmpty)
            #expect(out.contains("lib\(lib) \(installed)"), "\(out)")
        }
    }

    @Test("info, scan, salvage and extract work on a read-only image owned by another user, run by an unprivileged user")
    func unprivilegedReadOnly() throws {
        guard getuid() == 0, Tool.exists("setpriv") else { return }
        let dir = TemporaryDirectory()
        chmod(dir.path, 0o755)
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 1024, sizeMiB: 16)
        chmod(img, 0o444)
        // The binary must be reachable by `nobody`: run a copy from the same world-readable folder.
        let bin = dir.file("fsrescue")
        try FileManager.default.copyItem(atPath: FSRescueBinary.path, toPath: bin)
        chmod(bin, 0o755)
        let asNobody = ["--reuid=65534", "--regid=65534", "--clear-groups", bin]
        let outs = dir.file("outs")
        try FileManager.default.createDirectory(atPath: outs, withIntermediateDirectories: false)
        chmod(outs, 0o777)
        try expectUnchanged(img) {
            let info = try Tool.run("setpriv", asNobody + ["info", img])
            #expect(info.status == 0, "\(info.stderr)")
            let scan = try Tool.run("setpriv", asNobody + ["scan", img, "--progress", "none"])
            #expect(scan.status == 0, "\(scan.stderr)")
            let salvage = try Tool.run("setpriv", asNobody + ["salvage", img, "--out", "\(outs)/salvage", "--progress", "none"])
            #expect(salvage.status == 0, "\(salvage.stderr)")
            let extract = try Tool.run("setpriv", asNobody + ["extract", img, "/lost+found", "--out", "\(outs)/extract", "--progress", "none"])
            #expect(extract.status == 0, "\(extract.stderr)")
        }
        chmod(img, 0o000)
        let denied = try Tool.run("setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", bin, "info", img])
        #expect(denied.status == 8)
        #expect(denied.stderr.contains("permission denied"))
    }
}
