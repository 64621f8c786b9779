// Where a name (live, or recovered for an orphan) came from: shared by scan evidence and the manifest.

/// Where an output name came from (the name-recovery issue adds evidence sources).
public enum NameSource: String, Sendable, Codable {
    /// A live directory entry.
    case directory
    /// A stale entry in a directory block's slack space.
    case slack
    /// The `..` entry of an orphaned directory.
    case dotdot
    /// A directory block no in-use inode owns.
    case ownerlessBlock = "ownerless-block"
    /// An older copy of a directory block in the journal.
    case journal
    /// No evidence: named `#<inode>` as e2fsck names them.
    case none
}
