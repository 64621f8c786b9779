// The superblock's feature flags that readers and checks act on, as one typed set.
internal import CFSRescueExt2fs

/// The features of a filesystem that fsrescue's readers and checks depend on, read from the
/// superblock's `s_feature_compat`, `s_feature_incompat` and `s_feature_ro_compat` (see
/// ``Filesystem/features``). The bit values are fsrescue's own, not the on-disk ones.
struct Features: OptionSet, Sendable {
    let rawValue: UInt64

    /// `has_journal` (compat).
    static let hasJournal = Features(rawValue: 1 << 0)
    /// `ext_attr` (compat).
    static let extendedAttributes = Features(rawValue: 1 << 1)
    /// `orphan_file` (compat).
    static let orphanFile = Features(rawValue: 1 << 2)
    /// `filetype` (incompat): entries carry a file type.
    static let fileType = Features(rawValue: 1 << 3)
    /// `needs_recovery` (incompat): the journal holds transactions not yet applied.
    static let needsRecovery = Features(rawValue: 1 << 4)
    /// `64bit` (incompat).
    static let sixtyFourBit = Features(rawValue: 1 << 5)
    /// `mmp` (incompat): multi-mount protection block.
    static let multiMountProtection = Features(rawValue: 1 << 6)
    /// `ea_inode` (incompat): attribute values in inodes of their own.
    static let attributeInodes = Features(rawValue: 1 << 7)
    /// `large_dir` (incompat): htrees of three levels.
    static let largeDirectories = Features(rawValue: 1 << 8)
    /// `inline_data` (incompat).
    static let inlineData = Features(rawValue: 1 << 9)
    /// `encrypt` (incompat).
    static let encryption = Features(rawValue: 1 << 10)
    /// `metadata_csum` (ro_compat).
    static let metadataChecksums = Features(rawValue: 1 << 11)
    /// `dir_nlink` (ro_compat): a directory's link count may stay 1 past 65,000 subdirectories.
    static let directoryLinkLimit = Features(rawValue: 1 << 12)
    /// `quota` (ro_compat): quota files named by the superblock.
    static let quota = Features(rawValue: 1 << 13)
    /// `shared_blocks` (ro_compat): files may share blocks on purpose.
    static let sharedBlocks = Features(rawValue: 1 << 14)
    /// `orphan_present` (ro_compat): the orphan file holds inodes.
    static let orphanPresent = Features(rawValue: 1 << 15)

    private static let compat: [(UInt32, Features)] = [
        (UInt32(EXT3_FEATURE_COMPAT_HAS_JOURNAL), .hasJournal), (UInt32(EXT2_FEATURE_COMPAT_EXT_ATTR), .extendedAttributes),
        (UInt32(EXT4_FEATURE_COMPAT_ORPHAN_FILE), .orphanFile),
    ]
    private static let incompat: [(UInt32, Features)] = [
        (UInt32(EXT2_FEATURE_INCOMPAT_FILETYPE), .fileType), (UInt32(EXT3_FEATURE_INCOMPAT_RECOVER), .needsRecovery),
        (UInt32(EXT4_FEATURE_INCOMPAT_64BIT), .sixtyFourBit), (UInt32(EXT4_FEATURE_INCOMPAT_MMP), .multiMountProtection),
        (UInt32(EXT4_FEATURE_INCOMPAT_EA_INODE), .attributeInodes), (UInt32(EXT4_FEATURE_INCOMPAT_LARGEDIR), .largeDirectories),
        (UInt32(EXT4_FEATURE_INCOMPAT_INLINE_DATA), .inlineData), (UInt32(EXT4_FEATURE_INCOMPAT_ENCRYPT), .encryption),
    ]
    private static let roCompat: [(UInt32, Features)] = [
        (UInt32(EXT4_FEATURE_RO_COMPAT_METADATA_CSUM), .metadataChecksums), (UInt32(EXT4_FEATURE_RO_COMPAT_DIR_NLINK), .directoryLinkLimit),
        (UInt32(EXT4_FEATURE_RO_COMPAT_QUOTA), .quota), (UInt32(EXT4_FEATURE_RO_COMPAT_SHARED_BLOCKS), .sharedBlocks),
        (UInt32(EXT4_FEATURE_RO_COMPAT_ORPHAN_PRESENT), .orphanPresent),
    ]

    init(rawValue: UInt64) { self.rawValue = rawValue }

    /// The features the three superblock words set.
    init(compat: UInt32, incompat: UInt32, roCompat: UInt32) {
        var set: Features = []
        for (word, table) in [(compat, Self.compat), (incompat, Self.incompat), (roCompat, Self.roCompat)] {
            for (bit, feature) in table where word & bit != 0 { set.insert(feature) }
        }
        self = set
    }
}
