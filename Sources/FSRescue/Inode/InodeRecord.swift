// One inode read from the inode table, copied out of libext2fs's struct at once.
internal import CFSRescueExt2fs

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
    private let blockWords: (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32,
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
    public var usesExtents: Bool { flags & UInt32(EXT4_EXTENTS_FL) != 0 }
    /// `EXT4_INLINE_DATA_FL`: the data is in the inode.
    public var hasInlineData: Bool { flags & UInt32(EXT4_INLINE_DATA_FL) != 0 }

    init(number: UInt32, _ inode: ext2_inode_large) {
        self.number = number
        mode = inode.i_mode
        uid = UInt32(inode.i_uid) | UInt32(inode.osd2.linux2.l_i_uid_high) << 16
        gid = UInt32(inode.i_gid) | UInt32(inode.osd2.linux2.l_i_gid_high) << 16
        size = UInt64(inode.i_size) | UInt64(inode.i_size_high) << 32
        linksCount = inode.i_links_count
        accessTime = Int64(Int32(bitPattern: inode.i_atime))
        changeTime = Int64(Int32(bitPattern: inode.i_ctime))
        modificationTime = Int64(Int32(bitPattern: inode.i_mtime))
        deletionTime = inode.i_dtime
        flags = inode.i_flags
        blockCount = UInt64(inode.i_blocks) | UInt64(inode.osd2.linux2.l_i_blocks_hi) << 32
        xattrBlock = UInt64(inode.i_file_acl) | UInt64(inode.osd2.linux2.l_i_file_acl_high) << 32
        generation = inode.i_generation
        blockWords = inode.i_block
    }
}

extension Filesystem {
    /// Reads inode `number` with `ext2fs_read_inode2` (`READ_INODE_NOCSUM`: a bad checksum does not
    /// hide what is there; checking checksums is the scan's job).
    public func readInode(_ number: UInt32) throws(Ext2Error) -> InodeRecord {
        var raw = try readRawInode(number)
        return withUnsafePointer(to: &raw) { InodeRecord(number: number, $0.pointee) }
    }

    func readRawInode(_ number: UInt32) throws(Ext2Error) -> ext2_inode_large {
        // Past the groups' tables libext2fs would look up a descriptor the image does not have.
        guard number >= 1 && number <= readableInodesCount else { throw Ext2Error(code: Int(EXT2_ET_BAD_INODE_NUM)) }
        var raw = ext2_inode_large()
        let rc = withUnsafeMutablePointer(to: &raw) { p in
            p.withMemoryRebound(to: ext2_inode.self, capacity: 1) { small in
                ext2fs_read_inode2(handle, number, small, Int32(MemoryLayout<ext2_inode_large>.size), Int32(READ_INODE_NOCSUM))
            }
        }
        try ext2Check(rc)
        return raw
    }
}
