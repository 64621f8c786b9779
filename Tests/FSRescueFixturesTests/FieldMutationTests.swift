// FieldMutation: one field to a boundary value, the superblock and descriptor checksums recomputed exactly.
import Foundation
import Testing
@testable import FSRescueFixtures
import FSRescueTestSupport

@Suite("field mutation with checksums recomputed")
struct FieldMutationTests {
    /// mke2fs shapes: metadata_csum with 64-byte descriptors, metadata_csum with 32-byte ones and
    /// 1 KiB blocks, gdt_csum (uninit_bg) without metadata_csum, and neither.
    static let shapes: [[String]] = [
        ["-b", "4096", "-O", "64bit"],
        ["-b", "1024", "-O", "^64bit"],
        ["-b", "4096", "-O", "^metadata_csum,uninit_bg"],
        ["-b", "1024", "-O", "^metadata_csum,^uninit_bg,^64bit"],
    ]

    static func image(_ extra: [String], in dir: TemporaryDirectory) throws -> [UInt8] {
        let path = dir.file("fs.img")
        try? FileManager.default.removeItem(atPath: path)
        let r = try Tool.run("mke2fs", ["-q", "-F", "-t", "ext4"] + extra + [path, "16M"])
        #expect(r.status == 0, "\(r.stderr)")
        // The superblock and the first block of descriptors are all a mutation touches.
        return [UInt8](try Data(contentsOf: URL(fileURLWithPath: path)).prefix(64 << 10))
    }

    @Test("recomputing the checksums of a fresh image changes no byte (the formulas are libext2fs's)", arguments: shapes)
    func checksumsAsMke2fsWrote(_ extra: [String]) throws {
        let dir = TemporaryDirectory()
        let original = try Self.image(extra, in: dir)
        var copy = original
        copy.withUnsafeMutableBytes { image in
            FieldMutation.setSuperblockChecksum(image)
            let bs = 1024 << Int(FieldMutation.load(image, 1024 + 0x18, 4))
            let is64 = FieldMutation.load(image, 1024 + 0x60, 4) & 0x80 != 0
            let size = is64 ? Int(FieldMutation.load(image, 1024 + 0xFE, 2)) : 32
            let start = (bs == 1024 ? 2 : 1) * bs
            let blocks = FieldMutation.load(image, 1024 + 4, 4), first = FieldMutation.load(image, 1024 + 0x14, 4)
            let perGroup = FieldMutation.load(image, 1024 + 0x20, 4)
            let groups = Int((blocks - first + perGroup - 1) / perGroup)
            for group in 0..<groups {
                FieldMutation.setDescriptorChecksum(image, at: start + group * size, group: UInt32(group), size: size)
            }
        }
        let differing = zip(copy, original).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
        #expect(differing.isEmpty, "bytes changed at \(differing.prefix(8))")
    }

    @Test("each mutation changes one field and the checksums only, across many fields",
          arguments: shapes)
    func oneFieldAtATime(_ extra: [String]) throws {
        let dir = TemporaryDirectory()
        let original = try Self.image(extra, in: dir)
        var random = SeededRandom(seed: 7, label: extra.joined())
        var changedFields = Set<String>()
        for _ in 0..<100 {
            var copy = original
            let what = copy.withUnsafeMutableBytes { FieldMutation.apply(to: $0, random: &random) }
            let said = try #require(what)
            changedFields.insert(String(said.split(separator: " ")[0]))
            let differing = zip(copy, original).enumerated().filter { $0.element.0 != $0.element.1 }.map(\.offset)
            // A field is at most 4 bytes; the superblock checksum 4 more, a descriptor's 2.
            #expect(differing.count <= 10, "\(said): \(differing.count) bytes changed")
            #expect(differing.allSatisfy { $0 < 3 * 4096 + 4096 }, "\(said)")
        }
        #expect(changedFields.count > 20, "\(changedFields.sorted())")
    }

    @Test("no superblock, no change")
    func notExt() {
        var bytes = [UInt8](repeating: 0xAB, count: 8192)
        var random = SeededRandom(seed: 1)
        let what = bytes.withUnsafeMutableBytes { FieldMutation.apply(to: $0, random: &random) }
        #expect(what == nil)
        #expect(bytes.allSatisfy { $0 == 0xAB })
    }
}
