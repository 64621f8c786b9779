// A damaged extent-tree node loses its own subtree and nothing more: salvage brings back the rest of
// the file byte for byte, and names exactly the range that node mapped as missing.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("extent node damage", .serialized)
struct ExtentNodeDamageTests {
    @Test("one leaf of a kernel-written depth-2 tree with a broken header: only its range is missing, every other byte is the file's")
    func oneLeafLost() throws {
        guard Tool.exists("debugfs") else { return }
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "ext4-default").decompress(into: dir.path)
        let original = dir.file("original")
        _ = try Tool.run("debugfs", ["-R", "dump /fragmented \(original)", img])
        let bytes = try #require(FileManager.default.contents(atPath: original))
        // debugfs `ex`: the level-1 index entries, "1/ 2  k/ n  first - last  node-block  count".
        let leaves: [(first: UInt64, last: UInt64, block: UInt64)] = try Tool.run("debugfs", ["-R", "ex /fragmented", img]).stdout
            .split(separator: "\n").filter { $0.hasPrefix(" 1/") }.compactMap { line in
                let f = line.split(separator: " ").filter { $0 != "-" }
                guard f.count >= 7, let a = UInt64(f[4]), let b = UInt64(f[5]), let c = UInt64(f[6]) else { return nil }
                return (a, b, c)
            }
        #expect(leaves.count >= 3, "the fixture's /fragmented has a tree of depth 2")
        let leaf = try #require(leaves.dropFirst().first)
        // The leaf's header magic (0xF30A) zeroed in the image: libext2fs refuses the node.
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: img))
        try handle.seek(toOffset: leaf.block * 4096)
        try handle.write(contentsOf: Data([0, 0]))
        try handle.close()

        let out = dir.file("out")
        _ = try expectUnchanged(img) { try FSRescueBinary.run(["salvage", img, "--out", out]) }
        let item = try #require(try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .first { $0["image_path"] as? String == "/fragmented" })
        let lostStart = Int(leaf.first) * 4096, lostEnd = Int(leaf.last + 1) * 4096
        #expect(item["status"] as? String == "partial")
        #expect(item["missing_ranges"] as? [[Int]] == [[lostStart, lostEnd]], "\(item)")
        let salvaged = try #require(FileManager.default.contents(atPath: "\(out)/\(item["path"] as! String)"))
        #expect(salvaged.count == bytes.count)
        #expect(salvaged.prefix(lostStart) == bytes.prefix(lostStart), "the leaves before it")
        #expect(salvaged.dropFirst(lostEnd) == bytes.dropFirst(lostEnd), "the leaves after it")
    }
}
