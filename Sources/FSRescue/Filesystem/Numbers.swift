// Inode and block numbers as types of their own at the wall, so one is never passed for the other.

/// A number that counts one `Kind` of thing: the same bits as `Raw`, but a number of one kind is never
/// accepted where another kind is wanted.
struct TypedNumber<Kind, Raw: FixedWidthInteger & Sendable>: RawRepresentable, Hashable, Comparable, Sendable, CustomStringConvertible {
    let rawValue: Raw
    init(rawValue: Raw) { self.rawValue = rawValue }
    init(_ value: Raw) { rawValue = value }
    static func < (a: Self, b: Self) -> Bool { a.rawValue < b.rawValue }
    var description: String { String(rawValue) }
}

/// Inodes, counted 1 … `s_inodes_count` (the root is 2; 0 names no inode).
enum InodeKind {}
/// Filesystem blocks, counted from the filesystem's start (not the image's).
enum BlockKind {}

/// An inode's number.
typealias InodeNumber = TypedNumber<InodeKind, UInt32>
/// A filesystem block's number.
typealias BlockNumber = TypedNumber<BlockKind, UInt64>
