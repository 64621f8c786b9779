// One superblock or group-descriptor field set to a boundary value, its checksums recomputed.
internal import CFSRescueExt2fs

/// A mutation that byte-flipping fuzzers almost never make: a count, size or location field of the
/// superblock or of a group descriptor set to a boundary value (0, 1, all ones, past the total, the
/// old value off by one or doubled), with the superblock checksum (metadata_csum) and the
/// descriptor's checksum (metadata_csum or gdt_csum) recomputed. A checksum left stale sends the
/// image down the tolerant open's path; a recomputed one makes the strict open accept the value,
/// which is where arithmetic on untrusted counts is reached (issue: salvage trapped on
/// `s_free_blocks_count > s_blocks_count` with a valid checksum).
///
/// Works on the bytes of a whole image in memory (the fuzzer's input); writes nothing else.
public enum FieldMutation {
    /// A field: its byte offset in its structure and its width in bytes.
    struct Field {
        let name: String
        let offset: Int
        let width: Int
    }

    static func superblockField(_ name: String, _ path: PartialKeyPath<ext2_super_block>, _ width: Int) -> Field {
        Field(name: name, offset: MemoryLayout<ext2_super_block>.offset(of: path)!, width: width)
    }

    static func descriptorField(_ name: String, _ path: PartialKeyPath<ext4_group_desc>, _ width: Int) -> Field {
        Field(name: name, offset: MemoryLayout<ext4_group_desc>.offset(of: path)!, width: width)
    }

    /// Superblock fields that are counts, sizes, locations or limits.
    static let superblockFields: [Field] = [
        superblockField("s_inodes_count", \.s_inodes_count, 4),
        superblockField("s_blocks_count_lo", \.s_blocks_count, 4),
        superblockField("s_r_blocks_count_lo", \.s_r_blocks_count, 4),
        superblockField("s_free_blocks_count_lo", \.s_free_blocks_count, 4),
        superblockField("s_free_inodes_count", \.s_free_inodes_count, 4),
        superblockField("s_first_data_block", \.s_first_data_block, 4),
        superblockField("s_log_block_size", \.s_log_block_size, 4),
        superblockField("s_log_cluster_size", \.s_log_cluster_size, 4),
        superblockField("s_blocks_per_group", \.s_blocks_per_group, 4),
        superblockField("s_clusters_per_group", \.s_clusters_per_group, 4),
        superblockField("s_inodes_per_group", \.s_inodes_per_group, 4),
        superblockField("s_first_ino", \.s_first_ino, 4),
        superblockField("s_inode_size", \.s_inode_size, 2),
        superblockField("s_reserved_gdt_blocks", \.s_reserved_gdt_blocks, 2),
        superblockField("s_journal_inum", \.s_journal_inum, 4),
        superblockField("s_last_orphan", \.s_last_orphan, 4),
        superblockField("s_desc_size", \.s_desc_size, 2),
        superblockField("s_first_meta_bg", \.s_first_meta_bg, 4),
        superblockField("s_blocks_count_hi", \.s_blocks_count_hi, 4),
        superblockField("s_free_blocks_hi", \.s_free_blocks_hi, 4),
        superblockField("s_min_extra_isize", \.s_min_extra_isize, 2),
        superblockField("s_want_extra_isize", \.s_want_extra_isize, 2),
        superblockField("s_log_groups_per_flex", \.s_log_groups_per_flex, 1),
        superblockField("s_usr_quota_inum", \.s_usr_quota_inum, 4),
        superblockField("s_orphan_file_inum", \.s_orphan_file_inum, 4),
        superblockField("s_feature_incompat", \.s_feature_incompat, 4),
        superblockField("s_feature_ro_compat", \.s_feature_ro_compat, 4),
    ]

    /// Group-descriptor fields (the first 32 bytes, which every descriptor size has).
    static let descriptorFields: [Field] = [
        descriptorField("bg_block_bitmap", \.bg_block_bitmap, 4),
        descriptorField("bg_inode_bitmap", \.bg_inode_bitmap, 4),
        descriptorField("bg_inode_table", \.bg_inode_table, 4),
        descriptorField("bg_free_blocks_count", \.bg_free_blocks_count, 2),
        descriptorField("bg_free_inodes_count", \.bg_free_inodes_count, 2),
        descriptorField("bg_used_dirs_count", \.bg_used_dirs_count, 2),
        descriptorField("bg_flags", \.bg_flags, 2),
        descriptorField("bg_itable_unused", \.bg_itable_unused, 2),
    ]

    static let superblockOffset = 1024

    /// Sets one field of `image` (a whole ext image) chosen by `random`, recomputes the checksums, and
    /// says what it did ("s_free_blocks_count_lo 1234 -> 4294967295"); nil when `image` holds no ext
    /// superblock at byte 1024 (then it is left as it was).
    public static func apply(to image: UnsafeMutableRawBufferPointer, random: inout SeededRandom) -> String? {
        let sb = superblockOffset
        guard image.count >= sb + 1024, load(image, sb + 0x38, 2) == 0xEF53 else { return nil }
        let logBlock = load(image, sb + 0x18, 4)
        guard logBlock <= 6 else { return nil }
        let blockSize = 1024 << Int(logBlock)
        let onDescriptor = random.next() % 3 == 0
        var what: String
        if onDescriptor, let place = descriptorPlace(image, blockSize: blockSize, random: &random) {
            let field = descriptorFields[Int(random.next() % UInt64(descriptorFields.count))]
            what = set(field, in: image, at: place.offset, random: &random) + " of group \(place.group)"
            setDescriptorChecksum(image, at: place.offset, group: place.group, size: place.size)
        } else {
            let field = superblockFields[Int(random.next() % UInt64(superblockFields.count))]
            what = set(field, in: image, at: sb, random: &random)
        }
        setSuperblockChecksum(image)
        return what
    }

    /// A boundary value for a field of `width` bytes that held `old`.
    static func boundaryValue(old: UInt64, width: Int, random: inout SeededRandom) -> UInt64 {
        let mask: UInt64 = width == 8 ? .max : (1 << UInt64(8 * width)) - 1
        let choices: [UInt64] = [0, 1, 2, mask, mask - 1, mask - 15, mask >> 1, (mask >> 1) + 1,
                                 old &+ 1, old &- 1, old &* 2, old / 2, old &+ 8, random.next()]
        return choices[Int(random.next() % UInt64(choices.count))] & mask
    }

    private static func set(_ field: Field, in image: UnsafeMutableRawBufferPointer, at base: Int, random: inout SeededRandom) -> String {
        let old = load(image, base + field.offset, field.width)
        let new = boundaryValue(old: old, width: field.width, random: &random)
        store(image, base + field.offset, field.width, new)
        return "\(field.name) \(old) -> \(new)"
    }

    /// Where group descriptor `group` lies: the block after the superblock's, `s_desc_size` bytes each
    /// with 64bit (32 without). Only groups whose descriptor is inside the image and the first block of
    /// descriptors are chosen.
    private static func descriptorPlace(_ image: UnsafeMutableRawBufferPointer, blockSize: Int,
                                        random: inout SeededRandom) -> (offset: Int, group: UInt32, size: Int)? {
        let sb = superblockOffset
        let is64 = load(image, sb + 0x60, 4) & UInt64(EXT4_FEATURE_INCOMPAT_64BIT) != 0
        let descSize = is64 ? Int(load(image, sb + MemoryLayout<ext2_super_block>.offset(of: \.s_desc_size)!, 2)) : 32
        guard descSize >= 32, descSize <= blockSize, descSize & (descSize - 1) == 0 else { return nil }
        let firstData = Int(load(image, sb + 0x14, 4))
        let start = (blockSize == 1024 ? max(firstData, 1) + 1 : 1) * blockSize
        let perBlock = blockSize / descSize
        let group = Int(random.next() % UInt64(perBlock))
        let offset = start + group * descSize
        guard offset + descSize <= image.count else { return nil }
        return (offset, UInt32(group), descSize)
    }

    /// `s_checksum`: crc32c of the superblock up to the field (`ext2fs_superblock_csum`), with metadata_csum.
    static func setSuperblockChecksum(_ image: UnsafeMutableRawBufferPointer) {
        let sb = superblockOffset
        guard load(image, sb + 0x64, 4) & UInt64(EXT4_FEATURE_RO_COMPAT_METADATA_CSUM) != 0 else { return }
        let at = MemoryLayout<ext2_super_block>.offset(of: \.s_checksum)!
        let crc = ext2fs_crc32c_le(~0, image.baseAddress!.assumingMemoryBound(to: UInt8.self) + sb, at)
        store(image, sb + at, 4, UInt64(crc))
    }

    /// `bg_checksum` as `ext2fs_group_desc_csum` computes it: crc32c from the checksum seed over the
    /// group number and the descriptor (its checksum as zero), low 16 bits, with metadata_csum; CRC-16
    /// over the UUID, group and descriptor with gdt_csum; nothing without either.
    static func setDescriptorChecksum(_ image: UnsafeMutableRawBufferPointer, at offset: Int, group: UInt32, size: Int) {
        let sb = superblockOffset
        let roCompat = load(image, sb + 0x64, 4), incompat = load(image, sb + 0x60, 4)
        let checksumAt = MemoryLayout<ext4_group_desc>.offset(of: \.bg_checksum)!
        let base = image.baseAddress!.assumingMemoryBound(to: UInt8.self)
        let uuid = base + sb + MemoryLayout<ext2_super_block>.offset(of: \.s_uuid)!
        var groupLE = group.littleEndian
        var zero: UInt16 = 0
        let tailLength = size > 32 && incompat & UInt64(EXT4_FEATURE_INCOMPAT_64BIT) != 0 ? size - 32 : 0
        if roCompat & UInt64(EXT4_FEATURE_RO_COMPAT_METADATA_CSUM) != 0 {
            let seed: UInt32 = incompat & UInt64(EXT4_FEATURE_INCOMPAT_CSUM_SEED) != 0
                ? UInt32(load(image, sb + MemoryLayout<ext2_super_block>.offset(of: \.s_checksum_seed)!, 4))
                : ext2fs_crc32c_le(~0, uuid, 16)
            var crc = withUnsafeBytes(of: &groupLE) { ext2fs_crc32c_le(seed, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), 4) }
            crc = ext2fs_crc32c_le(crc, base + offset, checksumAt)
            crc = withUnsafeBytes(of: &zero) { ext2fs_crc32c_le(crc, $0.baseAddress!.assumingMemoryBound(to: UInt8.self), 2) }
            if tailLength > 0 { crc = ext2fs_crc32c_le(crc, base + offset + 32, tailLength) }
            store(image, offset + checksumAt, 2, UInt64(crc & 0xFFFF))
        } else if roCompat & UInt64(EXT4_FEATURE_RO_COMPAT_GDT_CSUM) != 0 {
            var crc = crc16(0xFFFF, UnsafeRawBufferPointer(start: uuid, count: 16))
            crc = withUnsafeBytes(of: &groupLE) { crc16(crc, $0) }
            crc = crc16(crc, UnsafeRawBufferPointer(start: base + offset, count: checksumAt))
            if tailLength > 0 { crc = crc16(crc, UnsafeRawBufferPointer(start: base + offset + 32, count: tailLength)) }
            store(image, offset + checksumAt, 2, UInt64(crc))
        }
    }

    /// CRC-16 (polynomial 0x8005, reflected), as `ext2fs_crc16`.
    static func crc16(_ initial: UInt16, _ bytes: UnsafeRawBufferPointer) -> UInt16 {
        var crc = initial
        for byte in bytes {
            crc ^= UInt16(byte)
            for _ in 0..<8 { crc = crc & 1 != 0 ? (crc >> 1) ^ 0xA001 : crc >> 1 }
        }
        return crc
    }

    static func load(_ image: UnsafeMutableRawBufferPointer, _ offset: Int, _ width: Int) -> UInt64 {
        var value: UInt64 = 0
        for i in 0..<width { value |= UInt64(image[offset + i]) << UInt64(8 * i) }
        return value
    }

    static func store(_ image: UnsafeMutableRawBufferPointer, _ offset: Int, _ width: Int, _ value: UInt64) {
        for i in 0..<width { image[offset + i] = UInt8(truncatingIfNeeded: value >> UInt64(8 * i)) }
    }
}
