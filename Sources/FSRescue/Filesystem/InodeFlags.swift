// The inode flags (`i_flags`) the readers and checks act on.
internal import CFSRescueExt2fs

/// `i_flags` of an on-disk inode, with the on-disk bit values.
struct InodeFlags: OptionSet, Sendable {
    let rawValue: UInt32

    /// `EXT2_INDEX_FL`: a hashed (htree) directory.
    static let indexed = InodeFlags(rawValue: UInt32(EXT2_INDEX_FL))
    /// `EXT4_EXTENTS_FL`: `i_block` holds an extent tree root.
    static let extents = InodeFlags(rawValue: UInt32(EXT4_EXTENTS_FL))
    /// `EXT4_INLINE_DATA_FL`: the data is in the inode.
    static let inlineData = InodeFlags(rawValue: UInt32(EXT4_INLINE_DATA_FL))
    /// `EXT4_EA_INODE_FL`: the inode holds an extended attribute's value, not a file.
    static let attributeValue = InodeFlags(rawValue: UInt32(EXT4_EA_INODE_FL))
    /// `EXT4_ENCRYPT_FL`.
    static let encrypted = InodeFlags(rawValue: UInt32(EXT4_ENCRYPT_FL))
    /// `EXT4_CASEFOLD_FL`: names compare without case.
    static let casefolded = InodeFlags(rawValue: UInt32(EXT4_CASEFOLD_FL))
    /// `EXT4_VERITY_FL`: fs-verity keeps its Merkle tree past the end of the file.
    static let verity = InodeFlags(rawValue: UInt32(EXT4_VERITY_FL))
}
