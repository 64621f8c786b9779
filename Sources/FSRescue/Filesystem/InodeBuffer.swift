// A reusable buffer holding one on-disk inode, and a read-only view of its fields.
internal import CFSRescueExt2fs

/// Memory for one full-size inode (`EXT2_INODE_SIZE`, at least `sizeof(ext2_inode_large)`), reused
/// across inodes so the scan's hot loop does not allocate.
final class InodeBuffer {
    let size: Int
    let raw: UnsafeMutableRawPointer
    let inode: UnsafeMutablePointer<ext2_inode>
    private let fs: ext2_filsys

    init(_ filesystem: Filesystem) {
        fs = filesystem.handle
        size = max(Int(fsr_inode_size(fs)), MemoryLayout<ext2_inode_large>.size)
        raw = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: 8)
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        inode = raw.bindMemory(to: ext2_inode.self, capacity: 1)
    }

    deinit { raw.deallocate() }

    var view: RawInode { RawInode(fs: fs, pointer: inode) }
}

/// Field accessors over an on-disk inode in memory (little-endian host assumed, as libext2fs on Linux).
struct RawInode {
    let fs: ext2_filsys
    let pointer: UnsafeMutablePointer<ext2_inode>

    var mode: UInt16 { pointer.pointee.i_mode }
    var links: UInt16 { pointer.pointee.i_links_count }
    var size: UInt64 { UInt64(pointer.pointee.i_size) | UInt64(pointer.pointee.i_size_high) << 32 }
    /// `i_size_high`: the upper half of the size.
    var sizeHigh: UInt32 { pointer.pointee.i_size_high }
    var mtime: UInt32 { pointer.pointee.i_mtime }
    var dtime: UInt32 { pointer.pointee.i_dtime }
    var flags: InodeFlags { InodeFlags(rawValue: pointer.pointee.i_flags) }
    var type: FileType { FileType(mode: mode) }
    /// Owner, `i_uid | l_i_uid_high << 16`.
    var uid: UInt32 { UInt32(pointer.pointee.i_uid) | UInt32(pointer.pointee.osd2.linux2.l_i_uid_high) << 16 }
    /// Group, `i_gid | l_i_gid_high << 16`.
    var gid: UInt32 { UInt32(pointer.pointee.i_gid) | UInt32(pointer.pointee.osd2.linux2.l_i_gid_high) << 16 }
    /// `l_i_file_acl_high`: the upper half of the attribute block (zero without 64bit).
    var xattrBlockHigh: UInt16 { pointer.pointee.osd2.linux2.l_i_file_acl_high }
    /// `i_blocks` in 512-byte units (`ext2fs_get_stat_i_blocks`, huge_file aware).
    var statBlocks: UInt64 { UInt64(ext2fs_get_stat_i_blocks(fs, pointer)) }
    /// The extended attribute block (`ext2fs_file_acl_block`), 0 when none.
    var xattrBlock: UInt64 { UInt64(ext2fs_file_acl_block(fs, pointer)) }
    /// `i_block` holds a block map or extent tree (`ext2fs_inode_has_valid_blocks2`): not inline
    /// data, not a fast symlink's target.
    var hasValidBlocks: Bool { ext2fs_inode_has_valid_blocks2(fs, pointer) != 0 }

    /// The inode's checksum matches inode `number`'s contents (`ext2fs_inode_csum_verify`).
    func checksumMatches(_ number: InodeNumber) -> Bool {
        ext2fs_inode_csum_verify(fs, number.rawValue, UnsafeMutableRawPointer(pointer).assumingMemoryBound(to: ext2_inode_large.self)) != 0
    }

    static let blockOffset = MemoryLayout<ext2_inode>.offset(of: \ext2_inode.i_block) ?? 40

    /// `i_block[index]` (0 ..< 15), read in place.
    func block(_ index: Int) -> UInt32 {
        UnsafeRawPointer(pointer).load(fromByteOffset: Self.blockOffset + index * 4, as: UInt32.self)
    }

    /// The 60 bytes of `i_block` (extent root, block pointers, fast symlink target or inline data), in place.
    func withBlockBytes<R>(_ body: (UnsafeRawBufferPointer) -> R) -> R {
        body(UnsafeRawBufferPointer(start: UnsafeRawPointer(pointer) + Self.blockOffset, count: 60))
    }

    var anyBlockPointer: Bool { (0..<15).contains { block($0) != 0 } }
}
