// Resolving a path inside the filesystem to an inode number.
internal import CFSRescueExt2fs

extension Filesystem {
    /// The root directory's inode number (`EXT2_ROOT_INO`).
    public static let rootInode: UInt32 = 2

    /// Resolves an absolute path in the filesystem (`/etc/passwd`) to its inode with `ext2fs_namei`,
    /// without following a final symlink. Checksum errors on the way are tolerated.
    public func lookup(path: String) throws(Ext2Error) -> UInt32 {
        let trimmed = path.hasPrefix("/") ? String(path.drop { $0 == "/" }) : path
        if trimmed.isEmpty { return Self.rootInode }
        var inode: ext2_ino_t = 0
        let rc = ignoringChecksums { ext2fs_namei(handle, Self.rootInode, Self.rootInode, trimmed, &inode) }
        try ext2Check(rc)
        return inode
    }
}
