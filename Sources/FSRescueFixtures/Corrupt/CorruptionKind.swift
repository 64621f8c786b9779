// The named corruptions `fixture corrupt` applies.

/// A named corruption. Cases are listed in the order they are applied when several are asked for
/// (whatever the command-line order): additions first, then directory-entry and inode edits
/// through libext2fs, bitmaps, and last the raw overwrites that leave the image unopenable.
public enum CorruptionKind: String, Codable, Sendable, CaseIterable, CustomStringConvertible {
    case hostileNames = "hostile-names"
    case unlinkFile = "unlink-file"
    case unlinkDir = "unlink-dir"
    case orphanList = "orphan-list"
    case directoryLoop = "directory-loop"
    case clearInode = "clear-inode"
    case linkCount = "link-count"
    case duplicateBlocks = "duplicate-blocks"
    case bitmapFlip = "bitmap-flip"
    case dirBlockNoise = "dir-block-noise"
    case inodeTableNoise = "inode-table-noise"
    case zeroSuperblock = "zero-superblock"
    case truncate = "truncate"

    public var description: String { rawValue }

    /// One line for `fixture kinds`.
    public var summary: String {
        switch self {
        case .hostileNames: "adds a directory of entries an extractor must survive: '.', '..', names with '/', control bytes, invalid UTF-8, 255 bytes, a symlink shadowing a directory, device nodes, a FIFO, a socket, a setuid file, a 1 TiB sparse file"
        case .unlinkFile: "removes the directory entries of N files as unlink does (rec_len merged, name left in slack); the inodes stay allocated with nothing naming them"
        case .unlinkDir: "removes the entries of N directories the same way; their subtrees become disconnected"
        case .orphanList: "unlinks N files and chains them on the superblock orphan list (links 0, next in i_dtime), as a crash with open files leaves them"
        case .directoryLoop: "links a directory into its own subdirectory under its own name (a directory hard link), making it its own ancestor"
        case .clearInode: "zeroes the inode of N directories (debugfs clri); their children lose their parent"
        case .linkCount: "sets wrong i_links_count on N inodes"
        case .duplicateBlocks: "points N files at blocks another file owns (multiply-claimed blocks)"
        case .bitmapFlip: "flips N bits in the block bitmap and N in the inode bitmap"
        case .dirBlockNoise: "overwrites N directory blocks with seeded noise"
        case .inodeTableNoise: "overwrites N inode-table blocks holding used inodes with seeded noise"
        case .zeroSuperblock: "zeroes the primary superblock (backups intact when the image has them)"
        case .truncate: "cuts the image file short inside its used blocks"
        }
    }

    /// Whether `--count` chooses how many targets this kind takes.
    public var usesCount: Bool {
        switch self {
        case .hostileNames, .directoryLoop, .zeroSuperblock, .truncate: false
        default: true
        }
    }

    /// Whether the kind edits the image through libext2fs (the others write raw bytes after it is closed).
    var usesLibext2fs: Bool {
        switch self {
        case .dirBlockNoise, .inodeTableNoise, .zeroSuperblock, .truncate: false
        default: true
        }
    }
}
