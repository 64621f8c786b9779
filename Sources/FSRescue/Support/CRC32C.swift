// CRC-32C (Castagnoli), the checksum of ext4 metadata_csum and of jbd2 checksum v2/v3.

/// The raw CRC-32C update, as the kernel's `crc32c_le` and libext2fs's `ext2fs_crc32c_le` compute
/// it: reflected polynomial 0x82F63B78, no inversion on entry or exit (callers pass `~0` as the
/// first seed where the format says so). Slice-by-8: eight bytes a step through eight tables, so a
/// journal replay checksumming every logged block costs a few milliseconds, not tens.
enum CRC32C {
    /// `tables[k][b]`: the CRC of byte `b` followed by `k` zero bytes.
    private static let tables: [UInt32] = {
        var t = [UInt32](repeating: 0, count: 8 * 256)
        for i in 0..<256 {
            var c = UInt32(i)
            for _ in 0..<8 { c = c & 1 != 0 ? (c >> 1) ^ 0x82F6_3B78 : c >> 1 }
            t[i] = c
        }
        for k in 1..<8 {
            for i in 0..<256 {
                let previous = t[(k - 1) * 256 + i]
                t[k * 256 + i] = (previous >> 8) ^ t[Int(previous & 0xFF)]
            }
        }
        return t
    }()

    /// `crc` updated with `bytes`.
    static func update(_ crc: UInt32, _ bytes: UnsafeRawBufferPointer) -> UInt32 {
        var c = crc
        tables.withUnsafeBufferPointer { t in
            var i = 0
            let n = bytes.count
            while n - i >= 8 {
                let word = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: i, as: UInt64.self)) ^ UInt64(c)
                c = t[7 * 256 + Int(word & 0xFF)] ^ t[6 * 256 + Int((word >> 8) & 0xFF)]
                    ^ t[5 * 256 + Int((word >> 16) & 0xFF)] ^ t[4 * 256 + Int((word >> 24) & 0xFF)]
                    ^ t[3 * 256 + Int((word >> 32) & 0xFF)] ^ t[2 * 256 + Int((word >> 40) & 0xFF)]
                    ^ t[1 * 256 + Int((word >> 48) & 0xFF)] ^ t[Int(word >> 56)]
                i += 8
            }
            while i < n {
                c = t[Int((c ^ UInt32(bytes[i])) & 0xFF)] ^ (c >> 8)
                i += 1
            }
        }
        return c
    }

    /// `crc` updated with the big-endian bytes of `value` (jbd2 checksums a block's sequence so).
    static func update(_ crc: UInt32, bigEndian value: UInt32) -> UInt32 {
        var be = value.bigEndian
        return withUnsafeBytes(of: &be) { update(crc, $0) }
    }
}
