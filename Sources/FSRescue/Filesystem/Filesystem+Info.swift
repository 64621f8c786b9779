// Reading the facts of `FilesystemInfo` from an open libext2fs handle.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
internal import CFSRescueExt2fs

extension Filesystem {
    /// Block size in bytes (`fs->blocksize`).
    public var blockSize: UInt32 { UInt32(handle.pointee.blocksize) }
    /// Blocks in the filesystem (`ext2fs_blocks_count`, read once per open: block reads check it).
    public var blocksCount: UInt64 { superblock.blocksCount }
    /// The filesystem's size in bytes, as its superblock says (``blocksCount`` × ``blockSize``).
    /// Saturates at `UInt64.max`: a hostile 64-bit block count times the block size does not fit.
    public var sizeBytes: UInt64 { blocksCount.multipliedSaturating(by: UInt64(blockSize)) }
    /// Inodes in the filesystem (`s_inodes_count`).
    public var inodesCount: UInt32 { handle.pointee.super.pointee.s_inodes_count }
    /// Inodes that can be read: `s_inodes_count`, but no more than the groups' inode tables hold
    /// (`fsr_inodes_in_tables`). Anything sized by inodes is sized by this, never by the claim.
    public var readableInodesCount: UInt32 {
        UInt32(min(UInt64(inodesCount), UInt64(fsr_inodes_in_tables(handle))))
    }
    /// Block groups (`fs->group_desc_count`).
    public var groupCount: UInt32 { handle.pointee.group_desc_count }

    /// Facts about the filesystem and the image, with the findings they imply.
    public var info: FilesystemInfo {
        let sb = handle.pointee.super.pointee
        let compat = sb.s_feature_compat, incompat = sb.s_feature_incompat, ro = sb.s_feature_ro_compat
        let features = Self.featureNames(compat: compat, incompat: incompat, roCompat: ro)
        let hasJournal = self.features.contains(.hasJournal)
        let needsRecovery = self.features.contains(.needsRecovery)
        let orphanFile = self.features.contains(.orphanFile)
        let ext4Only = (incompat & ~UInt32(EXT3_FEATURE_INCOMPAT_RECOVER | EXT2_FEATURE_INCOMPAT_FILETYPE
                                            | EXT2_FEATURE_INCOMPAT_META_BG)) != 0
            || ro & ~UInt32(EXT2_FEATURE_RO_COMPAT_SPARSE_SUPER | EXT2_FEATURE_RO_COMPAT_LARGE_FILE) != 0
        let type = ext4Only ? "ext4" : hasJournal ? "ext3" : "ext2"

        let fsBytes = sizeBytes
        let available = source.sizeBytes > location.offsetBytes ? source.sizeBytes - location.offsetBytes : 0
        let truncation = FilesystemInfo.Truncation(filesystemBytes: fsBytes, availableBytes: available)

        let state = FilesystemInfo.State(
            clean: sb.s_state & UInt16(EXT2_VALID_FS) != 0,
            errors: sb.s_state & UInt16(EXT2_ERROR_FS) != 0,
            errorBehavior: sb.s_errors == 2 ? "remount-ro" : sb.s_errors == 3 ? "panic" : "continue",
            errorCount: sb.s_error_count, mountCount: sb.s_mnt_count, maxMountCount: sb.s_max_mnt_count)

        var findings = openFindings
        if truncation.isShort {
            findings.append(Finding(.imageTruncated,
                "The image holds \(available) bytes of a \(fsBytes)-byte filesystem; the last \(truncation.missingBytes) bytes (from block \(available / UInt64(blockSize))) are missing.",
                block: available / UInt64(blockSize)))
        }
        // Nothing is computed from a count that disagrees with its total: the disagreement is the finding.
        let freeBlocks = UInt64(ext2fs_free_blocks_count(handle.pointee.super))
        if freeBlocks > blocksCount {
            findings.append(Finding(.superblockCounts,
                "The superblock records more free blocks (\(freeBlocks)) than blocks (\(blocksCount)); its free-block count is not trusted."))
        }
        if sb.s_free_inodes_count > sb.s_inodes_count {
            findings.append(Finding(.superblockCounts,
                "The superblock records more free inodes (\(sb.s_free_inodes_count)) than inodes (\(sb.s_inodes_count)); its free-inode count is not trusted."))
        }
        findings += superblockFieldFindings(sb)
        if state.errors || state.errorCount > 0 {
            findings.append(Finding(.errorFlagSet,
                "The kernel recorded errors on this filesystem (state flag \(state.errors ? "set" : "clear"), \(state.errorCount) errors counted)."))
        }
        if !state.clean {
            findings.append(Finding(.notCleanlyUnmounted, "The filesystem was not cleanly unmounted."))
        }
        if needsRecovery && journalReplay == nil && !findings.contains(where: { $0.code == .journalNotReplayed }) {
            findings.append(Finding(.journalNeedsRecovery,
                "The journal needs recovery, but it is on another device (an external journal); the image is read as it is, so recent changes may be missing: give the journal device with --journal FILE to replay it."))
        }

        return FilesystemInfo(
            image: .init(path: source.path, kind: source.kind, sizeBytes: source.sizeBytes),
            location: location, type: type, features: features,
            uuid: Self.uuidString(sb.s_uuid), label: Self.fixedString(sb.s_volume_name),
            lastMountedOn: Self.fixedString(sb.s_last_mounted),
            blockSize: blockSize, blocksCount: blocksCount,
            freeBlocks: freeBlocks,
            reservedBlocks: UInt64(ext2fs_r_blocks_count(handle.pointee.super)),
            inodesCount: sb.s_inodes_count, freeInodes: sb.s_free_inodes_count,
            inodeSize: fsr_inode_size(handle), firstDataBlock: sb.s_first_data_block, groupCount: groupCount,
            blocksPerGroup: fsr_blocks_per_group(handle), inodesPerGroup: fsr_inodes_per_group(handle),
            state: state,
            times: .init(created: Self.date(sb.s_mkfs_time, sb.s_mkfs_time_hi),
                         lastMount: Self.date(sb.s_mtime, sb.s_mtime_hi),
                         lastWrite: Self.date(sb.s_wtime, sb.s_wtime_hi),
                         lastCheck: Self.date(sb.s_lastcheck, sb.s_lastcheck_hi)),
            superblock: superblockUsed,
            orphans: .init(listHead: sb.s_last_orphan, orphanFile: orphanFile,
                           orphanFileInode: orphanFile ? sb.s_orphan_file_inum : nil),
            journal: .init(present: hasJournal, inode: hasJournal && sb.s_journal_inum != 0 ? sb.s_journal_inum : nil,
                           external: hasJournal && sb.s_journal_inum == 0, needsRecovery: needsRecovery,
                           replay: journalReplay),
            truncation: truncation, findings: findings)
    }

    static func featureNames(compat: UInt32, incompat: UInt32, roCompat: UInt32) -> [String] {
        var names: [String] = []
        for (kind, mask) in [(E2P_FEATURE_COMPAT, compat), (E2P_FEATURE_INCOMPAT, incompat), (E2P_FEATURE_RO_INCOMPAT, roCompat)] {
            for bit in 0..<32 where mask & (UInt32(1) << UInt32(bit)) != 0 {
                names.append(String(cString: e2p_feature2string(Int32(kind), UInt32(1) << UInt32(bit))))
            }
        }
        return names
    }

    static func date(_ low: UInt32, _ high: UInt8) -> Date? {
        let seconds = Int64(low) | (Int64(high) << 32)
        return seconds == 0 ? nil : Date(timeIntervalSince1970: TimeInterval(seconds))
    }

    static func uuidString<T>(_ tuple: T) -> String {
        let bytes = withUnsafeBytes(of: tuple) { Array($0) }
        let hex = bytes.map { cFormat("%02x", $0) }
        return [hex[0..<4], hex[4..<6], hex[6..<8], hex[8..<10], hex[10..<16]].map { $0.joined() }.joined(separator: "-")
    }

    /// A fixed-size, NUL-padded superblock string; invalid UTF-8 is shown with replacement characters.
    static func fixedString<T>(_ tuple: T) -> String {
        let bytes = withUnsafeBytes(of: tuple) { Array($0) }
        let used = bytes.prefix { $0 != 0 }
        return String(decoding: used, as: UTF8.self)
    }
}
