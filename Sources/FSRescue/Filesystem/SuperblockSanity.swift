// Checks on a raw superblock that libext2fs skips under EXT2_FLAG_IGNORE_SB_ERRORS and then divides by.

/// The fields of an on-disk superblock that `ext2fs_open2` divides by or sizes allocations with.
/// With `EXT2_FLAG_IGNORE_SB_ERRORS` libext2fs skips some of its own checks and can crash
/// (SIGFPE on `s_desc_size == 0`, seen on e2fsprogs' f_desc_size_zero), so the tolerant rungs of
/// the open ladder are only tried when these hold.
struct SuperblockSanity {
    /// What is wrong, in words, for messages.
    let problems: [String]
    /// The 1024 bytes could not be read (the image ends first).
    let unreadable: Bool
    /// `s_magic` is 0xEF53: an ext superblock, however damaged.
    let hasMagic: Bool
    var isSafeForTolerantOpen: Bool { problems.isEmpty }
    /// A geometry no open may accept, strict or not: `s_first_data_block` other than 1 for 1 KiB
    /// blocks without bigalloc clusters, 0 otherwise. `ext2fs_open2` accepts any value below the
    /// block count, and `ext2fs_read_bitmaps` then writes past its bitmap buffer (a fuzzed image with
    /// 255 here, found by the libFuzzer smoke run). e2fsck refuses it too (PR_0_FIRST_DATA_BLOCK).
    let fatalProblem: String?

    /// Checks the 1024 raw bytes of a superblock (little-endian, as on disk).
    init(raw: [UInt8]) {
        guard raw.count >= 1024 else {
            problems = ["superblock unreadable"]; unreadable = true; hasMagic = false; fatalProblem = nil
            return
        }
        func u16(_ o: Int) -> UInt32 { UInt32(raw[o]) | UInt32(raw[o + 1]) << 8 }
        func u32(_ o: Int) -> UInt32 { u16(o) | u16(o + 2) << 16 }
        unreadable = false
        hasMagic = u16(0x38) == 0xEF53
        var p: [String] = []
        if !hasMagic { p.append("bad magic") }
        let logBlock = u32(0x18)
        if logBlock > 6 { p.append("block size exponent \(logBlock)") }
        let blockSize = UInt32(1024) << min(logBlock, 6)
        // A group's block (or cluster) and inode bitmaps are one block each. libext2fs sizes its
        // inode-table reads from s_inodes_per_group in 32-bit arithmetic: 0xFFFFFFFF wrapped, and
        // ext2fs_get_next_inode_full then copied a negative length (a fuzzed image, found by a
        // libFuzzer campaign; e2fsck refuses such a superblock).
        let incompat = u32(0x60), roCompat = u32(0x64)
        let bigalloc = roCompat & 0x200 != 0
        let bitsPerBitmap = 8 * blockSize
        let blocksPerGroup = u32(0x20), inodesPerGroup = u32(0x28)
        if blocksPerGroup == 0 { p.append("zero blocks per group") }
        if !bigalloc, blocksPerGroup > bitsPerBitmap { p.append("\(blocksPerGroup) blocks per group") }
        if inodesPerGroup == 0 { p.append("zero inodes per group") }
        let dynamicRevision = u32(0x4C) >= 1, inodeSizeField = u16(0x58)  // else inodes are 128 bytes
        let maxInodesPerGroup = min(bitsPerBitmap, 65536 - blockSize / max(dynamicRevision ? inodeSizeField : 128, 128))
        if inodesPerGroup > maxInodesPerGroup { p.append("\(inodesPerGroup) inodes per group") }
        if u32(0x04) == 0 { p.append("zero blocks") }
        if incompat & 0x80 != 0 {  // 64bit
            let desc = u16(0xFE)
            if desc < 32 || desc > blockSize || desc & (desc - 1) != 0 { p.append("descriptor size \(desc)") }
        }
        if bigalloc, u32(0x24) == 0 || u32(0x24) > bitsPerBitmap { p.append("\(u32(0x24)) clusters per group") }
        if dynamicRevision, inodeSizeField < 128 || inodeSizeField > blockSize || inodeSizeField & (inodeSizeField - 1) != 0 {
            p.append("inode size \(inodeSizeField)")
        }
        problems = p
        let clusterRatioIsOne = !bigalloc || u32(0x1C) == logBlock
        let firstDataBlock = u32(0x14), shouldBe: UInt32 = logBlock == 0 && clusterRatioIsOne ? 1 : 0
        if u16(0x38) == 0xEF53 && firstDataBlock != shouldBe {
            fatalProblem = "its first data block is \(firstDataBlock), where only \(shouldBe) is valid"
        } else if u16(0x38) == 0xEF53 && (inodesPerGroup == 0 || inodesPerGroup > maxInodesPerGroup) {
            // libext2fs opens such a superblock when checksums are ignored (bigalloc changes its own
            // test), then its inode scan reads past its buffers (a fuzzed image: one group of 2^31 - 1
            // inodes crashed ext2fs_get_next_inode_full). e2fsck refuses it; so does every rung here.
            fatalProblem = "it claims \(inodesPerGroup) inodes per group, more than a group's one-block inode bitmap holds"
        } else {
            fatalProblem = nil
        }
    }

    /// Reads the superblock libext2fs would read for `superblock`/`blockSize` at `offset`.
    static func read(_ source: ImageSource, offset: UInt64, superblock: UInt64, blockSize: UInt32) -> SuperblockSanity {
        // --superblock comes from the user: a block past 2^64 bytes is simply not there.
        let (byte, overflow) = superblock == 0 ? (1024, false) : superblock.multipliedReportingOverflow(by: UInt64(blockSize))
        let (at, past) = offset.addingReportingOverflow(byte)
        let raw = overflow || past ? [] : (try? source.read(at: at, count: 1024)) ?? []
        return SuperblockSanity(raw: raw)
    }
}
