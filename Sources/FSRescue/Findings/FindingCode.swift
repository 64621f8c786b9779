// The table of finding codes. Codes are stable: never renumber or reuse one.

/// A stable finding code, like e2fsck's problem codes: an identifier, its pass, its default
/// severity and a one-line summary (the README's table is generated from ``all``).
public struct FindingCode: Sendable, Hashable, CustomStringConvertible {
    /// The stable identifier, `<area>.<what>`, for example `superblock.primary-unusable`.
    public let id: String
    /// The pass that reports it.
    public let pass: Pass
    /// Its default severity.
    public let severity: Severity
    /// One line on what it means (the README's table).
    public let summary: String

    /// The identifier.
    public var description: String { id }
    public static func == (a: FindingCode, b: FindingCode) -> Bool { a.id == b.id }
    public func hash(into hasher: inout Hasher) { hasher.combine(id) }

    // MARK: Opening (pass 0)
    public static let primarySuperblockUnusable = FindingCode(id: "superblock.primary-unusable", pass: .open, severity: .error,
        summary: "The primary superblock is unreadable or invalid; a backup superblock was used.")
    public static let checksumErrors = FindingCode(id: "superblock.checksum", pass: .open, severity: .error,
        summary: "Superblock or group descriptor checksums do not match; opened ignoring checksums.")
    public static let groupDescriptorErrors = FindingCode(id: "superblock.descriptors", pass: .open, severity: .error,
        summary: "Group descriptors are inconsistent (bitmaps or inode table out of range); opened ignoring them.")
    public static let unsupportedFeatures = FindingCode(id: "superblock.unsupported-feature", pass: .open, severity: .warning,
        summary: "Incompatible features unknown to libext2fs; opened anyway, results may be incomplete.")
    public static let superblockCounts = FindingCode(id: "superblock.counts", pass: .open, severity: .info,
        summary: "The superblock records more free blocks or inodes than the filesystem has; its counts are not trusted.")
    public static let superblockBadField = FindingCode(id: "superblock.bad-field", pass: .open, severity: .info,
        summary: "A superblock field holds a value e2fsck refuses (s_min_extra_isize, s_want_extra_isize), or a journal is named while has_journal is clear.")
    public static let imageTruncated = FindingCode(id: "image.truncated", pass: .open, severity: .error,
        summary: "The image file is shorter than the filesystem it holds; the missing tail is unreadable.")
    public static let errorFlagSet = FindingCode(id: "state.errors", pass: .open, severity: .warning,
        summary: "The kernel recorded filesystem errors (EXT2_ERROR_FS in s_state, or s_error_count).")
    public static let notCleanlyUnmounted = FindingCode(id: "state.not-clean", pass: .open, severity: .info,
        summary: "The filesystem was not cleanly unmounted (EXT2_VALID_FS clear).")
    public static let journalReplayed = FindingCode(id: "journal.replayed", pass: .open, severity: .info,
        summary: "The journal held committed transactions; they were replayed in memory, and everything reads the replayed view.")
    public static let journalNotReplayed = FindingCode(id: "journal.not-replayed", pass: .open, severity: .info,
        summary: "The journal needs recovery but nothing was replayed (an empty or unreadable log, or --no-replay); the image is read as it is.")
    public static let journalNeedsRecovery = FindingCode(id: "journal.needs-recovery", pass: .open, severity: .info,
        summary: "The journal needs recovery but is on another device (an external journal) that was not given (--journal FILE); the image is read as it is.")

    public static let sourceReadError = FindingCode(id: "source.read-error", pass: .open, severity: .error,
        summary: "Reading part of the image or device failed twice (an input/output error, retried once): those bytes count as unread; --mapfile-out writes them for ddrescue.")
    public static let sourceUnread = FindingCode(id: "source.unread", pass: .open, severity: .warning,
        summary: "A ddrescue mapfile (--mapfile) marks parts of the image as never read from the disk: no structure is read there, and files touching them are partial.")

    // MARK: Scan passes 1–5 (`fsrescue scan`)
    public static let groupStaleUnused = FindingCode(id: "group.stale-unused", pass: .directories, severity: .warning,
        summary: "Inodes are in use, or named by entries, where their group's descriptor says none ever was (bg_itable_unused, INODE_UNINIT): stale descriptors, as after a crash.")
    public static let inodeScanError = FindingCode(id: "inode.scan-error", pass: .inodes, severity: .error,
        summary: "Part of an inode table could not be read (libext2fs inode scan error); the inodes there were not checked.")
    public static let inodeUnread = FindingCode(id: "inode.unread", pass: .inodes, severity: .error,
        summary: "An inode-table block lies where the disk was never read (ddrescue mapfile); the inodes it holds were not checked.")
    public static let inodeChecksum = FindingCode(id: "inode.checksum", pass: .inodes, severity: .error,
        summary: "The inode's checksum (metadata_csum) does not match its contents.")
    public static let inodeBadMode = FindingCode(id: "inode.bad-mode", pass: .inodes, severity: .error,
        summary: "The inode's mode has no valid file type, or a reserved inode has a mode it cannot have.")
    public static let inodeDtimeSet = FindingCode(id: "inode.dtime-set", pass: .inodes, severity: .warning,
        summary: "The inode is in use (links > 0) but has a deletion time set.")
    public static let inodeZeroDtime = FindingCode(id: "inode.zero-dtime", pass: .inodes, severity: .warning,
        summary: "The inode has no links but has a mode and no deletion time, and is on no orphan list.")
    public static let inodeBadSize = FindingCode(id: "inode.bad-size", pass: .inodes, severity: .error,
        summary: "The inode's size does not agree with the blocks it maps.")
    public static let inodeBadBlockCount = FindingCode(id: "inode.bad-block-count", pass: .inodes, severity: .warning,
        summary: "i_blocks does not match the number of blocks the inode maps.")
    public static let inodeDeletedIntact = FindingCode(id: "inode.deleted-intact", pass: .inodes, severity: .info,
        summary: "A deleted inode (dtime set, no links) still maps its blocks: its data may be recoverable.")
    public static let blockOutOfRange = FindingCode(id: "block.out-of-range", pass: .inodes, severity: .error,
        summary: "The inode maps a block outside the filesystem (or an impossible extent).")
    public static let blockMetadataOverlap = FindingCode(id: "block.metadata-overlap", pass: .inodes, severity: .error,
        summary: "The inode maps a block holding filesystem metadata (superblock, descriptors, bitmaps, inode table).")
    public static let blockMultiplyClaimed = FindingCode(id: "block.multiply-claimed", pass: .inodes, severity: .error,
        summary: "Blocks are claimed by more than one inode (pass 1B names every inode sharing them).")
    public static let blockMapError = FindingCode(id: "block.map-error", pass: .inodes, severity: .error,
        summary: "The inode's block map (indirect blocks) could not be walked completely.")
    public static let extentBadHeader = FindingCode(id: "extent.bad-header", pass: .inodes, severity: .error,
        summary: "An extent tree node has an invalid header (magic, counts or depth).")
    public static let extentChecksum = FindingCode(id: "extent.checksum", pass: .inodes, severity: .error,
        summary: "An extent tree block's checksum (metadata_csum) does not match.")
    public static let extentBadOrder = FindingCode(id: "extent.bad-order", pass: .inodes, severity: .error,
        summary: "Extents overlap or are out of order, or an extent has zero length.")
    public static let extentIndexStart = FindingCode(id: "extent.index-start", pass: .inodes, severity: .error,
        summary: "An extent index entry's logical start differs from the start of the node it points to.")
    public static let extentTooDeep = FindingCode(id: "extent.too-deep", pass: .inodes, severity: .error,
        summary: "The extent tree is deeper than ext4 allows (5 levels).")
    public static let extentUnreadable = FindingCode(id: "extent.unreadable", pass: .inodes, severity: .error,
        summary: "An extent tree block could not be read.")
    public static let inlineDataBad = FindingCode(id: "inline.bad", pass: .inodes, severity: .error,
        summary: "The inode's inline data (system.data attribute) is invalid, or inline data is used without the feature.")
    public static let xattrBadBlock = FindingCode(id: "xattr.bad-block", pass: .inodes, severity: .error,
        summary: "The inode's extended attribute block is out of range, unreadable or has a bad header.")
    public static let xattrEAInodeFeature = FindingCode(id: "xattr.ea-inode-feature", pass: .inodes, severity: .info,
        summary: "An attribute value lives in an EA inode, but the filesystem lacks the ea_inode feature (e2fsck -n leaves it: a note).")
    public static let xattrRefcount = FindingCode(id: "xattr.refcount", pass: .inodes, severity: .warning,
        summary: "An extended attribute block's reference count differs from the inodes that use it.")
    public static let dirUninitializedBlock = FindingCode(id: "dir.uninitialized-block", pass: .inodes, severity: .error,
        summary: "A directory maps a block through an uninitialized extent.")
    public static let dirUnreadableBlock = FindingCode(id: "dir.unreadable-block", pass: .directories, severity: .error,
        summary: "A directory block could not be read (I/O error or beyond the end of the image).")
    public static let dirBadEntry = FindingCode(id: "dir.bad-entry", pass: .directories, severity: .error,
        summary: "A directory entry's record length or name length is corrupt; the rest of the block was not parsed.")
    public static let dirBadInode = FindingCode(id: "dir.bad-inode", pass: .directories, severity: .error,
        summary: "A directory entry names an inode number outside the filesystem.")
    public static let dirUnusedInode = FindingCode(id: "dir.unused-inode", pass: .directories, severity: .error,
        summary: "A directory entry names an inode that is not in use.")
    public static let dirBadFileType = FindingCode(id: "dir.bad-file-type", pass: .directories, severity: .warning,
        summary: "A directory entry's file type disagrees with the inode's mode.")
    public static let dirBadName = FindingCode(id: "dir.bad-name", pass: .directories, severity: .error,
        summary: "A directory entry's name is empty, holds '/' or NUL, or is '.'/'..' out of place.")
    public static let dirDuplicateName = FindingCode(id: "dir.duplicate-name", pass: .directories, severity: .error,
        summary: "A directory block holds two entries with the same name.")
    public static let dirMissingDot = FindingCode(id: "dir.missing-dot", pass: .directories, severity: .error,
        summary: "A directory's first entry is not '.' naming itself.")
    public static let dirMissingDotDot = FindingCode(id: "dir.missing-dotdot", pass: .directories, severity: .error,
        summary: "A directory's second entry is not '..'.")
    public static let dirHardLink = FindingCode(id: "dir.hard-link", pass: .directories, severity: .error,
        summary: "A directory is named by more than one entry (a hard link to a directory).")
    public static let dirChecksum = FindingCode(id: "dir.checksum", pass: .directories, severity: .error,
        summary: "A directory block's checksum (metadata_csum) does not match, or it has no checksum tail.")
    public static let dirHtreeBad = FindingCode(id: "dir.htree-bad", pass: .directories, severity: .error,
        summary: "A hashed (htree) directory's index root is invalid.")
    public static let rootMissing = FindingCode(id: "root.missing", pass: .connectivity, severity: .error,
        summary: "The root directory (inode 2) is missing, not in use, or not a directory.")
    public static let dirDisconnected = FindingCode(id: "dir.disconnected", pass: .connectivity, severity: .error,
        summary: "A directory is reachable from no other directory: its subtree is orphaned.")
    public static let dirLoop = FindingCode(id: "dir.loop", pass: .connectivity, severity: .error,
        summary: "Directories form a loop that does not reach the root.")
    public static let dirBadDotDot = FindingCode(id: "dir.bad-dotdot", pass: .connectivity, severity: .error,
        summary: "A directory's '..' does not name the directory that holds it.")
    public static let inodeLinkCount = FindingCode(id: "inode.link-count", pass: .references, severity: .error,
        summary: "i_links_count differs from the number of directory entries naming the inode.")
    public static let inodeUnattached = FindingCode(id: "inode.unattached", pass: .references, severity: .error,
        summary: "An in-use inode is named by no directory entry (an orphan).")
    public static let orphanListEntry = FindingCode(id: "orphan.list", pass: .references, severity: .warning,
        summary: "An inode is on the orphan list (s_last_orphan chain): the kernel would delete or truncate it at mount.")
    public static let orphanListBad = FindingCode(id: "orphan.list-bad", pass: .references, severity: .error,
        summary: "The orphan list is corrupt: an out-of-range or unused inode, or a cycle.")
    public static let orphanFileEntry = FindingCode(id: "orphan.file", pass: .references, severity: .warning,
        summary: "An inode is recorded in the orphan file (orphan_file feature): pending deletion or truncation.")
    public static let orphanFileBad = FindingCode(id: "orphan.file-bad", pass: .references, severity: .error,
        summary: "An orphan file block is unreadable or has a bad magic number.")
    public static let bitmapUnreadable = FindingCode(id: "bitmap.unreadable", pass: .summary, severity: .error,
        summary: "The on-disk block or inode bitmaps could not be read (ext2fs_read_bitmaps failed).")
    public static let bitmapChecksum = FindingCode(id: "bitmap.checksum", pass: .summary, severity: .error,
        summary: "A group's block or inode bitmap does not match its checksum (metadata_csum); it was read and compared anyway.")
    public static let blockBitmapDifferences = FindingCode(id: "bitmap.block-differences", pass: .summary, severity: .error,
        summary: "The on-disk block bitmap differs from the blocks found in use.")
    public static let inodeBitmapDifferences = FindingCode(id: "bitmap.inode-differences", pass: .summary, severity: .error,
        summary: "The on-disk inode bitmap differs from the inodes found in use.")
    public static let groupCountsWrong = FindingCode(id: "count.group", pass: .summary, severity: .warning,
        summary: "A group descriptor's free block, free inode or directory count is wrong.")
    public static let totalCountsWrong = FindingCode(id: "count.total", pass: .summary, severity: .info,
        summary: "The superblock's free block or inode total is wrong (the kernel updates these lazily).")
    public static let inodeBadSymlink = FindingCode(id: "inode.bad-symlink", pass: .inodes, severity: .error,
        summary: "A symbolic link is invalid: empty, its size disagrees with its target's length, or it maps the wrong blocks.")
    public static let inodeBadField = FindingCode(id: "inode.bad-field", pass: .inodes, severity: .error,
        summary: "A field that must be zero is not (for example i_file_acl_high without the 64bit feature).")
    public static let xattrInInodeBad = FindingCode(id: "xattr.in-inode-bad", pass: .inodes, severity: .error,
        summary: "The extended attributes stored in the inode overlap or run past its end.")
    public static let dirHole = FindingCode(id: "dir.hole", pass: .inodes, severity: .error,
        summary: "A directory has a hole: no block at a logical offset below its last block.")
    public static let journalBadSuperblock = FindingCode(id: "journal.bad-superblock", pass: .inodes, severity: .error,
        summary: "The internal journal's superblock is invalid (magic, type, block size, length, users or V2 fields on a V1 journal).")
    public static let mmpBad = FindingCode(id: "mmp.bad", pass: .inodes, severity: .error,
        summary: "The multiple-mount protection block is unreadable, has a bad magic or a bad checksum.")
    public static let dirHtreeHash = FindingCode(id: "dir.htree-hash", pass: .directories, severity: .error,
        summary: "An entry of a hashed (htree) directory lies in a leaf whose index range does not hold its name's hash.")
    public static let orphanPresentClean = FindingCode(id: "orphan.present-but-empty", pass: .references, severity: .warning,
        summary: "The orphan_present feature is set but the orphan file holds no inodes.")
    public static let quotaUsage = FindingCode(id: "quota.usage", pass: .summary, severity: .error,
        summary: "A quota file records other usage (bytes, inodes) for an ID than its files use, or no record for an ID that owns files.")
    public static let quotaUnreadable = FindingCode(id: "quota.unreadable", pass: .summary, severity: .error,
        summary: "A quota file the superblock names cannot be read or is not a v2 quota tree; its usage was not checked.")

    /// Every code, in table order.
    public static let all: [FindingCode] = [
        primarySuperblockUnusable, checksumErrors, groupDescriptorErrors, unsupportedFeatures, imageTruncated,
        errorFlagSet, notCleanlyUnmounted, journalNeedsRecovery, journalReplayed, journalNotReplayed, sourceReadError, sourceUnread, superblockCounts, superblockBadField,
        groupStaleUnused, inodeScanError, inodeUnread, inodeChecksum, inodeBadMode, inodeDtimeSet, inodeZeroDtime, inodeBadSize,
        inodeBadBlockCount, inodeDeletedIntact, blockOutOfRange, blockMetadataOverlap, blockMultiplyClaimed,
        blockMapError, extentBadHeader, extentChecksum, extentBadOrder, extentIndexStart, extentTooDeep, extentUnreadable,
        inlineDataBad, xattrBadBlock, xattrEAInodeFeature, xattrRefcount, dirUninitializedBlock, dirUnreadableBlock, dirBadEntry,
        dirBadInode, dirUnusedInode, dirBadFileType, dirBadName, dirDuplicateName, dirMissingDot,
        dirMissingDotDot, dirHardLink, dirChecksum, dirHtreeBad, rootMissing, dirDisconnected, dirLoop,
        dirBadDotDot, inodeLinkCount, inodeUnattached, orphanListEntry, orphanListBad, orphanFileEntry,
        orphanFileBad, bitmapUnreadable, bitmapChecksum, blockBitmapDifferences, inodeBitmapDifferences, groupCountsWrong,
        totalCountsWrong, inodeBadSymlink, inodeBadField, xattrInInodeBad, dirHole,
        journalBadSuperblock, mmpBad, dirHtreeHash, orphanPresentClean, quotaUsage, quotaUnreadable,
    ]
}
