// One inode read from the inode table, copied out of libext2fs's struct at once.

/// An inode's fields as stored on disk (read with `ext2fs_read_inode2`, checksums not enforced).
public struct InodeRecord: Sendable {
    /// The inode number.
    public let number: UInt32
    /// `i_mode`: file type and permission bits.
    public let mode: UInt16
    /// Owner, `i_uid | i_uid_high << 16`.
    public let uid: UInt32
    /// Group, `i_gid | i_gid_high << 16`.
    public let gid: UInt32
    /// `i_size | i_size_high << 32`.
    public let size: UInt64
    /// `i_links_count`.
    public let linksCount: UInt16
    /// `i_atime`, seconds since 1970 (with the extra epoch bits when the inode is large).
    public let accessTime: Int64
    /// `i_ctime`, seconds since 1970.
    public let changeTime: Int64
    /// `i_mtime`, seconds since 1970.
    public let modificationTime: Int64
    /// `i_dtime` (for orphan-list inodes: the next inode on the list).
    public let deletionTime: UInt32
    /// `i_flags` (`EXT4_EXTENTS_FL`, `EXT4_INLINE_DATA_FL`, …).
    public let flags: UInt32
    /// `i_blocks` in 512-byte units (or filesystem blocks with `EXT4_HUGE_FILE_FL`).
    public let blockCount: UInt64
    /// The extended-attribute block (`i_file_acl`), 0 when none.
    public let xattrBlock: UInt64
    /// `i_generation`.
    public let generation: UInt32
    /// `i_block` as stored: kept inline, so reading an inode allocates nothing.
    let blockWords: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
                             UInt32, UInt32, UInt32, UInt32, UInt32)
    /// The 60 bytes of `i_block`: block pointers, an extent tree root, inline data or a fast symlink.
    public var blockArea: [UInt8] { withUnsafeBytes(of: blockWords) { Array($0) } }

    /// `i_mtime` as stored (32 bits).
    var storedModificationTime: UInt32 { UInt32(truncatingIfNeeded: modificationTime) }

    /// Its type, from ``mode``.
    public var type: FileType { FileType(mode: mode) }
    /// Permission bits (`mode & 0o7777`).
    public var permissions: UInt16 { mode & 0o7777 }
    /// `EXT4_EXTENTS_FL`: ``blockArea`` holds an extent tree root.
    public var usesExtents: Bool { InodeFlags(rawValue: flags).contains(.extents) }
    /// `EXT4_INLINE_DATA_FL`: the data is in the inode.
    public var hasInlineData: Bool { InodeFlags(rawValue: flags).contains(.inlineData) }

}
