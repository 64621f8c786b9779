// The htree name hash, as libext2fs computes it.
internal import CFSRescueExt2fs

/// The hash an indexed (htree) directory files a name under (`ext2fs_dirhash2`).
enum DirectoryHash {
    /// `EXT2_HASH_TEA`: the last hash version with an unsigned-char twin (+3).
    static let lastSignedVersion = Int32(EXT2_HASH_TEA)

    /// The major hash of `name` under hash `version` (already +3 for the unsigned variants) and
    /// `seed` (`s_hash_seed`'s four words); nil for an unknown version.
    static func of(_ name: UnsafeRawBufferPointer, version: Int32, seed: [UInt32]) -> UInt32? {
        guard let base = name.baseAddress else { return nil }
        var hash: ext2_dirhash_t = 0, minor: ext2_dirhash_t = 0
        let rc = seed.withUnsafeBufferPointer {
            ext2fs_dirhash2(version, base.assumingMemoryBound(to: CChar.self), Int32(name.count), nil, 0, $0.baseAddress, &hash, &minor)
        }
        return rc == 0 ? UInt32(hash) : nil
    }
}
