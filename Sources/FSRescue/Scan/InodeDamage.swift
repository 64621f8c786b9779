// What the scan found wrong with one inode, as a compact set of flags.

/// The kinds of damage the scan found on one inode; the findings carry the details.
public struct InodeDamage: OptionSet, Sendable, Hashable, Codable {
    /// The bits, one per kind of damage.
    public let rawValue: UInt16
    /// A set from its bits.
    public init(rawValue: UInt16) { self.rawValue = rawValue }

    /// Invalid mode (`inode.bad-mode`).
    public static let badMode = InodeDamage(rawValue: 1 << 0)
    /// Size disagrees with the blocks mapped, or i_blocks is wrong.
    public static let badSize = InodeDamage(rawValue: 1 << 1)
    /// Maps blocks outside the filesystem: those parts are lost.
    public static let blocksOutOfRange = InodeDamage(rawValue: 1 << 2)
    /// Shares blocks with another inode or with metadata: content may belong to someone else.
    public static let sharedBlocks = InodeDamage(rawValue: 1 << 3)
    /// Extent tree or block map damaged: part of the file may be unmapped.
    public static let badBlockMap = InodeDamage(rawValue: 1 << 4)
    /// Inline data or extended attributes damaged.
    public static let badInlineOrXattr = InodeDamage(rawValue: 1 << 5)
    /// Inode checksum mismatch: any field may be wrong.
    public static let checksum = InodeDamage(rawValue: 1 << 6)
    /// Link count disagrees with the entries naming it.
    public static let linkCount = InodeDamage(rawValue: 1 << 7)
    /// (Directories) entries or blocks damaged.
    public static let badEntries = InodeDamage(rawValue: 1 << 8)
    /// Some of its blocks could not be read (I/O error or past the end of a truncated image).
    public static let unreadable = InodeDamage(rawValue: 1 << 9)
}
