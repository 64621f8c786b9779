// What the journal remembers, on kernel-written images (scripts/kernel-images.py --history): files
// removed with rm -rf, overwritten, truncated and replaced by a rename come back from the journal's
// older copies, byte for byte where their blocks are intact, and never called complete otherwise.
import Foundation
import Testing
import FSRescueTestSupport
import FSRescueFixtures

/// One file as it was before the later mount changed it (`NAME.deleted.jsonl`).
struct RememberedFile {
    let path: String
    let kind: String
    let size: Int
    let sha256: String
    let type: String
    let target: String?
    let intact: Bool
}

extension KernelImage {
    func remembered() throws -> [RememberedFile] {
        let r = try Tool.run("xz", ["-dc", "\(Self.folder)/\(name).deleted.jsonl.xz"])
        guard r.status == 0 else { throw TestImageError.tool("xz", r.stderr) }
        return r.stdout.split(separator: "\n").compactMap { line in
            guard let o = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let path = o["path"] as? String, let kind = o["kind"] as? String, let size = o["size"] as? Int,
                  let sha = o["sha256"] as? String, let type = o["type"] as? String else { return nil }
            return RememberedFile(path: path, kind: kind, size: size, sha256: sha, type: type, target: o["target"] as? String,
                                  intact: o["intact"] as? Bool ?? false)
        }
    }
}

@Suite("the journal remembers", .serialized)
struct JournalHistoryRecoveryTests {
    static let journaled = KernelImage.histories.map(\.name).filter { $0 != "history-ext2-rm" }

    static func manifest(_ out: String) throws -> [[String: Any]] {
        try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["record"] as? String == "item" }
    }

    static func sha256(_ path: String) throws -> String {
        let r = try Tool.run("sha256sum", [path])
        return String(r.stdout.prefix(64))
    }

    @Test("every committed history image is there", arguments: ["history-rmrf", "history-rmrf-1k", "history-overwrite",
                                                                 "history-ext3-rmrf", "history-ext2-rm", "history-wrapped"])
    func present(_ name: String) {
        #expect(KernelImage.histories.map(\.name).contains(name))
    }

    @Test("salvage --deleted brings back what was removed or overwritten at its path, byte for byte; no file is called complete with other content",
          arguments: journaled)
    func salvageDeleted(_ name: String) throws {
        let dir = TemporaryDirectory()
        let image = KernelImage(name: name)
        let img = try image.decompress(into: dir.path)
        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["salvage", img, "--out", out, "--deleted"]) }
        #expect(r.status == 0 || r.status == 4, "\(name): exit \(r.status)\n\(r.stderr)")
        // The live tree is untouched by what the history adds.
        let differ = try differences(from: try image.truth(), under: "\(out)/root")
        #expect(differ.isEmpty, "\(name): \(differ.prefix(5))")

        let items = try Self.manifest(out).filter { $0["history"] != nil }
        var exact = 0, expected = 0
        for file in try image.remembered() {
            let wanted = file.kind == "deleted" ? "deleted/\(file.path)" : "deleted/\(file.path).~"
            let found = items.filter { ($0["path"] as? String).map { file.kind == "deleted" ? $0 == wanted : $0.hasPrefix(wanted) } ?? false }
            if file.intact && name != "history-wrapped" { expected += 1 }
            guard let item = found.first(where: { $0["status"] as? String == "complete" }) else { continue }
            let path = "\(out)/\(item["path"] as! String)"
            if file.type == "symlink" {
                #expect(try FileManager.default.destinationOfSymbolicLink(atPath: path) == file.target, "\(name): \(file.path)")
            } else {
                // Complete means every byte is the file's: never another file's data.
                #expect(try Self.sha256(path) == file.sha256, "\(name): \(file.path) is complete with other content")
                #expect(item["sha256"] as? String == file.sha256)
            }
            if file.intact { exact += 1 }
        }
        #expect(exact >= expected, "\(name): \(exact) of \(expected) intact files came back byte for byte")
        if name == "history-wrapped" {
            // The journal went round about four times: the copies of the old folder's blocks are gone, so
            // the old files that come back are named #<inode>; their content is still the files'.
            let complete = try items.filter { $0["status"] as? String == "complete" && $0["type"] as? String == "file" }
                .map { try Self.sha256("\(out)/\($0["path"] as! String)") }
            let back = try image.remembered().filter { $0.size > 0 && complete.contains($0.sha256) }
            #expect(back.count >= 8, "\(name): \(back.count) old files back")
        }
    }

    @Test("an overwritten file's previous version comes back complete; a truncated one's is partial exactly where the live file still holds its blocks")
    func previousVersions() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "history-overwrite").decompress(into: dir.path)
        let out = dir.file("out")
        _ = try FSRescueBinary.run(["salvage", img, "--out", out, "--deleted"])
        let items = try Self.manifest(out).filter { $0["history"] as? String == "previous-version" }
        let dump = try #require(items.first { ($0["path"] as? String)?.hasPrefix("deleted/dump.sql.~") == true })
        #expect(dump["status"] as? String == "complete")
        #expect(dump["size"] as? Int == 399_951)
        let truncated = try #require(items.first { ($0["path"] as? String)?.hasPrefix("deleted/truncated.bin.~") == true })
        #expect(truncated["status"] as? String == "partial")
        // The live 10 KB file keeps its first three 4 KiB blocks: never read as old data.
        #expect((truncated["missing_ranges"] as? [[Int]]) == [[0, 12_288]])
        #expect(truncated["bytes_recovered"] as? Int == 204_800 - 12_288)
    }

    @Test("scan --deleted counts what the history brings back, lists it in JSON, and stays clean")
    func scanLists() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "history-rmrf").decompress(into: dir.path)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", "--deleted", "--json", img]) }
        #expect(r.status == 0, "a deleted file is history, not damage\n\(r.stderr)")
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let history = try #require(doc["history"] as? [String: Any])
        let remembered = try KernelImage(name: "history-rmrf").remembered()
        #expect(history["deleted"] as? Int == remembered.count)
        let files = try #require(history["files"] as? [[String: Any]])
        let paths = Set(files.compactMap { $0["path"] as? String })
        #expect(paths == Set(remembered.map { "/" + $0.path }))
        #expect(files.allSatisfy { $0["journal_sequence"] is Int && $0["kind"] as? String == "deleted" })
        let text = try FSRescueBinary.run(["scan", "--deleted", img])
        #expect(text.stdout.contains("\(remembered.count) deleted file(s)"))
    }

    @Test("scan --deleted lists the history's files in one order on every run: by path, newest first, then by inode")
    func historyOrderIsStable() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "history-wrapped").decompress(into: dir.path)
        var runs: [[[String: Any]]] = []
        // Each run is a new process, with a new seed for Swift's dictionaries.
        for _ in 0..<3 {
            let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", "--deleted", "--json", img]) }
            let doc = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
            let history = try #require(doc["history"] as? [String: Any])
            runs.append(try #require(history["files"] as? [[String: Any]]))
        }
        let files = runs[0]
        #expect(files.count > 1, "the wrapped journal remembers several files")
        func key(_ f: [String: Any]) -> String { "\(f["path"] ?? "") \(f["journal_sequence"] ?? "") \(f["inode"] ?? "") \(f["kind"] ?? "")" }
        for other in runs.dropFirst() { #expect(other.map(key) == files.map(key)) }
        for (a, b) in zip(files, files.dropFirst())
        where a["path"] as? String == b["path"] as? String && a["journal_sequence"] as? Int == b["journal_sequence"] as? Int {
            let (x, y) = (a["inode"] as? Int ?? 0, b["inode"] as? Int ?? 0)
            #expect(x <= y, "files of one transaction with the same path out of inode order: \(x) before \(y)")
        }
    }

    @Test("--as-of before the first commit brings back nothing; without --deleted it is refused; a bad time is a usage error")
    func asOf() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "history-rmrf").decompress(into: dir.path)
        let early = try FSRescueBinary.run(["scan", "--deleted", "--as-of", "2000-01-01", "--json", img])
        let history = try #require((try JSONSerialization.jsonObject(with: early.stdoutData) as? [String: Any])?["history"] as? [String: Any])
        #expect(history["deleted"] as? Int == 0)
        let late = try FSRescueBinary.run(["scan", "--deleted", "--as-of", "2999-01-01T00:00:00Z", "--json", img])
        let all = try #require((try JSONSerialization.jsonObject(with: late.stdoutData) as? [String: Any])?["history"] as? [String: Any])
        #expect(all["deleted"] as? Int == 29)
        let alone = try FSRescueBinary.run(["scan", "--as-of", "2000-01-01", img])
        #expect(alone.status == 16 && alone.stderr.contains("--deleted"))
        let bad = try FSRescueBinary.run(["salvage", img, "--out", dir.file("o"), "--deleted", "--as-of", "last tuesday"])
        #expect(bad.status == 16)
    }

    @Test("on ext2, deleted inodes that kept their block maps come back byte for byte under their names, with a block reused since missing")
    func ext2Deleted() throws {
        guard Tool.exists("mke2fs"), Tool.exists("debugfs") else { return }
        let dir = TemporaryDirectory()
        let tree = dir.file("tree")
        try FileManager.default.createDirectory(atPath: tree + "/docs", withIntermediateDirectories: true)
        var random = SeededRandom(seed: 2802)
        func bytes(_ n: Int) -> Data { Data((0..<n).map { _ in UInt8(truncatingIfNeeded: random.next()) }) }
        let big = bytes(70_000), small = bytes(5_000)
        try big.write(to: URL(fileURLWithPath: tree + "/docs/big.bin"))
        try small.write(to: URL(fileURLWithPath: tree + "/small.bin"))
        try Data("kept\n".utf8).write(to: URL(fileURLWithPath: tree + "/keep.txt"))
        let img = dir.file("ext2.img")
        #expect(try Tool.run("mke2fs", ["-q", "-F", "-t", "ext2", "-b", "1024", "-d", tree, img, "4M"]).status == 0)
        // As the ext2 driver deletes: no links, the entry gone (its name left in slack), dtime set, blocks
        // and inode freed in the bitmaps, the block map left in the inode.
        let firstBlocks = try Tool.run("debugfs", ["-R", "blocks /docs/big.bin", img]).stdout.split(separator: " ").first.map(String.init)
        for path in ["/docs/big.bin", "/small.bin"] {
            let stat = try Tool.run("debugfs", ["-R", "stat \(path)", img]).stdout
            let inode = try #require(stat.split(separator: "\n").first { $0.hasPrefix("Inode:") }?.split(separator: " ")[1])
            for request in ["sif \(path) links_count 0", "unlink \(path)", "kill_file <\(inode)>"] {
                #expect(try Tool.run("debugfs", ["-w", "-R", request, img]).status == 0)
            }
        }
        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["salvage", img, "--out", out, "--deleted"]) }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/deleted/docs/big.bin")) == big)
        #expect(try Data(contentsOf: URL(fileURLWithPath: out + "/deleted/small.bin")) == small)
        let items = try Self.manifest(out).filter { $0["history"] != nil }
        #expect(items.count == 2 && items.allSatisfy { $0["status"] as? String == "complete" && $0["journal_sequence"] == nil })

        // Another file takes two of the deleted file's blocks (marked in use, as an allocation marks them):
        // those are never read as its data.
        let blocks = try #require(firstBlocks)
        #expect(try Tool.run("debugfs", ["-w", "-R", "setb \(blocks) 2", img]).status == 0)
        let again = dir.file("again")
        _ = try FSRescueBinary.run(["salvage", img, "--out", again, "--deleted"])
        let after = try Self.manifest(again).filter { $0["history"] != nil }
        let partial = try #require(after.first { ($0["path"] as? String) == "deleted/docs/big.bin" })
        #expect(partial["status"] as? String == "partial")
        #expect(partial["missing_ranges"] as? [[Int]] == [[0, 2048]])
    }

    @Test("without a journal, --deleted says so and salvage goes on")
    func noJournal() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "history-ext2-rm").decompress(into: dir.path)
        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["salvage", img, "--out", out, "--deleted"]) }
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("no journal"))
        #expect(!FileManager.default.fileExists(atPath: "\(out)/deleted"))
    }
}
