// Name recovery scored against fixture ground truth: orphans back under their exact original paths, no wrong name.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("name recovery", .serialized)
struct NameRecoveryTests {
    /// Salvages `bad` into `out` with `flags` (image proven unchanged, exit 4) and loads the truth, the
    /// manifest and the orphaned files whose names survive, by inode with their original paths.
    static func salvage(_ bad: String, into out: String, _ flags: [String]) throws -> (Truth, Manifest, [(UInt32, String)]) {
        let r = try expectUnchanged(bad) { try FSRescueBinary.run(["salvage", bad, "--out", out] + flags) }
        #expect(r.status == 4, "\(r.stderr)")
        let truth = try Truth(bad + ".truth.json")
        let expected = truth.survivingOrphanFiles()
        #expect(!expected.isEmpty)
        return (truth, try Manifest(out + "/manifest.jsonl"), expected)
    }

    /// A fixture: `fixture create` arguments and the corruption kinds applied to it.
    struct Case: CustomTestStringConvertible, Sendable {
        let create: [String]
        let kinds: [String]
        let seed: Int
        var testDescription: String { "\(create[1]) \(create[3])k: \(kinds.joined(separator: "+"))" }
    }

    static let cases: [Case] = [
        Case(create: ["--type", "ext4", "--block-size", "1", "--size", "24M", "--files", "300", "--max-file-size", "64K", "--seed", "2"],
             kinds: ["unlink-file", "unlink-dir", "clear-inode", "orphan-list"], seed: 7),
        Case(create: ["--type", "ext4", "--block-size", "4", "--size", "32M", "--files", "200", "--max-file-size", "64K", "--seed", "3"],
             kinds: ["unlink-file", "unlink-dir", "clear-inode", "orphan-list", "dir-block-noise"], seed: 11),
        Case(create: ["--type", "ext3", "--block-size", "4", "--size", "32M", "--files", "200", "--max-file-size", "64K", "--seed", "4"],
             kinds: ["unlink-file", "clear-inode", "orphan-list"], seed: 9),
        Case(create: ["--type", "ext2", "--block-size", "1", "--size", "24M", "--files", "300", "--max-file-size", "64K", "--seed", "5"],
             kinds: ["unlink-dir", "clear-inode", "dir-block-noise"], seed: 10),
    ]

    @Test("every orphan whose names survive comes back at lost+found/<original path>; no wrong name", arguments: cases)
    func recoveredPaths(_ c: Case) throws {
        let dir = TemporaryDirectory()
        let base = dir.file("base.img"), bad = dir.file("bad.img"), out = dir.file("out")
        var create = ["fixture", "create", "--out", base] + c.create
        create[create.firstIndex(of: "--block-size")! + 1] += "024"
        if create.contains("4024") { create[create.firstIndex(of: "4024")!] = "4096" }
        #expect(try FSRescueBinary.run(create).status == 0)
        let corrupt = ["fixture", "corrupt", "--in", base, "--out", bad, "--count", "3", "--seed", String(c.seed)] + c.kinds.flatMap { ["--kind", $0] }
        #expect(try FSRescueBinary.run(corrupt).status == 0)
        let (truth, records, expected) = try Self.salvage(bad, into: out, ["--orphans-only"])
        for (inode, path) in expected {
            let want = "lost+found" + path
            let got = records.byInode[inode]?.map(\.path) ?? []
            #expect(got.contains(want), "inode \(inode): expected \(want), got \(got)")
            if let sha = truth.sha256[inode], let record = records.byInode[inode]?.first(where: { $0.path == want }) {
                #expect(record.sha256 == sha, "\(want)")
            }
        }
        var named = 0
        for record in records.all where record.path.hasPrefix("lost+found/") && record.nameSource != "none" {
            named += 1
            #expect(truth.agrees(record.path.dropFirst("lost+found".count), inode: record.inode),
                    "inode \(record.inode) recovered as \(record.path) (\(record.nameSource)); truth: \(truth.paths[record.inode] ?? [])")
        }
        #expect(named >= expected.count)
    }

    @Test("--orphans-at original puts orphans whose whole path is known back at root/<original path>")
    func originalPlacement() throws {
        let dir = TemporaryDirectory()
        let base = dir.file("base.img"), bad = dir.file("bad.img"), out = dir.file("out")
        #expect(try FSRescueBinary.run(["fixture", "create", "--out", base, "--type", "ext4", "--block-size", "1024", "--size", "24M",
                                        "--files", "300", "--max-file-size", "64K", "--seed", "2"]).status == 0)
        #expect(try FSRescueBinary.run(["fixture", "corrupt", "--in", base, "--out", bad, "--count", "3", "--seed", "7",
                                        "--kind", "unlink-file", "--kind", "clear-inode", "--kind", "orphan-list"]).status == 0)
        let (truth, records, expected) = try Self.salvage(bad, into: out, ["--orphans-at", "original"])
        for (inode, path) in expected {
            let got = records.byInode[inode]?.map(\.path) ?? []
            #expect(got.contains("root" + path), "inode \(inode): expected root\(path), got \(got)")
            let record = records.byInode[inode]?.first { $0.path == "root" + path }
            #expect(record?.sha256 == truth.sha256[inode])
        }
    }

    /// The ground truth, reduced to what the scoring needs.
    struct Truth {
        var paths: [UInt32: [String]] = [:]
        var sha256: [UInt32: String] = [:]
        var affected: [[String: Any]] = []

        init(_ file: String) throws {
            let doc = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: URL(fileURLWithPath: file))) as? [String: Any])
            for e in doc["entries"] as? [[String: Any]] ?? [] {
                guard let ino = e["inode"] as? Int, let path = e["path"] as? String else { continue }
                paths[UInt32(ino), default: []].append(path)
                if let sha = e["sha256"] as? String { sha256[UInt32(ino)] = sha }
            }
            affected = (doc["recoverable"] as? [String: Any])?["affected"] as? [[String: Any]] ?? []
        }

        /// Unreachable regular files with intact content whose own names and whose unreachable
        /// ancestors' names all survive somewhere on disk (live, in slack, in an ownerless block).
        func survivingOrphanFiles() -> [(UInt32, String)] {
            var byInode: [UInt32: [String: Any]] = [:]
            for a in affected { if let i = a["inode"] as? Int { byInode[UInt32(i)] = a } }
            func survives(_ a: [String: Any]) -> Bool {
                let names = a["names"] as? [[String: Any]] ?? []
                return !names.isEmpty && names.allSatisfy { ($0["state"] as? String) != "lost" }
            }
            func parentOf(_ ino: UInt32) -> UInt32? {
                guard let p = paths[ino]?.first else { return nil }
                let parentPath = String(p[..<(p.lastIndex(of: "/") ?? p.startIndex)])
                return paths.first { $0.value.contains(parentPath.isEmpty ? "/" : parentPath) }?.key
            }
            var out: [(UInt32, String)] = []
            for (ino, a) in byInode where a["type"] as? String == "file" && a["content"] as? String == "intact"
                && a["reachable"] as? Bool == false && (paths[ino]?.count ?? 0) == 1 && survives(a) {
                var ok = true
                var up = parentOf(ino)
                var depth = 0
                while let p = up, depth < 64, let pa = byInode[p], pa["reachable"] as? Bool == false {
                    if !survives(pa) { ok = false; break }
                    up = parentOf(p)
                    depth += 1
                }
                if ok { out.append((ino, paths[ino]![0])) }
            }
            return out.sorted { $0.0 < $1.0 }
        }

        /// `path` (from lost+found) is one of the inode's original paths, or ends like one after the
        /// last `#<inode>` directory (a directory whose own name is lost).
        func agrees(_ path: Substring, inode: UInt32) -> Bool {
            let originals = paths[inode] ?? []
            let parts = path.split(separator: "/", omittingEmptySubsequences: true)
            guard let lastUnnamed = parts.lastIndex(where: { $0.hasPrefix("#") }) else { return originals.contains(String(path)) }
            let tail = "/" + parts[(lastUnnamed + 1)...].joined(separator: "/")
            return originals.contains { $0.hasSuffix(tail) }
        }
    }

    /// manifest.jsonl items.
    struct Manifest {
        struct Item { let path: String; let inode: UInt32; let nameSource: String; let sha256: String? }
        var all: [Item] = []
        var byInode: [UInt32: [Item]] = [:]

        init(_ file: String) throws {
            for line in try String(contentsOfFile: file, encoding: .utf8).split(separator: "\n") {
                guard let o = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any], o["record"] as? String == "item",
                      let path = o["path"] as? String, let ino = o["inode"] as? Int else { continue }
                let item = Item(path: path, inode: UInt32(ino), nameSource: o["name_source"] as? String ?? "none", sha256: o["sha256"] as? String)
                all.append(item)
                byInode[item.inode, default: []].append(item)
            }
        }
    }
}
