// `fsrescue extract` as support scripts use it: by path, by inode, to stdout; never writing the image.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("fsrescue extract", .serialized)
struct ExtractCommandTests {
    func image(_ dir: TemporaryDirectory) throws -> String {
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: "\(src)/etc/ssh", withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(src)/etc/hostname", contents: Data("rescue-box\n".utf8))
        _ = FileManager.default.createFile(atPath: "\(src)/etc/ssh/sshd_config", contents: Data(repeating: 0x23, count: 70_000))
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 4096, sizeMiB: 16, extra: ["-d", src])
        return img
    }

    @Test("a folder by path comes out with its subtree and a manifest")
    func byPath() throws {
        let dir = TemporaryDirectory()
        let img = try image(dir)
        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["extract", img, "/etc", "--out", out]) }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(FileManager.default.contents(atPath: "\(out)/etc/hostname") == Data("rescue-box\n".utf8))
        #expect(FileManager.default.contents(atPath: "\(out)/etc/ssh/sshd_config") == Data(repeating: 0x23, count: 70_000))
        let manifest = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8)
        #expect(manifest.contains("\"image_path\":\"/etc/ssh/sshd_config\""))
        #expect(manifest.hasPrefix("{") && manifest.contains("\"schema\":\"fsrescue.manifest/1\""))
    }

    @Test("one file to stdout, byte-exact")
    func toStdout() throws {
        let dir = TemporaryDirectory()
        let img = try image(dir)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["extract", img, "/etc/ssh/sshd_config", "--stdout"]) }
        #expect(r.status == 0)
        #expect(r.stdoutData == Data(repeating: 0x23, count: 70_000))
    }

    @Test("by inode, with a JSON summary")
    func byInode() throws {
        let dir = TemporaryDirectory()
        let img = try image(dir)
        let lookup = try Tool.run("debugfs", ["-R", "stat /etc/hostname", img])
        let number = try #require(lookup.stdout.split(separator: " ").drop { $0 != "Inode:" }.dropFirst().first.flatMap { Int($0) })
        let out = dir.file("out")
        let r = try FSRescueBinary.run(["extract", img, "--inode", "\(number)", "--out", out, "--json"])
        #expect(r.status == 0)
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        #expect(doc["schema"] as? String == "fsrescue.extract/1")
        #expect(doc["complete"] as? Int == 1)
        #expect(FileManager.default.contents(atPath: "\(out)/#\(number)") == Data("rescue-box\n".utf8))
    }

    @Test("a missing path is exit 8 before anything is written; bad combinations are exit 16")
    func errors() throws {
        let dir = TemporaryDirectory()
        let img = try image(dir)
        let out = dir.file("out")
        let missing = try FSRescueBinary.run(["extract", img, "/etc/nope", "--out", out])
        #expect(missing.status == 8)
        #expect(missing.stderr.contains("/etc/nope is not in the filesystem"))
        #expect(!FileManager.default.fileExists(atPath: out))
        for args in [["extract", img, "/etc"], ["extract", img, "--out", out], ["extract", img, "/a", "/b", "--stdout"],
                     ["extract", img, "/etc", "--stdout", "--out", out]] {
            let r = try FSRescueBinary.run(args)
            #expect(r.status == 16, "\(args)")
            #expect(r.stderr.split(separator: "\n").count == 1)
        }
        let folder = try FSRescueBinary.run(["extract", img, "/etc", "--stdout"])
        #expect(folder.status == 16)
    }

    @Test("an output folder holding someone else's files is refused")
    func foreignOutput() throws {
        let dir = TemporaryDirectory()
        let img = try image(dir)
        let out = dir.file("out")
        try FileManager.default.createDirectory(atPath: out, withIntermediateDirectories: true)
        _ = FileManager.default.createFile(atPath: "\(out)/thesis.tex", contents: Data("mine".utf8))
        let r = try FSRescueBinary.run(["extract", img, "/etc", "--out", out])
        #expect(r.status == 16)
        #expect(r.stderr.contains("not empty"))
        #expect(try FileManager.default.contentsOfDirectory(atPath: out) == ["thesis.tex"])
    }
}
