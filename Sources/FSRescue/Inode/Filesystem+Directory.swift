// Listing a directory's live entries through libext2fs (for extract, which needs no full scan).
internal import CFSRescueExt2fs

/// Lists a directory's live entries; scan-based plans provide their own, checked by pass 2.
public protocol DirectoryLister: Sendable {
    func entries(of directory: UInt32) -> [SalvagePlan.Entry]
}

extension Filesystem: DirectoryLister {
    /// At most this many entries are listed per directory, so a hostile directory cannot stall a run.
    public static let maxEntriesPerDirectory = 10_000_000

    /// The live entries of `directory`, without `.` and `..`, with `ext2fs_dir_iterate2`
    /// (inline-data directories included; checksum errors tolerated). Entries before a corrupted
    /// record are returned; the rest of that block is the scan's business.
    public func entries(of directory: UInt32) -> [SalvagePlan.Entry] {
        final class Collector {
            var entries: [SalvagePlan.Entry] = []
        }
        let collector = Collector()
        let callback: @convention(c) (ext2_ino_t, Int32, UnsafeMutablePointer<ext2_dir_entry>?, Int32, Int32,
                                      UnsafeMutablePointer<CChar>?, UnsafeMutableRawPointer?) -> Int32 = { _, entry, dirent, _, _, _, priv in
            guard let dirent, let priv else { return DIRENT_ABORT }
            let collector = Unmanaged<Collector>.fromOpaque(priv).takeUnretainedValue()
            if entry == DIRENT_DOT_FILE || entry == DIRENT_DOT_DOT_FILE || dirent.pointee.inode == 0 { return 0 }
            let length = Int(ext2fs_dirent_name_len(dirent))
            // The name follows the 8-byte header; libext2fs has checked it lies within rec_len and the block.
            let name = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(dirent) + 8, count: length))
            collector.entries.append(SalvagePlan.Entry(name: name, inode: dirent.pointee.inode))
            return collector.entries.count >= Filesystem.maxEntriesPerDirectory ? DIRENT_ABORT : 0
        }
        let priv = Unmanaged.passUnretained(collector).toOpaque()
        // DIRENT_FLAG_INCLUDE_INLINE_DATA makes libext2fs 1.47 report EXT2_ET_DIR_CORRUPTED on ordinary
        // block directories, so it is passed only for inline-data ones.
        let inline = (try? readInode(directory))?.hasInlineData ?? false
        _ = ignoringChecksums {
            ext2fs_dir_iterate2(handle, directory, inline ? Int32(DIRENT_FLAG_INCLUDE_INLINE_DATA) : 0, nil, callback, priv)
        }
        return withExtendedLifetime(collector) { collector.entries }
    }
}
