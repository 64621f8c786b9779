// Which blocks the filesystem itself uses: superblocks, descriptors, reserved GDT, bitmaps, inode tables.

extension InodePass {
    /// Marks every metadata block in ``metadata`` (``Filesystem/forEachMetadataRun(_:)``): superblock and
    /// descriptor copies, reserved GDT blocks, each group's bitmaps and inode table, and the MMP block.
    /// Locations outside the filesystem are skipped (the open already reported bad descriptors).
    mutating func markMetadata() {
        filesystem.forEachMetadataRun { start, length in markMetadata(start, length) }
    }

    private mutating func markMetadata(_ start: UInt64, _ length: UInt64) {
        guard start >= settings.firstDataBlock, start < blocksCount, length > 0 else { return }
        let end = min(start + length, blocksCount)
        let c0 = cluster(start), c1 = cluster(end - 1)
        metadata.claim(c0, c1 - c0 + 1)
    }
}
