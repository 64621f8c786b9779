// Superblock fields e2fsck's check_super_block and journal check refuse, as opening findings.
internal import CFSRescueExt2fs

extension Filesystem {
    /// Findings for superblock fields that e2fsck refuses (and would rewrite), read from `sb`:
    /// - `s_min_extra_isize` / `s_want_extra_isize` that are not a multiple of 4, or lie outside
    ///   4 … inode size − 128 (PR_0_BAD_MIN_EXTRA_ISIZE, PR_0_BAD_WANT_EXTRA_ISIZE);
    /// - a journal named (`s_journal_inum`, `s_journal_dev` or a journal UUID) while the has_journal
    ///   feature is clear (PR_0_JOURNAL_HAS_JOURNAL, or PR_0_JOURNAL_BAD_INODE for a bad inode).
    func superblockFieldFindings(_ sb: ext2_super_block) -> [Finding] {
        var findings: [Finding] = []
        let inodeSize = Int(fsr_inode_size(handle))
        if inodeSize > Int(EXT2_GOOD_OLD_INODE_SIZE) {
            // i_extra_isize and i_checksum_hi at least; no more than the inode has beyond the old 128 bytes.
            let least = 4, most = inodeSize - Int(EXT2_GOOD_OLD_INODE_SIZE)
            for (name, value) in [("s_min_extra_isize", Int(sb.s_min_extra_isize)), ("s_want_extra_isize", Int(sb.s_want_extra_isize))]
            where value != 0 && (value < least || value > most || value % 4 != 0) {
                findings.append(Finding(.superblockBadField,
                    "The superblock's \(name) is \(value); with \(inodeSize)-byte inodes it must be a multiple of 4 from \(least) to \(most)."))
            }
        }
        let hasJournal = sb.s_feature_compat & UInt32(EXT3_FEATURE_COMPAT_HAS_JOURNAL) != 0
        let namesUUID = withUnsafeBytes(of: sb.s_journal_uuid) { $0.contains { $0 != 0 } }
        if !hasJournal && (sb.s_journal_inum != 0 || sb.s_journal_dev != 0 || namesUUID) {
            let what = sb.s_journal_inum != 0 ? "a journal inode (\(sb.s_journal_inum))" : sb.s_journal_dev != 0 ? "a journal device" : "a journal UUID"
            findings.append(Finding(.superblockBadField,
                "The has_journal feature is clear, but the superblock names \(what); the kernel ignores that journal."))
        }
        return findings
    }
}
