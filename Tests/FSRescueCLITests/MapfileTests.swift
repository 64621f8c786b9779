// Images made by GNU ddrescue from a failing disk: bytes its mapfile does not mark finished were never
// read, and no file touching them is ever called complete.
import Foundation
import Testing
import FSRescueTestSupport
import FSRescue

@Suite("ddrescue mapfiles", .serialized)
struct MapfileTests {
    /// A ddrescue mapfile of `size` bytes whose `bad` ranges are `-` (bad sectors) and the rest `+`.
    static func mapfile(size: UInt64, bad: [Range<UInt64>]) -> String {
        var lines = ["# Mapfile. Created by GNU ddrescue version 1.27", "# current_pos  current_status  current_pass",
                     "0x00000000     +               1", "#      pos        size  status"]
        var at: UInt64 = 0
        for range in bad.sorted(by: { $0.lowerBound < $1.lowerBound }) {
            if range.lowerBound > at { lines.append(String(format: "0x%08llX  0x%08llX  +", at, range.lowerBound - at)) }
            lines.append(String(format: "0x%08llX  0x%08llX  -", range.lowerBound, range.upperBound - range.lowerBound))
            at = range.upperBound
        }
        if at < size { lines.append(String(format: "0x%08llX  0x%08llX  +", at, size - at)) }
        return lines.joined(separator: "\n") + "\n"
    }

    /// The first physical block of `path` in `img` (debugfs `blocks`).
    static func firstBlock(_ path: String, in img: String) throws -> UInt64 {
        let r = try Tool.run("debugfs", ["-R", "blocks \(path)", img])
        return try #require(r.stdout.split(whereSeparator: { $0 == " " || $0 == "\n" }).first.flatMap { UInt64($0) })
    }

    @Test("files whose blocks lie in unread areas are partial with the exact unread ranges (zeros written); every other file is byte-exact")
    func unreadFiles() throws {
        guard Tool.exists("debugfs") else { return }
        let dir = TemporaryDirectory()
        let image = KernelImage(name: "ext4-default")
        let img = try image.decompress(into: dir.path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: img)[.size] as? UInt64)
        let truth = try image.truth()
        let big = Array(truth.filter { $0.type == "file" && ($0.size ?? 0) > 8192 && !$0.path.hasPrefix("links/") }.prefix(3))
        #expect(big.count == 3)
        let bs: UInt64 = 4096
        var bad: [Range<UInt64>] = []
        for file in big {
            let block = try Self.firstBlock("/" + file.path, in: img)
            bad.append(block * bs..<(block + 1) * bs)
        }
        // ddrescue leaves what it could not read as zeros in the image.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: img))
        for range in bad { try handle.seek(toOffset: range.lowerBound); handle.write(Data(count: Int(bs))) }
        try handle.close()
        let map = dir.file("disk.map")
        try Self.mapfile(size: size, bad: bad).write(toFile: map, atomically: true, encoding: .utf8)

        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["salvage", img, "--out", out, "--mapfile", map]) }
        #expect(r.status == 4, "partial files are problems found\n\(r.stderr)")
        let lines = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
        let items: [[String: Any]] = lines.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["record"] as? String == "item" }
        let damaged = Set(big.map { "root/" + $0.path })
        for item in items where item["type"] as? String == "file" {
            let path = item["path"] as? String ?? ""
            let links = items.filter { ($0["hard_link_to"] as? String) == path }.map { $0["path"] as? String ?? "" }
            if damaged.contains(path) || links.contains(where: damaged.contains) {
                #expect(item["status"] as? String == "partial", "\(path)")
                #expect(item["unread_ranges"] as? [[Int]] == [[0, 4096]], "\(path): \(item["unread_ranges"] ?? "none")")
                #expect((item["findings"] as? [String])?.contains("salvage.unread") == true)
            } else if (item["hard_link_to"] as? String).map(damaged.contains) != true {
                #expect(item["status"] as? String == "complete", "\(path)")
            }
        }
        // Everything not touched is exactly what the kernel wrote.
        let hit = Set(big.map(\.inode))
        let untouched = truth.filter { !hit.contains($0.inode) }
        let differ = try differences(from: untouched, under: "\(out)/root")
        #expect(differ.isEmpty, "\(differ.prefix(5))")
    }

    @Test("an inode-table block and a directory block never read: named as such, not read as zeros, and no false finding about the inodes they hold")
    func unreadMetadata() throws {
        guard Tool.exists("debugfs"), Tool.exists("dumpe2fs") else { return }
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "ext4-default").decompress(into: dir.path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: img)[.size] as? UInt64)
        let dump = try Tool.run("dumpe2fs", [img]).stdout
        let table = try #require(dump.split(separator: "\n").first { $0.contains("Inode table at") }
            .flatMap { $0.split(separator: " ").first { $0.contains("-") } }.flatMap { UInt64($0.split(separator: "-")[0]) })
        let directory = try #require(try Tool.run("debugfs", ["-R", "blocks /indexed", img]).stdout
            .split(separator: " ").dropFirst().first.flatMap { UInt64($0) })
        let bs: UInt64 = 4096
        let bad = [(table + 1) * bs..<(table + 2) * bs, directory * bs..<(directory + 1) * bs]
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: img))
        for range in bad { try handle.seek(toOffset: range.lowerBound); handle.write(Data(count: Int(bs))) }
        try handle.close()
        let map = dir.file("disk.map")
        try Self.mapfile(size: size, bad: bad).write(toFile: map, atomically: true, encoding: .utf8)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", "--json", img, "--mapfile", map]) }
        #expect(r.status == 4)
        let report = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        let codes = findings.compactMap { $0["code"] as? String }
        #expect(codes.contains("source.unread"))
        let unread = try #require(findings.first { $0["code"] as? String == "inode.unread" })
        #expect((unread["message"] as? String)?.contains("Inodes 17–32") == true, "\(unread)")
        #expect(findings.contains { $0["code"] as? String == "dir.unreadable-block" && ($0["block"] as? Int) == Int(directory) })
        // Entries naming the unread inodes are not "unused inodes", and their bitmap bits are not differences.
        #expect(!codes.contains("dir.unused-inode") && !codes.contains("bitmap.inode-differences"), "\(codes)")
        #expect(!findings.contains { $0["code"] as? String == "bitmap.block-differences" && $0["severity"] as? String != "info" })
    }

    @Test("an extent-tree block and a bitmap never read are not parsed: the file they map is partial, the bitmap check says it could not run")
    func unreadTreeAndBitmap() throws {
        guard Tool.exists("debugfs"), Tool.exists("dumpe2fs") else { return }
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "ext4-default").decompress(into: dir.path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: img)[.size] as? UInt64)
        // The first leaf block of the depth-2 tree of /fragmented (debugfs lists tree blocks as ETB1).
        let stat = try Tool.run("debugfs", ["-R", "stat /fragmented", img]).stdout
        let leafText: Substring? = stat.components(separatedBy: "(ETB1):").dropFirst().first?.prefix { $0.isNumber }
        let leaf: UInt64 = try #require(leafText.flatMap { UInt64($0) })
        let dump: String = try Tool.run("dumpe2fs", [img]).stdout
        let bitmapLine: Substring? = dump.split(separator: "\n").first { $0.contains("Block bitmap at") }
        let bitmapField: Substring? = bitmapLine?.split(separator: " ").dropFirst(3).first
        let bitmap: UInt64 = try #require(bitmapField.flatMap { UInt64($0) })
        let bad: [Range<UInt64>] = [leaf * 4096..<(leaf + 1) * 4096, bitmap * 4096..<(bitmap + 1) * 4096]
        let map = dir.file("disk.map")
        try Self.mapfile(size: size, bad: bad.sorted { $0.lowerBound < $1.lowerBound }).write(toFile: map, atomically: true, encoding: .utf8)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", "--json", img, "--mapfile", map]) }
        let findings = ((try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])?["findings"] as? [[String: Any]]) ?? []
        let codes = Set(findings.compactMap { $0["code"] as? String })
        #expect(codes.contains("extent.unreadable") || codes.contains("extent.bad-header"), "\(codes)")
        #expect(codes.contains("bitmap.unreadable"), "\(codes)")
        let out = dir.file("out")
        _ = try FSRescueBinary.run(["salvage", img, "--out", out, "--mapfile", map])
        let item = try #require(try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["image_path"] as? String == "/fragmented" })
        #expect(item["status"] as? String == "partial", "the ranges the unread leaf maps are missing, not zeros called data")
        #expect((item["missing_ranges"] as? [[Int]])?.isEmpty == false)
    }

    @Test("an indirect block never read (ext2): the scan names it and the logical blocks it maps, pass 5 calls nothing it maps ownerless, the file is partial")
    func unreadIndirectBlock() throws {
        guard Tool.exists("debugfs") else { return }
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "ext2").decompress(into: dir.path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: img)[.size] as? UInt64)
        // The first file with an indirect block (debugfs shows it as (IND):N).
        let truth = try KernelImage(name: "ext2").truth()
        var found: (path: String, block: UInt64)?
        for record in truth where record.type == "file" && (record.size ?? 0) > 12 * 4096 && found == nil {
            let stat = try Tool.run("debugfs", ["-R", "stat \"\(record.path)\"", img]).stdout
            if let text = stat.components(separatedBy: "(IND):").dropFirst().first?.prefix(while: { $0.isNumber }), let b = UInt64(text) {
                found = (record.path, b)
            }
        }
        let (path, block) = try #require(found)
        let map = dir.file("disk.map")
        try Self.mapfile(size: size, bad: [block * 4096..<(block + 1) * 4096]).write(toFile: map, atomically: true, encoding: .utf8)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", img, "--mapfile", map]) }
        #expect(r.stdout.contains("its indirect block \(block) cannot be read; the 1024 logical blocks from 12 it maps were not checked"), "\(r.stdout)")
        // The blocks it maps are in use but not found: no false bitmap or count damage in pass 5.
        #expect(!r.stdout.contains("[warning] pass 5") && !r.stdout.contains("[error] pass 5"), "\(r.stdout)")
        let out = dir.file("out")
        _ = try FSRescueBinary.run(["salvage", img, "--out", out, "--mapfile", map])
        let item = try #require(try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["image_path"] as? String == "/" + path })
        #expect(item["status"] as? String == "partial", "\(item)")
    }

    @Test("a journal never read is not replayed from ddrescue's zeros: the finding says why")
    func unreadJournal() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "powercut-ext4").decompress(into: dir.path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: img)[.size] as? UInt64)
        let stat = try Tool.run("debugfs", ["-R", "stat <8>", img]).stdout
        // The journal's first extent: "(0-…):START-END".
        let extentText: Substring? = stat.components(separatedBy: "):").dropFirst().first?.prefix { $0.isNumber || $0 == "-" }
        let bounds: [UInt64] = (extentText ?? "").split(separator: "-").compactMap { UInt64($0) }
        let first: UInt64 = try #require(bounds.first), last: UInt64 = try #require(bounds.last)
        let journal: Range<UInt64> = first * 4096..<(last + 1) * 4096
        let map = dir.file("disk.map")
        try Self.mapfile(size: size, bad: [journal]).write(toFile: map, atomically: true, encoding: .utf8)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["info", "--json", img, "--mapfile", map]) }
        let doc = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        let findings = (doc["findings"] as? [[String: Any]]) ?? []
        #expect(findings.contains { $0["code"] as? String == "journal.not-replayed" }, "\(findings.map { $0["code"] ?? "" })")
        #expect(!findings.contains { $0["code"] as? String == "journal.replayed" })
    }

    @Test("an output that cannot be written (--mapfile-out, --html, domain --out: a folder, the image, a missing folder) is refused before the scan, in one sentence, exit 8")
    func badOutputs() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "ext4-1k").decompress(into: dir.path)
        for target in [dir.path, img, dir.file("missing/x.out")] {
            for command in [["scan", img, "--mapfile-out", target], ["scan", img, "--html", target], ["domain", img, "--out", target],
                            ["salvage", img, "--out", dir.file("o"), "--mapfile-out", target]] {
                let r = try expectUnchanged(img) { try FSRescueBinary.run(command) }
                #expect(r.status == 8 && r.stdout.isEmpty, "\(command): \(r.status) \(r.stdout.prefix(100))")
                #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains(target), "\(command): \(r.stderr)")
            }
        }
        #expect(!FileManager.default.fileExists(atPath: dir.file("o")), "nothing was salvaged before the refusal")
    }

    @Test("a bad mapfile is one sentence and exit 8", arguments: [
        ("garbage", "this is not a mapfile\n"),
        ("no blocks", "0x0 + 1\n"),
        ("overlap", "0x0 + 1\n0x0 0x100000 +\n0x80000 0x100000 +\n"),
        ("bad status", "0x0 + 1\n0x0 0x100000 x\n"),
        ("too short", "0x0 + 1\n0x0 0x1000 +\n"),
        ("rescued past the image", "0x0 + 1\n0x0 0x100000000000 +\n"),
    ])
    func badMapfiles(_ name: String, _ text: String) throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "ext4-1k").decompress(into: dir.path)
        let map = dir.file("bad.map")
        try text.write(toFile: map, atomically: true, encoding: .utf8)
        let r = try FSRescueBinary.run(["scan", img, "--mapfile", map])
        #expect(r.status == 8, "\(name): exit \(r.status)")
        #expect(r.stderr.split(separator: "\n").count == 1 && r.stderr.contains("--mapfile"), "\(name): \(r.stderr)")
        let missing = try FSRescueBinary.run(["scan", img, "--mapfile", dir.file("nothing.map")])
        #expect(missing.status == 8 && missing.stderr.contains("nothing.map"))
    }
}

@Suite("reading a failing disk", .serialized)
struct ReadErrorTests {
    static let bs: UInt64 = 4096

    /// A kernel image, a file of it, its first data block and the inode-table block holding inodes 17–32.
    static func setUp(_ dir: TemporaryDirectory) throws -> (img: String, file: KernelTruthRecord, block: UInt64, table: UInt64) {
        let image = KernelImage(name: "ext4-default")
        let img = try image.decompress(into: dir.path)
        let file = try #require(try image.truth().first { $0.type == "file" && ($0.size ?? 0) > 8192 && ($0.size ?? 0) < 65536 && !$0.path.hasPrefix("links/") })
        let block = try MapfileTests.firstBlock("/" + file.path, in: img)
        let dump = try Tool.run("dumpe2fs", [img]).stdout
        let table = try #require(dump.split(separator: "\n").first { $0.contains("Inode table at") }
            .flatMap { $0.split(separator: " ").first { $0.contains("-") } }.flatMap { UInt64($0.split(separator: "-")[0]) })
        return (img, file, block, table + 1)
    }

    static func manifest(_ out: String) throws -> [[String: Any]] {
        try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["record"] as? String == "item" }
    }

    @Test("reads that fail twice: the file is partial with its unread block, the inode-table block's inodes are named, the rest of the table is read, and --mapfile-out gives ddrescue exactly the failed areas")
    func failingReads() throws {
        guard Tool.exists("debugfs"), Tool.exists("dumpe2fs") else { return }
        let dir = TemporaryDirectory()
        let (img, file, block, table) = try Self.setUp(dir)
        let faults = "\(block * Self.bs)-\((block + 1) * Self.bs),\(table * Self.bs)-\((table + 1) * Self.bs)"
        let out = dir.file("out"), map = dir.file("errors.map")
        let r = try expectUnchanged(img) {
            try FSRescueBinary.run(["salvage", img, "--out", out, "--mapfile-out", map], environment: ["FSRESCUE_FAULT_RANGES": faults])
        }
        #expect(r.status == 4, "\(r.stderr)")
        #expect(r.stderr.contains("2 area(s)") && r.stderr.contains("could not be read"), "\(r.stderr)")
        let items = try Self.manifest(out)
        let item = try #require(items.first { $0["image_path"] as? String == "/" + file.path })
        #expect(item["status"] as? String == "partial")
        #expect(item["unread_ranges"] as? [[Int]] == [[0, 4096]])
        // The table's other blocks were read: the files whose inodes lie there are saved.
        #expect(items.filter { $0["status"] as? String == "complete" && $0["type"] as? String == "file" }.count > 700)
        let failed = Mapfile.blocks(try String(contentsOfFile: map, encoding: .utf8))
        #expect(failed.filter { $0.status == "-" }.map(\.range) == [table * Self.bs..<(table + 1) * Self.bs, block * Self.bs..<(block + 1) * Self.bs].sorted { $0.lowerBound < $1.lowerBound })

        let scan = try FSRescueBinary.run(["scan", "--json", img], environment: ["FSRESCUE_FAULT_RANGES": faults])
        let findings = ((try JSONSerialization.jsonObject(with: scan.stdoutData) as? [String: Any])?["findings"] as? [[String: Any]]) ?? []
        #expect(findings.contains { $0["code"] as? String == "source.read-error" })
        #expect(findings.contains { $0["code"] as? String == "inode.unread" && ($0["message"] as? String)?.contains("Inodes 17–32") == true })
        #expect(!findings.contains { $0["code"] as? String == "inode.scan-error" }, "the rest of the table was read")
    }

    @Test("a multi-block read that fails twice but whose blocks all read alone loses nothing and records nothing")
    func blocksReadAlone() throws {
        guard Tool.exists("debugfs"), Tool.exists("dumpe2fs") else { return }
        let dir = TemporaryDirectory()
        let (img, _, _, table) = try Self.setUp(dir)
        let r = try FSRescueBinary.run(["scan", "--json", img, "--mapfile-out", dir.file("m.map")],
                                       environment: ["FSRESCUE_FAULT_RANGES": "\(table * Self.bs)-\((table + 1) * Self.bs):2"])
        #expect(r.status == 0, "\(r.stderr)")
        let failed = Mapfile.blocks(try String(contentsOfFile: dir.file("m.map"), encoding: .utf8)).filter { $0.status != "+" }
        #expect(failed.isEmpty, "\(failed)")
    }

    @Test("extract, info and domain with --mapfile-out on a failing disk: the image unchanged, the file partial, the failed block listed")
    func otherCommands() throws {
        guard Tool.exists("debugfs"), Tool.exists("dumpe2fs") else { return }
        let dir = TemporaryDirectory()
        let (img, file, block, _) = try Self.setUp(dir)
        let env = ["FSRESCUE_FAULT_RANGES": "\(block * Self.bs)-\((block + 1) * Self.bs)"]
        let out = dir.file("out"), map = dir.file("x.map")
        let extract = try expectUnchanged(img) {
            try FSRescueBinary.run(["extract", img, "/" + file.path, "--out", out, "--mapfile-out", map], environment: env)
        }
        #expect(extract.status == 4, "\(extract.stderr)")
        let item = try #require(try Self.manifest(out).first)
        #expect(item["status"] as? String == "partial" && item["unread_ranges"] as? [[Int]] == [[0, 4096]])
        #expect(Mapfile.blocks(try String(contentsOfFile: map, encoding: .utf8)).filter { $0.status == "-" }.map(\.range)
                == [block * Self.bs..<(block + 1) * Self.bs])
        for command in [["info", img], ["domain", img, "--out", dir.file("d.map")]] {
            let r = try expectUnchanged(img) { try FSRescueBinary.run(command + ["--mapfile-out", dir.file("y.map")], environment: env) }
            #expect(r.status == 0, "\(command[0]): \(r.stderr)")
        }
    }

    @Test("a read that fails once and succeeds when retried loses nothing")
    func retried() throws {
        guard Tool.exists("debugfs"), Tool.exists("dumpe2fs") else { return }
        let dir = TemporaryDirectory()
        let (img, file, block, table) = try Self.setUp(dir)
        let faults = "\(block * Self.bs)-\((block + 1) * Self.bs):1,\(table * Self.bs)-\((table + 1) * Self.bs):1"
        let out = dir.file("out")
        let r = try FSRescueBinary.run(["salvage", img, "--out", out], environment: ["FSRESCUE_FAULT_RANGES": faults])
        #expect(r.status == 0, "\(r.stderr)")
        let item = try #require(try Self.manifest(out).first { $0["image_path"] as? String == "/" + file.path })
        #expect(item["status"] as? String == "complete" && item["sha256"] as? String == file.sha256)
    }
}

extension Mapfile {
    /// The blocks of a ddrescue mapfile as written: range and status.
    static func blocks(_ text: String) -> [(range: Range<UInt64>, status: String)] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count == 3, let p = UInt64(f[0].dropFirst(2), radix: 16), let s = UInt64(f[1].dropFirst(2), radix: 16) else { return nil }
            return (p..<(p + s), String(f[2]))
        }
    }
}
