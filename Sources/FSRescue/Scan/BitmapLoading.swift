// Loading the on-disk bitmaps once, tolerating checksum mismatches (which become a finding).

extension ScanRun {
    /// Loads the block and inode bitmaps with `ext2fs_read_bitmaps` (in memory only), as red-black
    /// trees of extents (the scan's `default_bitmap_type`, ``ScanRun/init(filesystem:progress:)``;
    /// `EXT2FS_BMAP64_RBTREE`, e2fsck's choice too) rather than bit arrays, so
    /// their memory follows how fragmented the bitmaps are, not how large the filesystem is: an
    /// empty 4 TiB filesystem's cost 160 MB as bit arrays (the scan's peak 247 MB → 165 MB), and
    /// a worst case, every other block of 4 GiB in use, 24 MB more than bit arrays (e2fsck, which
    /// pays it too, peaks at 27 MB there, fsrescue at 39 MB). Passes read them a group at a time
    /// (``forEachBlockWord(first:last:blockMap:buffer:_:)``). A checksum
    /// mismatch does not hide the bits: they are loaded again ignoring checksums (the in-memory
    /// `EXT2_FLAG_IGNORE_CSUM_ERRORS` flag) and the failing groups are reported as `bitmap.checksum`
    /// (as `info` after a backup-superblock open, whose descriptors are stale by design).
    /// Returns the error when the bitmaps cannot be loaded at all.
    func loadBitmaps() -> Ext2Error? {
        switch filesystem.loadBitmaps() {
        case .loaded: return nil
        case .loadedDespiteChecksums:
            reportBitmapChecksums()
            return nil
        case .failed(let error): return error
        }
    }
}
