// Loading the on-disk bitmaps once, tolerating checksum mismatches (which become a finding).

extension ScanRun {
    /// Loads the block and inode bitmaps once (``Filesystem/loadBitmaps()``, in memory only), as
    /// red-black trees of extents (``Filesystem/keepBitmapsAsExtentTrees()``, e2fsck's choice too)
    /// rather than bit arrays, so their memory follows how fragmented the bitmaps are, not how large
    /// the filesystem is: as bit arrays, an empty 4 TiB filesystem's cost 160 MB; the worst case,
    /// every other block in use, costs more than bit arrays would (e2fsck pays it too). Passes read
    /// them a group at a time (``forEachBlockWord(first:last:buffer:_:)``). A checksum mismatch does
    /// not hide the bits: they are loaded again with checksums ignored and the failing groups are
    /// reported as `bitmap.checksum` (as `info` after a backup-superblock open, whose descriptors are
    /// stale by design).
    /// Returns the error when the bitmaps cannot be loaded at all.
    func loadBitmaps() -> Ext2Error? {
        switch filesystem.loadBitmaps() {
        case .loaded: return nil
        case .loadedDespiteChecksums:
            findings += SummaryPass.bitmapChecksumFindings(filesystem)
            return nil
        case .failed(let error): return error
        }
    }
}
