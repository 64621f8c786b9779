// Reading the inode tables in order, and single inodes into a reusable buffer.
internal import CFSRescueExt2fs

/// What reading one inode of the tables gave (``InodeScan/next(into:)``).
enum InodeScanStatus {
    /// Read, its checksum matching (or not checked).
    case read
    /// Read, but its checksum does not match (`EXT2_ET_INODE_CSUM_INVALID`).
    case checksumFailed
    /// Its table block's checksums mostly fail: noise, not an inode (`EXT2_ET_INODE_IS_GARBAGE`).
    case garbage
    /// It lies in a table block on the bad-blocks list, and was not read (`EXT2_ET_BAD_BLOCK_IN_INODE_TABLE`).
    case inBadBlock
    /// The table cannot be read from here on; the scan may move to the next group.
    case unreadable(Ext2Error)
}

/// libext2fs's inode scan (`ext2fs_open_inode_scan`, `ext2fs_get_next_inode_full`): every inode of
/// every group's table in order, eight table blocks a read (libext2fs's default and e2fsck's; the
/// kernel fetches the tables ahead, ``InodeTableReadahead``), tables listed as missing skipped.
/// Closed with `ext2fs_close_inode_scan`.
final class InodeScan {
    private let scan: ext2_inode_scan

    /// Opens a scan of `filesystem`'s inode tables. `lazy`: skip what the group descriptors call
    /// never used (`EXT2_SF_DO_LAZY`), as e2fsck does.
    init(_ filesystem: Filesystem, lazy: Bool) throws(Ext2Error) {
        var handle: ext2_inode_scan?
        try ext2Check(ext2fs_open_inode_scan(filesystem.handle, 8, &handle))
        guard let handle else { throw .noMemory }
        scan = handle
        var flags = Int32(EXT2_SF_SKIP_MISSING_ITABLE | EXT2_SF_WARN_GARBAGE_INODES)
        if lazy { flags |= Int32(EXT2_SF_DO_LAZY) }
        _ = ext2fs_inode_scan_flags(scan, flags, 0)
    }

    deinit { ext2fs_close_inode_scan(scan) }

    /// Reads the next inode into `buffer`: its number (0 at the end) and how the read went.
    func next(into buffer: InodeBuffer) -> (inode: InodeNumber, status: InodeScanStatus) {
        var ino: ext2_ino_t = 0
        let code = ext2fs_get_next_inode_full(scan, &ino, buffer.inode, Int32(buffer.size))
        let number = InodeNumber(ino)
        switch code {
        case 0: return (number, .read)
        case errcode_t(EXT2_ET_INODE_CSUM_INVALID): return (number, .checksumFailed)
        case errcode_t(EXT2_ET_INODE_IS_GARBAGE): return (number, .garbage)
        case errcode_t(EXT2_ET_BAD_BLOCK_IN_INODE_TABLE): return (number, .inBadBlock)
        default: return (number, ext2Error(code).map(InodeScanStatus.unreadable) ?? .read)
        }
    }

    /// Moves the scan to group `g`'s first inode (`ext2fs_inode_scan_goto_blockgroup`); false when it cannot.
    func move(toGroup g: UInt32) -> Bool { ext2fs_inode_scan_goto_blockgroup(scan, Int32(g)) == 0 }
}

extension Filesystem {
    /// Reads inode `number` into `buffer` (`ext2fs_read_inode_full`); nil when read, a checksum
    /// mismatch included (checking checksums is the scan's job).
    func readInode(_ number: InodeNumber, into buffer: InodeBuffer) -> Ext2Error? {
        let rc = ext2fs_read_inode_full(handle, number.rawValue, buffer.inode, Int32(buffer.size))
        return rc == EXT2_ET_INODE_CSUM_INVALID ? nil : ext2Error(rc)
    }
}

extension Filesystem {
    /// Adds `blocks` to the handle's in-memory bad-blocks list (`ext2fs_read_bb_inode`, then
    /// `ext2fs_badblocks_list_add`; nothing is written), so the inode scan skips exactly those
    /// inode-table blocks (``InodeScanStatus/inBadBlock`` for their inodes) and reads the rest of
    /// each table. The list holds 32-bit block numbers: a block past 2^32 is not added.
    func skipInInodeScan(_ blocks: Set<BlockNumber>) {
        if handle.pointee.badblocks == nil {
            var list: badblocks_list?
            if ext2fs_read_bb_inode(handle, &list) != 0 || list == nil { _ = ext2fs_badblocks_list_create(&list, 0) }
            handle.pointee.badblocks = list
        }
        for b in blocks where b.rawValue <= UInt64(UInt32.max) { _ = ext2fs_badblocks_list_add(handle.pointee.badblocks, blk_t(b.rawValue)) }
    }
}
