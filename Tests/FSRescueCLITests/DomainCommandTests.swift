// `fsrescue domain`: a ddrescue domain mapfile of the metadata, sufficient for the scan and the tree.
import Foundation
import Testing
import FSRescueTestSupport

@Suite("rescue domain", .serialized)
struct DomainCommandTests {
    /// The `+` areas of a ddrescue mapfile.
    static func finished(_ text: String) -> [(UInt64, UInt64)] {
        text.split(separator: "\n").filter { !$0.hasPrefix("#") }.compactMap { line in
            let f = line.split(separator: " ", omittingEmptySubsequences: true)
            guard f.count == 3, f[2] == "+", let p = UInt64(f[0].dropFirst(2), radix: 16), let s = UInt64(f[1].dropFirst(2), radix: 16) else { return nil }
            return (p, s)
        }
    }

    /// What salvage writes, content aside: path, type, size and symlink target of every item.
    static func tree(_ img: String, in dir: TemporaryDirectory, _ name: String) throws -> Set<String> {
        let out = dir.file(name)
        _ = try FSRescueBinary.run(["salvage", img, "--out", out])
        return Set(try String(contentsOfFile: "\(out)/manifest.jsonl", encoding: .utf8).split(separator: "\n")
            .compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
            .filter { $0["record"] as? String == "item" }
            .map { "\($0["path"] ?? "") \($0["type"] ?? "") \($0["size"] ?? "") \($0["link_target"] ?? "")" })
    }

    @Test("only the domain's areas, copied into an empty file of the image's size, scan to the same counts and salvage to the same tree",
          arguments: ["ext4-default", "ext4-1k", "ext3", "ext2", "ext4-largedir-3level", "ext4-bigalloc", "ext4-inline"])
    func sufficient(_ name: String) throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: name).decompress(into: dir.path)
        let map = dir.file("domain.map")
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["domain", img, "--out", map]) }
        #expect(r.status == 0, "\(name): \(r.stderr)")
        let areas = Self.finished(try String(contentsOfFile: map, encoding: .utf8))
        #expect(!areas.isEmpty)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: img)[.size] as? UInt64)
        let copy = dir.file("copy.img")
        #expect(FileManager.default.createFile(atPath: copy, contents: nil))
        let source = try FileHandle(forReadingFrom: URL(fileURLWithPath: img))
        let target = try FileHandle(forWritingTo: URL(fileURLWithPath: copy))
        try target.truncate(atOffset: size)
        var copied: UInt64 = 0
        for (position, length) in areas {
            try source.seek(toOffset: position)
            try target.seek(toOffset: position)
            target.write(try #require(try source.read(upToCount: Int(length))))
            copied += length
        }
        try source.close(); try target.close()
        #expect(copied < size / 2, "\(name): the domain is metadata, not the whole image (\(copied) of \(size))")

        let original = try FSRescueBinary.run(["scan", "--json", img]), fromDomain = try FSRescueBinary.run(["scan", "--json", copy])
        let a = try #require((try JSONSerialization.jsonObject(with: original.stdoutData) as? [String: Any])?["counts"] as? [String: Any])
        let b = try #require((try JSONSerialization.jsonObject(with: fromDomain.stdoutData) as? [String: Any])?["counts"] as? [String: Any])
        #expect(NSDictionary(dictionary: a).isEqual(to: b), "\(name): \(a) vs \(b)")
        #expect(fromDomain.status == original.status, "\(name): \(fromDomain.stdout.prefix(600))")
        #expect(try Self.tree(img, in: dir, "tree-a") == Self.tree(copy, in: dir, "tree-b"), "\(name)")
    }

    @Test("with the mapfile of a partial image, the metadata not rescued yet is listed")
    func partialImage() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "ext4-default").decompress(into: dir.path)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: img)[.size] as? UInt64)
        let full = try FSRescueBinary.run(["domain", img])
        let journalArea = try #require(Self.finished(full.stdout).max { $0.1 < $1.1 })
        // ddrescue has not reached the largest metadata area yet (the journal).
        let partial = dir.file("partial.map")
        try MapfileTests.mapfile(size: size, bad: [journalArea.0..<(journalArea.0 + journalArea.1)])
            .write(toFile: partial, atomically: true, encoding: .utf8)
        let r = try FSRescueBinary.run(["domain", img, "--mapfile", partial, "--out", dir.file("d.map")])
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stdout.contains("\(journalArea.1) bytes of it in 1 area(s) not rescued yet"), "\(r.stdout)")
        #expect(r.stdout.contains("not rescued yet: bytes \(journalArea.0)–"))
    }

    @Test("the domain is never written over the image, nor into a folder")
    func refusesImage() throws {
        let dir = TemporaryDirectory()
        let img = try KernelImage(name: "ext4-1k").decompress(into: dir.path)
        let r = try expectUnchanged(img) { try FSRescueBinary.run(["domain", img, "--out", img]) }
        #expect(r.status == 8 && r.stderr.contains("never writes to it"))
        let folder = try FSRescueBinary.run(["domain", img, "--out", dir.path])
        #expect(folder.status == 8 && folder.stderr.split(separator: "\n").count == 1)
    }
}
