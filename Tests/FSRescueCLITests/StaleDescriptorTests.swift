// Group descriptors whose "unused inodes" marks lag behind the inode tables (as after a crash, or a
// descriptor block written back from an old copy): the scan reads past them, as e2fsck restarts.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("stale group descriptors", .serialized)
struct StaleDescriptorTests {
    /// A copy of a clean kernel-written image whose descriptors all say no inode past the root and
    /// lost+found was ever used (`bg_itable_unused`, checksums recomputed), written by debugfs.
    static func staleCopy(of name: String, in dir: TemporaryDirectory) throws -> (clean: String, stale: String) {
        let clean = try KernelImage(name: name).decompress(into: dir.path)
        let stale = dir.file("stale.img")
        try FileManager.default.copyItem(atPath: clean, toPath: stale)
        let header = try Tool.run("dumpe2fs", ["-h", stale])
        func field(_ label: String) -> Int? {
            header.stdout.split(separator: "\n").first { $0.hasPrefix(label) }
                .flatMap { Int($0.split(separator: ":").last!.trimmingCharacters(in: .whitespaces)) }
        }
        let perGroup = try #require(field("Inodes per group:")), inodes = try #require(field("Inode count:"))
        var requests: [String] = []
        for g in 0..<(inodes / perGroup) {
            requests.append("set_bg \(g) itable_unused \(g == 0 ? perGroup - 11 : perGroup)")
            requests.append("set_bg \(g) checksum calc")
        }
        let script = dir.file("stale.debugfs")
        try requests.joined(separator: "\n").write(toFile: script, atomically: true, encoding: .utf8)
        let r = try Tool.run("debugfs", ["-w", "-f", script, stale])
        guard r.status == 0 else { throw TestImageError.tool("debugfs", r.stderr) }
        return (clean, stale)
    }

    static func scan(_ image: String) throws -> [String: Any] {
        let r = try expectUnchanged(image) { try FSRescueBinary.run(["scan", "--json", image]) }
        return try #require(try JSONSerialization.jsonObject(with: r.stdoutData) as? [String: Any])
    }

    @Test("entries naming inodes past a stale unused mark make the scan read every inode table: every file is found, the descriptors are reported stale",
          arguments: ["ext4-default", "ext4-1k"])
    func entriesPastMarks(_ name: String) throws {
        guard Tool.exists("debugfs"), Tool.exists("dumpe2fs") else { return }
        let dir = TemporaryDirectory()
        let (clean, stale) = try Self.staleCopy(of: name, in: dir)
        let before = try #require(Self.scan(clean)["counts"] as? [String: Any])
        let report = try Self.scan(stale)
        let counts = try #require(report["counts"] as? [String: Any])
        for key in ["inodes_in_use", "regular_files", "directories", "symlinks"] {
            #expect(counts[key] as? Int == before[key] as? Int, "\(name): \(key)")
        }
        let findings = (report["findings"] as? [[String: Any]]) ?? []
        let codes = Set(findings.compactMap { $0["code"] as? String })
        #expect(codes.contains("group.stale-unused"), "\(name): \(codes)")
        // The restart resolves every entry: none names a free inode, no file is an orphan.
        #expect(!codes.contains("dir.unused-inode") && !codes.contains("inode.unreachable"), "\(name): \(codes)")
        #expect(report["verdict"] as? String == "damaged", "e2fsck calls it damaged too (its entries reference unused areas)")
    }

    @Test("salvage of a disk with stale descriptors brings back every path byte for byte")
    func salvage() throws {
        guard Tool.exists("debugfs"), Tool.exists("dumpe2fs") else { return }
        let dir = TemporaryDirectory()
        let (_, stale) = try Self.staleCopy(of: "ext4-default", in: dir)
        let out = dir.file("out")
        let r = try expectUnchanged(stale) { try FSRescueBinary.run(["salvage", stale, "--out", out]) }
        #expect(r.status == 4, "stale descriptors are a problem found\n\(r.stderr)")
        let differ = try differences(from: try KernelImage(name: "ext4-default").truth(), under: "\(out)/root")
        #expect(differ.isEmpty, "\(differ.prefix(10))")
    }
}
