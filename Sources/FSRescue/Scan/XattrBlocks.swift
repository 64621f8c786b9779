// End of pass 1: each extended attribute block, read once, against the inodes that use it.

extension InodePass {
    static let xattrMagic: UInt32 = 0xEA02_0000
    static let xattrMagicV1: UInt32 = 0xEA01_0000
    /// `ext2_ext_attr_header`: entries follow it.
    static let xattrBlockHeader = 32

    /// Reads every extended attribute block once: header magic, and `h_refcount` against the
    /// number of inodes found using it (e2fsck's "reference count should be").
    mutating func checkXattrBlocks() {
        guard !xattrBlocks.isEmpty else { return }
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: Int(blockSize), alignment: 8)
        defer { buffer.deallocate() }
        // With quotas and EA inodes: how many values each block keeps in EA inodes (one inode each).
        let countsEAValues = hasEAInode && !(quota?.attributeBlocks.isEmpty ?? true)
        var eaValues: [UInt64: Int] = [:]
        defer { if countsEAValues { chargeAttributeBlockValues(eaValues) } }
        for (block, use) in xattrBlocks.sorted(by: { $0.key < $1.key }) {
            guard read(block, into: buffer) == nil else {
                add(Finding(.xattrBadBlock, "Extended attribute block \(block) of inode \(use.first) cannot be read.", inode: use.first, block: block))
                markXattrDamage(use.first)
                continue
            }
            let magic = buffer.load(as: UInt32.self)
            guard magic == Self.xattrMagic || magic == Self.xattrMagicV1 else {
                add(Finding(.xattrBadBlock, "Extended attribute block \(block) of inode \(use.first) has a bad header (magic \(String(magic, radix: 16))).", inode: use.first, block: block))
                markXattrDamage(use.first)
                continue
            }
            if countsEAValues && magic == Self.xattrMagic {
                var count = 0
                _ = Self.forEachAttributeEntry(UnsafeRawBufferPointer(start: buffer, count: Int(blockSize)), from: Self.xattrBlockHeader) { e in
                    if e.valueInode != 0 { count += 1 }
                    return true
                }
                eaValues[block] = count
            }
            let refcount = buffer.load(fromByteOffset: 4, as: UInt32.self)
            if refcount != use.users {
                add(Finding(.xattrRefcount, "Extended attribute block \(block) has reference count \(refcount), but \(use.users) inode\(use.users == 1 ? "" : "s") use it (first: \(use.first)).", inode: use.first, block: block))
            }
        }
    }

    private mutating func markXattrDamage(_ ino: UInt32) {
        if let i = table.index(of: ino) { table.addDamage(.badInlineOrXattr, at: i) }
    }
}
