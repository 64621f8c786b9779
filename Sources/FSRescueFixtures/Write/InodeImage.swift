// The on-disk bytes of one inode, built field by field.
internal import CFSRescueExt2fs
import FSRescue

/// A full-size inode buffer (`EXT2_INODE_SIZE` bytes) seen as `struct ext2_inode_large`; sizes and
/// block counts go through `ext2fs_inode_size_set` and `ext2fs_iblk_set`, which know large_file
/// and huge_file.
struct InodeImage {
    var raw: [UInt8]

    init(size: Int) { raw = [UInt8](repeating: 0, count: size) }
    init(raw: [UInt8]) { self.raw = raw }

    mutating func update<T>(_ body: (UnsafeMutablePointer<ext2_inode_large>) -> T) -> T {
        raw.withUnsafeMutableBytes { body($0.baseAddress!.assumingMemoryBound(to: ext2_inode_large.self)) }
    }

    /// A new inode: mode, owner, links, the same time in every timestamp (creation time too, in large inodes).
    static func new(_ wfs: WritableFilesystem, mode: UInt16, uid: UInt32, gid: UInt32, links: UInt16, time: UInt32,
                    size: UInt64, placement: Placement) throws(FSRescueError) -> InodeImage {
        var image = InodeImage(size: wfs.inodeSize)
        let large = wfs.inodeSize > 128
        let (sizeCode, blocksCode) = image.update { i in
            i.pointee.i_mode = mode
            i.pointee.i_uid = UInt16(truncatingIfNeeded: uid)
            i.pointee.osd2.linux2.l_i_uid_high = UInt16(truncatingIfNeeded: uid >> 16)
            i.pointee.i_gid = UInt16(truncatingIfNeeded: gid)
            i.pointee.osd2.linux2.l_i_gid_high = UInt16(truncatingIfNeeded: gid >> 16)
            i.pointee.i_links_count = links
            i.pointee.i_atime = time
            i.pointee.i_ctime = time
            i.pointee.i_mtime = time
            i.pointee.i_flags = placement.flags
            withUnsafeMutableBytes(of: &i.pointee.i_block) { dst in
                placement.iBlock.withUnsafeBytes { dst.copyMemory(from: $0) }
            }
            if large {
                i.pointee.i_extra_isize = UInt16(MemoryLayout<ext2_inode_large>.size - 128)
                i.pointee.i_crtime = time
            }
            let small = UnsafeMutableRawPointer(i).assumingMemoryBound(to: ext2_inode.self)
            return (ext2fs_inode_size_set(wfs.fs, small, ext2_off64_t(size)), ext2fs_iblk_set(wfs.fs, small, placement.totalBlocks))
        }
        try ext2Call(sizeCode, "setting an inode size of \(size) bytes")
        try ext2Call(blocksCode, "setting an inode block count")
        return image
    }

    /// Fast symlink targets and device numbers live in i_block itself.
    mutating func setInlineBlock(_ bytes: [UInt8]) {
        update { i in
            withUnsafeMutableBytes(of: &i.pointee.i_block) { dst in
                for (k, b) in bytes.prefix(60).enumerated() { dst[k] = b }
            }
        }
    }
}
