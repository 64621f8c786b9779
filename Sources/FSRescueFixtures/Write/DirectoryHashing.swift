// How a filesystem hashes names for its indexed directories.
internal import CFSRescueExt2fs

/// The hash an indexed directory orders its names by: `s_def_hash_version` (its unsigned variant
/// under `EXT2_FLAGS_UNSIGNED_HASH`) and `s_hash_seed`, and whether directories are indexed at all
/// (dir_index). Read from a superblock so that the corruptor can replay the generator's layout.
struct DirectoryHashing: Sendable {
    /// `s_def_hash_version` as the directory's `dx_root_info` records it.
    let definedVersion: UInt8
    /// The version `ext2fs_dirhash2` is called with.
    let version: Int32
    let seed: [UInt32]
    /// The dir_index feature.
    let indexes: Bool

    init(_ sb: ext2_super_block) {
        definedVersion = sb.s_def_hash_version
        var v = Int32(sb.s_def_hash_version)
        if v <= Int32(EXT2_HASH_TEA) && sb.s_flags & UInt32(EXT2_FLAGS_UNSIGNED_HASH) != 0 { v += 3 }
        version = v
        seed = withUnsafeBytes(of: sb.s_hash_seed) { Array($0.bindMemory(to: UInt32.self)) }
        indexes = sb.s_feature_compat & UInt32(EXT2_FEATURE_COMPAT_DIR_INDEX) != 0
    }

    /// From the 1024 bytes of an on-disk superblock (little-endian).
    init?(superblock raw: [UInt8]) {
        guard raw.count >= 1024 else { return nil }
        var sb = ext2_super_block()
        withUnsafeMutableBytes(of: &sb) { dst in raw.withUnsafeBytes { dst.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<min(dst.count, 1024)])) } }
        guard sb.s_magic == 0xEF53 else { return nil }
        self.init(sb)
    }

    /// `name`'s major and minor hash (`ext2fs_dirhash2`).
    func hash(_ name: [UInt8]) -> (hash: UInt32, minor: UInt32) {
        var hash: ext2_dirhash_t = 0, minor: ext2_dirhash_t = 0
        seed.withUnsafeBufferPointer { s in
            name.withUnsafeBufferPointer { n in
                n.withMemoryRebound(to: CChar.self) {
                    _ = ext2fs_dirhash2(version, $0.baseAddress, Int32(n.count), nil, 0, s.baseAddress, &hash, &minor)
                }
            }
        }
        return (hash, minor)
    }
}
