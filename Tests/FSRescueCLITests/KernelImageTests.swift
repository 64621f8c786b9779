// Images written by the Linux kernel's ext4 driver (Fixtures/kernel): scan is clean and agrees with
// e2fsck, and salvage and extract bring back exactly what a read-only kernel mount showed.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("kernel-written filesystems", .serialized)
struct KernelImageTests {
    static let names = KernelImage.all.map(\.name)

    @Test("every feature set of scripts/kernel-images.py is committed")
    func present() {
        for name in ["ext4-default", "ext4-1k", "ext3", "ext2", "ext4-inline", "ext4-largedir", "ext4-largedir-3level",
                     "ext4-bigalloc", "ext4-orphanfile", "ext4-eainode", "ext4-nocsum", "ext4-no64bit", "ext4-noflexbg"] {
            #expect(Self.names.contains(name), "Fixtures/kernel/\(name).img.xz")
        }
    }

    /// e2fsck -fnv's count of `label` ("regular files", "directories").
    static func e2fsckCount(_ output: String, _ label: String) -> Int? {
        for line in output.split(separator: "\n") {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: " ", maxSplits: 1)
            if parts.count == 2, parts[1] == label[...] { return Int(parts[0]) }
        }
        return nil
    }

    /// e2fsck -fnv's "N inodes used (…)" or "N blocks used (…)".
    static func usedCount(_ output: String, _ label: String) -> Int? {
        for line in output.split(separator: "\n") where line.contains(label) {
            return Int(line.trimmingCharacters(in: .whitespaces).split(separator: " ")[0])
        }
        return nil
    }

    @Test("scan is clean, without a note, and counts what e2fsck counts", arguments: names)
    func scanClean(_ name: String) throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: name).decompress(into: dir.path)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["scan", "--json", img]) }
        #expect(r.status == 0, "\(name): exit \(r.status)\n\(r.stderr)")
        let report = try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
        #expect(report["verdict"] as? String == "clean")
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        // Not even a note: pass 5 counted every free block and inode the superblock records.
        #expect(findings.isEmpty, "\(name): \(findings.map { "\($0["code"] ?? "") \($0["message"] ?? "")" })")

        let counts = try #require(report["counts"] as? [String: Any])
        let truth = try KernelImage(name: name).truth()
        // The kernel's own view: every directory and file the mount showed (lost+found and the root aside).
        let files = Set(truth.filter { $0.type == "file" }.map(\.inode)).count
        let directories = truth.filter { $0.type == "directory" }.count
        #expect(counts["directories"] as? Int == directories + 2, "\(name): root and lost+found besides the mount's")
        guard Tool.exists("e2fsck") else { return }
        let fsck = try Tool.run("e2fsck", ["-fnv", img])
        #expect(fsck.status == 0, "\(name): e2fsck -fn calls it damaged")
        #expect(counts["directories"] as? Int == Self.e2fsckCount(fsck.stdout, "directories"), "\(name): directories")
        // e2fsck counts EA inodes as regular files; the mount does not show them.
        let regular = try #require(Self.e2fsckCount(fsck.stdout, "regular files"))
        #expect(counts["regular_files"] as? Int == regular, "\(name): regular files")
        #expect(files <= regular)
        // e2fsck counts the reserved inodes 1 and 3–10 as used; scan counts the inodes files live in.
        let used = try #require(Self.usedCount(fsck.stdout, "inodes used"))
        #expect((counts["inodes_in_use"] as? Int).map { $0 + 9 } == used, "\(name): inodes in use")
        let filesystem = try #require(report["filesystem"] as? [String: Any])
        let blocksUsed = (filesystem["blocks_count"] as? Int ?? 0) - (filesystem["free_blocks"] as? Int ?? 0)
        #expect(Self.usedCount(fsck.stdout, "blocks used") == blocksUsed, "\(name): blocks in use")
    }

    @Test("salvage brings back every path byte for byte, with its mode and symlink target", arguments: names)
    func salvageExact(_ name: String) throws {
        let dir = TemporaryDirectory()
        let image = KernelImage(name: name)
        let (out, r) = try image.salvage(in: dir)
        #expect(r.status == 0, "\(name): exit \(r.status)\n\(r.stderr)")
        let truth = try image.truth()
        let differ = try differences(from: truth, under: "\(out)/root")
        #expect(differ.isEmpty, "\(name): \(differ.prefix(10))")
        let items = try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["record"] as? String == "item" }
        let notComplete = items.filter { $0["status"] as? String != "complete" }
        #expect(notComplete.isEmpty, "\(name): \(notComplete.prefix(5))")
        #expect(!FileManager.default.fileExists(atPath: "\(out)/lost+found"), "\(name): a clean disk has no orphans")
    }

    @Test("extract by path brings back the deep extent tree, holes, unwritten extents, links and indexed entries",
          arguments: names)
    func extractExact(_ name: String) throws {
        let dir = TemporaryDirectory()
        let image = KernelImage(name: name)
        let img = try image.decompress(into: dir.path)
        let truth = try image.truth()
        let wanted = ["fragmented", "sparse", "links/slow", "links/fast", "links/hard-1", "renamed-target", "truncated",
                      "tree/d3/sub/deep.bin"] + (truth.contains { $0.path == "fallocated" } ? ["fallocated"] : [])
            + truth.filter { $0.path.hasPrefix("indexed/") }.suffix(3).map(\.path)
        let out = dir.file("out")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["extract", img] + wanted.map { "/" + $0 } + ["--out", out]) }
        #expect(r.status == 0, "\(name): exit \(r.status)\n\(r.stderr)")
        // extract writes each path's last component directly under --out.
        let picked = truth.filter { wanted.contains($0.path) }.map {
            KernelTruthRecord(path: ($0.path as NSString).lastPathComponent, type: $0.type, mode: $0.mode, size: $0.size,
                              sha256: $0.sha256, target: $0.target, inode: $0.inode)
        }
        #expect(picked.count == wanted.count)
        let differ = try differences(from: picked, under: out)
        #expect(differ.isEmpty, "\(name): \(differ)")
    }
}
