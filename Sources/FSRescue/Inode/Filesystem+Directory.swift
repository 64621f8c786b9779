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
    /// record are returned; the rest of that block is the scan's business. The walk stops after as many
    /// blocks as the image holds: a crafted block map (an indirect block pointing at itself, a 16 GiB
    /// `i_size`) would otherwise have libext2fs list one block millions of times.
    public func entries(of directory: UInt32) -> [SalvagePlan.Entry] {
        final class Collector {
            var entries: [SalvagePlan.Entry] = []
            var blocks: UInt64 = 0
            let maxBlocks: UInt64
            init(maxBlocks: UInt64) { self.maxBlocks = maxBlocks }
        }
        let collector = Collector(maxBlocks: imageBlocks)
        let callback: @convention(c) (ext2_ino_t, Int32, UnsafeMutablePointer<ext2_dir_entry>?, Int32, Int32,
                                      UnsafeMutablePointer<CChar>?, UnsafeMutableRawPointer?) -> Int32 = { _, entry, dirent, offset, _, _, priv in
            guard let dirent, let priv else { return DIRENT_ABORT }
            let collector = Unmanaged<Collector>.fromOpaque(priv).takeUnretainedValue()
            if offset == 0 {
                collector.blocks += 1
                if collector.blocks > collector.maxBlocks { return DIRENT_ABORT }
            }
            if entry == DIRENT_DOT_FILE || entry == DIRENT_DOT_DOT_FILE || dirent.pointee.inode == 0 { return 0 }
            let length = Int(ext2fs_dirent_name_len(dirent))
            // The name follows the 8-byte header; libext2fs has checked it lies within rec_len and the block.
            let name = Array(UnsafeRawBufferPointer(start: UnsafeRawPointer(dirent) + 8, count: length))
            collector.entries.append(SalvagePlan.Entry(name: name, inode: dirent.pointee.inode))
            return collector.entries.count >= Filesystem.maxEntriesPerDirectory ? DIRENT_ABORT : 0
        }
        let priv = Unmanaged.passUnretained(collector).toOpaque()
        // DIRENT_FLAG_INCLUDE_INLINE_DATA makes libext2fs 1.47 report EXT2_ET_DIR_CORRUPTED on ordinary
        // block directories, so it is passed only for inline-data ones. DIRENT_FLAG_INCLUDE_EMPTY makes
        // every block call back (at offset 0), so blocks of empty entries are counted too.
        let inline = (try? readInode(directory))?.hasInlineData ?? false
        let flags = Int32(DIRENT_FLAG_INCLUDE_EMPTY) | (inline ? Int32(DIRENT_FLAG_INCLUDE_INLINE_DATA) : 0)
        _ = ignoringChecksums {
            ext2fs_dir_iterate2(handle, directory, flags, nil, callback, priv)
        }
        return withExtendedLifetime(collector) { collector.entries }
    }
}
