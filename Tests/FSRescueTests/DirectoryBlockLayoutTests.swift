// The one directory-block reader: leaves and their tails, htree roots and nodes, as the kernel writes them.
import Testing
@testable import FSRescue

@Suite("directory block layout")
struct DirectoryBlockLayoutTests {
    static func put32(_ b: inout [UInt8], _ o: Int, _ v: UInt32) { for i in 0..<4 { b[o + i] = UInt8(truncatingIfNeeded: v >> (8 * i)) } }
    static func put16(_ b: inout [UInt8], _ o: Int, _ v: UInt16) { b[o] = UInt8(v & 0xFF); b[o + 1] = UInt8(v >> 8) }

    /// An entry header and name at `o`.
    static func entry(_ b: inout [UInt8], _ o: Int, inode: UInt32, rec: Int, name: String, type: UInt8 = 2) {
        put32(&b, o, inode); put16(&b, o + 4, UInt16(rec)); b[o + 6] = UInt8(name.utf8.count); b[o + 7] = type
        for (i, c) in name.utf8.enumerated() { b[o + 8 + i] = c }
    }

    /// The metadata_csum leaf tail in the last 12 bytes.
    static func tail(_ b: inout [UInt8]) {
        let t = b.count - 12
        put32(&b, t, 0); put16(&b, t + 4, 12); b[t + 6] = 0; b[t + 7] = 0xDE
    }

    /// Block 0 of an indexed directory as the kernel leaves it after make_indexed_dir: '.', '..'
    /// spanning the block, dx_root_info, the index, and the old leaf's tail bytes still at the end.
    static func kernelRoot(blockSize: Int) -> [UInt8] {
        var b = [UInt8](repeating: 0, count: blockSize)
        tail(&b)
        entry(&b, 0, inode: 12, rec: 12, name: ".")
        entry(&b, 12, inode: 2, rec: blockSize - 12, name: "..")
        b[24 + 4] = 1; b[24 + 5] = 8; b[24 + 6] = 0      // hash version, info length, levels
        put16(&b, 32, UInt16((blockSize - 32 - 8) / 8)); put16(&b, 34, 2)  // limit, count
        put32(&b, 36, 1)
        put32(&b, 40, 0x8000_0000); put32(&b, 44, 2)
        return b
    }

    func layout(_ b: [UInt8], _ context: DirectoryBlockContext, csum: Bool = true) -> DirectoryBlockLayout {
        b.withUnsafeBytes { DirectoryBlockLayout.of($0, context: context, metadataCsum: csum) }
    }

    @Test("an htree root with the old leaf's tail bytes is a root whose '..' spans the block, for pass 2 and for unowned copies",
          arguments: [1024, 4096])
    func kernelRootIsRoot(_ blockSize: Int) {
        let b = Self.kernelRoot(blockSize: blockSize)
        #expect(b.withUnsafeBytes { DirectoryBlockLayout.hasLeafTail($0) })  // what fooled the fixed-place tail test
        for context in [DirectoryBlockContext.owned(logical: 0, indexed: true), .unowned] {
            let l = layout(b, context)
            #expect(l.kind == .htreeRoot)
            #expect(l.entriesEnd == blockSize && !l.hasTail && l.indexOffset == 32)
            var names: [UInt32] = []
            let error = b.withUnsafeBytes { bytes in
                DirectoryParser.parse(bytes, limit: l.entriesEnd, blockSize: blockSize, hasFiletype: true, inodesCount: 100, slack: false,
                                      entry: { names.append($0.inode) }, stale: { _ in })
            }
            #expect(error == nil)
            #expect(names == [12, 2])
        }
    }

    @Test("the same block in an unindexed directory is a leaf with a tail (e2fsck reads it so too)")
    func unindexedIsLeaf() {
        let l = layout(Self.kernelRoot(blockSize: 4096), .owned(logical: 0, indexed: false))
        #expect(l.kind == .leaf && l.hasTail && l.entriesEnd == 4096 - 12)
    }

    @Test("an interior node: one empty entry spanning the block; unowned, its limit must match too")
    func node() {
        var b = [UInt8](repeating: 0, count: 4096)
        Self.put16(&b, 4, 4096)
        Self.put16(&b, 8, UInt16((4096 - 8 - 8) / 8)); Self.put16(&b, 10, 1)
        #expect(layout(b, .owned(logical: 3, indexed: true)).kind == .htreeNode)
        #expect(layout(b, .unowned).kind == .htreeNode)
        #expect(layout(b, .unowned, csum: false).kind == .leaf)  // without checksums a node's limit is 511
        #expect(layout(b, .owned(logical: 3, indexed: false)).kind == .leaf)
        b[6] = 4  // an emptied leaf keeps its first entry's name length
        #expect(layout(b, .unowned).kind == .leaf)
    }

    @Test("a leaf ends before its tail with metadata_csum, at the block's end without")
    func leaf() {
        var b = [UInt8](repeating: 0, count: 1024)
        Self.entry(&b, 0, inode: 12, rec: 1024 - 12, name: "file", type: 1)
        Self.tail(&b)
        #expect(layout(b, .owned(logical: 1, indexed: true)) == DirectoryBlockLayout(kind: .leaf, entriesEnd: 1012, hasTail: true, indexOffset: 0))
        #expect(layout(b, .owned(logical: 1, indexed: true), csum: false).entriesEnd == 1024)
    }
}
