// Hostile images and hostile output folders: names that climb, a 1 TiB sparse file, read-only and full disks.
import Foundation
import Testing
import FSRescue
import FSRescueTestSupport

@Suite("Hostile input and output", .serialized)
struct HostileOutputTests {
    func smallImage(_ dir: TemporaryDirectory, files: Int = 1, fileBytes: Int = 100) throws -> String {
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: "\(src)/many", withIntermediateDirectories: true)
        for i in 0..<files {
            _ = FileManager.default.createFile(atPath: "\(src)/many/f\(i)", contents: Data(repeating: UInt8(i % 255 + 1), count: fileBytes))
        }
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 1024, sizeMiB: 8, extra: ["-d", src, "-O", "^metadata_csum"])
        return img
    }

    /// Checks a finished run: the expected exit statuses, one `fsrescue:` sentence or nothing on stderr.
    func expectOneSentence(_ r: ToolResult, _ statuses: Set<Int32>, _ comment: Comment) {
        #expect(statuses.contains(r.status), "\(comment): exit \(r.status), \(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        #expect(lines.count <= 1 && lines.allSatisfy { $0.hasPrefix("fsrescue: ") }, "\(comment): \(r.stderr)")
    }

    @Test("an output folder on a read-only filesystem: exit 8, one sentence naming it", .enabled(if: ScratchMount.available))
    func readOnlyOutput() throws {
        let dir = TemporaryDirectory()
        let img = try smallImage(dir)
        let mount = try #require(ScratchMount(options: "ro,size=64k"))
        for out in [mount.path, mount.path + "/new"] {
            let r = try expectUnchanged(img) { try FSRescueBinary.run(["extract", img, "/many", "--out", out]) }
            expectOneSentence(r, [8], "\(out)")
            #expect(r.stderr.contains("read-only"), "\(r.stderr)")
        }
    }

    @Test("no space left: refused before writing when clearly too small, stopped cleanly when it runs out",
          .enabled(if: ScratchMount.available))
    func noSpace() throws {
        let dir = TemporaryDirectory()
        // 200 files of 100 bytes: 20 kB by the estimate, but a 4 KiB page each on tmpfs (800 KiB > 128 KiB).
        let img = try smallImage(dir, files: 200, fileBytes: 100)
        let full = try #require(ScratchMount(options: "size=128k"))
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["extract", img, "/many", "--out", full.path + "/out"]) }
        expectOneSentence(r, [8], "runs out")
        #expect(r.stderr.contains("space"), "\(r.stderr)")
        #expect(FileManager.default.fileExists(atPath: full.path + "/out/manifest.jsonl"))

        let big = TemporaryDirectory()
        let bigImage = try smallImage(big, files: 1, fileBytes: 1 << 20)
        let tiny = try #require(ScratchMount(options: "size=128k"))
        let refused = try expectUnchanged(bigImage) { try FSRescueBinary.run(["extract", bigImage, "/many", "--out", tiny.path + "/out"]) }
        expectOneSentence(refused, [8], "too small")
        #expect(refused.stderr.contains("bytes free"), "\(refused.stderr)")
        #expect(!FileManager.default.fileExists(atPath: tiny.path + "/out/many"))
    }

    @Test("--max-output-bytes stops a salvage cleanly wherever the output is")
    func outputLimit() throws {
        let dir = TemporaryDirectory()
        let img = try smallImage(dir, files: 8, fileBytes: 40_000)
        let out = dir.file("out")
        let summary = try expectUnchanged(img) {
            let fs = try Filesystem.open(path: img)
            var plan = SalvagePlan()
            plan.lister = fs
            var options = SalvageOptions()
            options.maxOutputBytes = 100_000
            return try SalvageRunner(filesystem: fs, plan: plan, output: out, options: options).run()
        }
        #expect(!summary.completed)
        #expect(summary.bytesWritten <= 100_000)
        #expect(summary.stopReason?.contains("--max-output-bytes") == true)
    }

    @Test("a 1 TiB sparse file with one block comes out sparse: 1 TiB long, a few KiB on disk")
    func hugeSparseFile() throws {
        let dir = TemporaryDirectory()
        let img = try smallImage(dir)
        try TestImages.debugfsWrite(img, ["sif /many/f0 size 0x10000000000"])
        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["extract", img, "/many/f0", "--out", out]) }
        expectOneSentence(r, [0], "sparse")
        var st = stat()
        #expect(lstat("\(out)/f0", &st) == 0)
        #expect(st.st_size == 1 << 40)
        #expect(st.st_blocks * 512 <= 64 << 10, "\(st.st_blocks) blocks allocated")
        let manifest = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8)
        #expect(manifest.contains("\"sha256_omitted\""))
    }

    @Test("a file named many times with i_links_count 1 is copied once, the other names recorded as skipped")
    func repeatedInode() throws {
        let dir = TemporaryDirectory()
        let img = try smallImage(dir, files: 1, fileBytes: 300_000)
        // debugfs ln adds a name without touching i_links_count: a crafted image can name one inode any number of times.
        try TestImages.debugfsWrite(img, (1...20).map { "ln /many/f0 /many/again\($0)" })
        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["extract", img, "/many", "--out", out]) }
        expectOneSentence(r, [4], "repeated inode")
        #expect(OutputAudit(root: out).allocatedBytes < 2 * 300_000)
        let manifest = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8)
        #expect(manifest.components(separatedBy: "already saved under another name").count - 1 == 20)
    }

    /// Renames directory entries of `directory` in a test-made image by rewriting their name bytes in place
    /// (same length): the only way to get `/`, NUL or `..` into a name, which debugfs refuses.
    func patchNames(_ img: String, directory: String, _ renames: [String: [UInt8]]) throws {
        let blocks = try Tool.run("debugfs", ["-R", "blocks \(directory)", img]).stdout
        let block = try #require(blocks.split(separator: " ").first.flatMap { UInt64($0.trimmingCharacters(in: .whitespacesAndNewlines)) })
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: img))
        defer { try? handle.close() }
        try handle.seek(toOffset: block * 1024)
        var bytes = [UInt8](try handle.read(upToCount: 1024) ?? Data())
        var offset = 0, patched = 0
        while offset + 8 <= bytes.count {
            let recLen = Int(bytes[offset + 4]) | Int(bytes[offset + 5]) << 8
            let nameLen = Int(bytes[offset + 6])
            guard recLen >= 8, offset + 8 + nameLen <= bytes.count else { break }
            let name = String(decoding: bytes[(offset + 8)..<(offset + 8 + nameLen)], as: UTF8.self)
            if let new = renames[name], new.count == nameLen {
                bytes.replaceSubrange((offset + 8)..<(offset + 8 + nameLen), with: new)
                patched += 1
            }
            offset += recLen
        }
        #expect(patched == renames.count, "patched \(patched) of \(renames.count)")
        try handle.seek(toOffset: block * 1024)
        handle.write(Data(bytes))
    }

    @Test("hostile names: `/`, `..`, NUL, control bytes, 255 bytes, collisions; nothing lands outside the root")
    func hostileNames() throws {
        let dir = TemporaryDirectory()
        let img = try smallImage(dir)
        let long = String(repeating: "n", count: 255)
        let names = ["ZZ", "ZZZZZZZZZescape", "slashZmarkerZx", "nulZbyte", "ctl\u{01}\u{1b}[31mred", long, "dup%2F", "dupZ"]
        try TestImages.debugfsWrite(img, ["mkdir /hostile"] + names.map { "write /dev/null \"/hostile/\($0)\"" })
        let renames: [String: [UInt8]] = ["ZZ": Array("..".utf8), "ZZZZZZZZZescape": Array("../../../escape".utf8),
                                          "slashZmarkerZx": Array("slash/marker/x".utf8), "nulZbyte": Array("nul\0byte".utf8),
                                          "dupZ": Array("dup/".utf8)]
        try patchNames(img, directory: "/hostile", renames)
        try FileManager.default.createDirectory(atPath: dir.file("a/b"), withIntermediateDirectories: true)
        let out = dir.file("a/b/out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["extract", img, "/hostile", "--out", out]) }
        expectOneSentence(r, [0, 4], "hostile names")

        #expect(OutputAudit(root: out).violations.isEmpty)
        #expect(OutputAudit.strangers(in: dir.file("a/b"), expected: ["out"]).isEmpty)
        #expect(OutputAudit.strangers(in: dir.file("a"), expected: ["b"]).isEmpty)
        #expect(OutputAudit.strangers(in: dir.path, expected: ["a", "src", "fs.img"]).isEmpty)
        let written = try FileManager.default.contentsOfDirectory(atPath: "\(out)/hostile")
        #expect(written.count == names.count, "\(written)")
        #expect(written.allSatisfy { $0 != "." && $0 != ".." && !$0.contains("/") && $0.utf8.count <= 255 })

        let items = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["record"] as? String == "item" }
        let original = Set(items.compactMap { $0["name"] as? String })
        for name in ["..", "../../../escape", "slash/marker/x", "nul\0byte", "ctl\u{01}\u{1b}[31mred", long, "dup%2F", "dup/"] {
            #expect(original.contains(name), "\(name.debugDescription) kept in the manifest")
        }
        let paths = items.compactMap { $0["path"] as? String }.filter { $0.hasPrefix("hostile/") }
        #expect(Set(paths).count == names.count, "distinct output names: \(paths)")
    }
}
