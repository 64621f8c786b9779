// `fsrescue salvage` on a generated fixture: attached files under their paths, orphans saved, image untouched.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("fsrescue salvage", .serialized)
struct SalvageCommandTests {
    @Test("unlinked files come back at lost+found/<original path> from their slack names, the rest under root/")
    func unlinkedFiles() throws {
        let dir = TemporaryDirectory()
        let base = dir.file("base.img"), bad = dir.file("bad.img"), out = dir.file("out")
        #expect(try FSRescueBinary.run(["fixture", "create", "--out", base, "--size", "32M", "--files", "60", "--dirs", "6", "--seed", "11"]).status == 0)
        #expect(try FSRescueBinary.run(["fixture", "corrupt", "--in", base, "--out", bad, "--kind", "unlink-file", "--count", "3", "--seed", "5"]).status == 0)
        let r = try expectUnchanged(bad) { try FSRescueBinary.run(["salvage", bad, "--out", out, "--json"]) }
        #expect(r.status == 4, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        #expect(doc["schema"] as? String == "fsrescue.salvage/1")
        let truth = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: bad + ".truth.json"))) as? [String: Any])
        let corruption = try #require((truth["corruptions"] as? [[String: Any]])?.first)
        let unlinked = Set((corruption["inodes"] as? [Int]) ?? [])
        #expect(unlinked.count == 3)
        let names = (corruption["names"] as? [[String: Any]]) ?? []
        var checked = 0, checkedOrphans = 0
        for entry in (truth["entries"] as? [[String: Any]]) ?? [] where entry["type"] as? String == "file" {
            guard let inode = entry["inode"] as? Int, let path = entry["path"] as? String, let sha = entry["sha256"] as? String else { continue }
            let output: String
            if unlinked.contains(inode) {
                // The slack name, under its original directory's path recreated in lost+found.
                let name = try #require(names.first { $0["inode"] as? Int == inode }?["name"] as? String)
                #expect(path.hasSuffix("/" + name))
                output = "\(out)/lost+found\(path.hasPrefix("/") ? path : "/" + path)"
            } else {
                output = "\(out)/root\(path.hasPrefix("/") ? path : "/" + path)"
            }
            let data = try #require(FileManager.default.contents(atPath: output), "\(output) missing")
            #expect(TestSHA.hex(data) == sha, "\(output)")
            checked += 1
            if unlinked.contains(inode) { checkedOrphans += 1 }
        }
        #expect(checked >= 60)
        #expect(checkedOrphans == 3)
    }

    @Test("under a low limit on open descriptors (ulimit -n 40) the write-behind queue holds fewer files: nothing skipped")
    func lowDescriptorLimit() throws {
        let dir = TemporaryDirectory()
        let summary = try cleanSalvage(dir, fixture: ["--size", "32M", "--files", "400", "--dirs", "4", "--max-file-size", "8K", "--seed", "9"]) { img, out in
            try Tool.run("/bin/sh", ["-c", "ulimit -n 40 && exec \"$0\" salvage \"$1\" --out \"$2\" --json --progress none",
                                     FSRescueBinary.path, img, out])
        }
        #expect((summary["complete"] as? Int ?? 0) >= 400)
    }

    @Test("too few descriptors (ulimit -n 12): every command exits 8 with one sentence naming the limit, no trap, image unchanged",
          arguments: [["scan"], ["info"], ["salvage", "--out", "OUT"], ["extract", "/", "--out", "OUT"]])
    func tooFewDescriptors(command: [String]) throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        #expect(try FSRescueBinary.run(["fixture", "create", "--out", img, "--size", "8M", "--files", "20", "--max-file-size", "8K"]).status == 0)
        let arguments = [command[0], img] + command.dropFirst().map { $0 == "OUT" ? dir.file("out") : $0 }
        // Before the check, `extract` at this limit died in Dispatch's event-loop start (SIGILL, status 132).
        let r = try expectUnchanged(img) {
            try Tool.run("/bin/sh", ["-c", "ulimit -n 12 && exec \"$0\" \"$@\"", FSRescueBinary.path] + arguments)
        }
        #expect(r.status == 8, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count == 1 && lines[0].contains("too few free file descriptors") && lines[0].contains("ulimit -n"), "\(r.stderr)")
        #expect(!FileManager.default.fileExists(atPath: dir.file("out")))
    }

    /// Makes a clean fixture image with `fixture` arguments in `dir`, salvages it into `dir/out` with
    /// `salvage` (image proven unchanged), expects exit 0 and nothing skipped; returns the JSON summary.
    func cleanSalvage(_ dir: TemporaryDirectory, fixture: [String],
                      salvage: (_ image: String, _ out: String) throws -> ToolResult) throws -> [String: Any] {
        let img = dir.file("fs.img"), out = dir.file("out")
        #expect(try FSRescueBinary.run(["fixture", "create", "--out", img] + fixture).status == 0)
        let r = try expectUnchanged(img) { try salvage(img, out) }
        #expect(r.status == 0, "\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let summary = try #require(doc["summary"] as? [String: Any])
        #expect(summary["skipped"] as? Int == 0)
        return summary
    }

    @Test("a clean image with hard links in hundreds of folders: exit 0, nothing skipped, every link a real link")
    func manyHardLinkFolders() throws {
        let dir = TemporaryDirectory()
        let out = dir.file("out")
        _ = try cleanSalvage(dir, fixture: ["--size", "160M", "--files", "24000", "--dirs", "4000", "--max-file-size", "8K", "--seed", "3"]) { img, out in
            try FSRescueBinary.run(["salvage", img, "--out", out, "--json", "--progress", "none"])
        }
        let lines = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
        var folders = Set<String>(), links = 0
        for line in lines where line.contains("\"hard_link_to\"") {
            let item = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
            let path = try #require(item["path"] as? String), first = try #require(item["hard_link_to"] as? String)
            var a = stat(), b = stat()
            #expect(lstat("\(out)/\(path)", &a) == 0 && lstat("\(out)/\(first)", &b) == 0 && a.st_ino == b.st_ino, "\(path)")
            folders.insert(String(first.split(separator: "/").dropLast().joined(separator: "/")))
            links += 1
        }
        #expect(folders.count > 256, "the fixture should spread link sources over more than 256 folders (\(folders.count))")
        #expect(links > 300)
    }
}

enum TestSHA {
    static func hex(_ data: Data) -> String {
        let tmp = NSTemporaryDirectory() + "/sha-\(UUID().uuidString)"
        _ = FileManager.default.createFile(atPath: tmp, contents: data)
        defer { try? FileManager.default.removeItem(atPath: tmp) }
        return (try? TestImages.sha256(tmp)) ?? ""
    }
}
