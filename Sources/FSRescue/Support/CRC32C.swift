// CRC-32C (Castagnoli), the checksum of ext4 metadata_csum and of jbd2 checksum v2/v3.

/// The raw CRC-32C update, as the kernel's `crc32c_le` and libext2fs's `ext2fs_crc32c_le` compute
/// it: reflected polynomial 0x82F63B78, no inversion on entry or exit (callers pass `~0` as the
/// first seed where the format says so).
enum CRC32C {
    private static let table: [UInt32] = (0..<256).map { i -> UInt32 in
        var c = UInt32(i)
        for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
        return c
    }

    /// `crc` updated with `bytes`.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = crc
        table.withUnsafeBufferPointer { t in
            for byte in bytes { c = t[Int((c ^ UInt32(byte)) & 0xFF)] ^ (c >> 8) }
        }
        return c
    }

    /// `crc` updated with the big-endian bytes of `value` (jbd2 checksums a block's sequence so).
    static func update(_ crc: UInt32, bigEndian value: UInt32) -> UInt32 {
        var be = value.bigEndian
        return withUnsafeBytes(of: &be) { update(crc, $0) }
    }
}
