// Opening with libext2fs: strictly first, then with each tolerance a damaged filesystem needs.
internal import CFSRescueExt2fs

enum OpenLadder {
    /// Flags every open uses. Never `EXT2_FLAG_RW`: unix_io then opens the file `O_RDONLY`.
    static let baseFlags = EXT2_FLAG_64BITS | EXT2_FLAG_SKIP_MMP

    /// Each rung adds a tolerance; the finding names what the stricter open refused.
    private static let rungs: [(flags: Int32, code: FindingCode?, what: String)] = [
        (0, nil, ""),
        (EXT2_FLAG_IGNORE_CSUM_ERRORS, .checksumErrors, "opened ignoring checksums"),
        (EXT2_FLAG_IGNORE_CSUM_ERRORS | EXT2_FLAG_IGNORE_SB_ERRORS, .groupDescriptorErrors,
         "opened ignoring checksum and superblock consistency errors"),
        (EXT2_FLAG_IGNORE_CSUM_ERRORS | EXT2_FLAG_IGNORE_SB_ERRORS | EXT2_FLAG_FORCE, .unsupportedFeatures,
         "opened anyway (forced)"),
    ]

    /// Opens with `ext2fs_open2`, climbing the rungs until one succeeds. Throws the strict error
    /// when none does. The handle is read-only: `EXT2_FLAG_RW` is never passed.
    /// With `overlay`, libext2fs reads through ``OverlayIOManager`` (the journal's copies over the image).
    static func open(source: ImageSource, offset: UInt64, superblock: UInt64, blockSize: UInt32, overlay: JournalOverlay? = nil,
                     mapfile: Mapfile? = nil)
        throws(Ext2Error) -> (ext2_filsys, [Finding])
    {
        fsr_initialize_ext2_error_table()
        let ioOptions = offset > 0 ? "offset=\(offset)" : nil
        var strictError: Ext2Error?
        let sanity = SuperblockSanity.read(source, offset: offset, superblock: superblock, blockSize: blockSize)
        if sanity.fatalProblem != nil { throw Ext2Error(code: Int(EXT2_ET_CORRUPT_SUPERBLOCK)) }
        for rung in rungs {
            if rung.flags & EXT2_FLAG_IGNORE_SB_ERRORS != 0 && !sanity.isSafeForTolerantOpen { break }
            var fs: ext2_filsys?
            let flags = baseFlags | rung.flags
            precondition(flags & fsr_flag_rw() == 0, "fsrescue never opens a source read-write")
            let rc: errcode_t
            // Every read goes through the view: retried once on EIO and recorded when it fails again,
            // refused where a mapfile says the disk was never read, patched with the journal's copies.
            let view = ReadView(overlay: overlay, mapfile: mapfile, source: source, base: offset)
            rc = OverlayIOManager.withView(view) {
                ext2fs_open2(source.pathForLibraries, ioOptions, flags, Int32(clamping: superblock), blockSize, OverlayIOManager.manager, &fs)
            }
            if rc == 0, let fs {
                var findings: [Finding] = []
                if let code = rung.code, let strictError {
                    findings.append(Finding(code, "The filesystem does not open strictly (\(strictError.message)); \(rung.what)."
                                                  + inodeCountMismatch(fs)))
                }
                return (fs, findings)
            }
            let error = Ext2Error(code: Int(rc))
            if strictError == nil { strictError = error }
            // No tolerance helps when there is no superblock at all or it cannot be read.
            if error == .badMagic || error == .shortRead || rc == EXT2_ET_UNEXPECTED_BLOCK_SIZE || rc == EXT2_ET_REV_TOO_HIGH {
                break
            }
        }
        throw strictError ?? .badMagic
    }

    /// " s_inodes_count is …" when the superblock's inode count is not what its groups' inode tables
    /// hold (a consistency error only a tolerant open accepts), else "". The scan covers the smaller.
    private static func inodeCountMismatch(_ fs: ext2_filsys) -> String {
        let claimed = UInt64(fs.pointee.super.pointee.s_inodes_count), held = UInt64(fsr_inodes_in_tables(fs))
        guard claimed != held else { return "" }
        return " s_inodes_count is \(claimed), but its \(fs.pointee.group_desc_count) group(s) of \(fsr_inodes_per_group(fs)) inodes hold \(held)."
    }
}
