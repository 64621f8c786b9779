// A directory whose inode is gone but whose first block survives: rebuilt from a block no inode owns.

/// A directory rebuilt from an ownerless directory block: its inode is not in use (cleared, or
/// never reached), yet a block no in-use inode maps still starts with its `.` and `..` entries.
///
/// Its live entries name its children (each also an ``NameSource/ownerlessBlock`` evidence for
/// the child); its `..` names where it hung, so children can get a full path.
public struct LostDirectory: Sendable, Equatable, Codable {
    /// The inode the `.` entry names: the lost directory itself.
    public let inode: UInt32
    /// The inode the `..` entry names (nil when it is 0).
    public let dotdot: UInt32?
    /// The ownerless blocks attributed to it, first block (holding `.` and `..`) first.
    public let blocks: [UInt64]
    /// Its live entries (without `.` and `..`), in block order: the rebuilt child list.
    public let children: [NameEvidence]
    /// Entries elsewhere that name this directory itself (live entries pointing at its now unused
    /// inode, slack), best first.
    public let nameEvidence: [NameEvidence]
}
