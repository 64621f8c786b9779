// Moving through an inode's extent tree node by node, as libext2fs reads and verifies the nodes.
internal import CFSRescueExt2fs

/// Where ``ExtentCursor/move(_:)`` goes.
enum ExtentMove {
    /// The first entry of the root (`EXT2_EXTENT_ROOT`).
    case root
    /// The first entry of the node the current index entry points to (`EXT2_EXTENT_DOWN`).
    case down
    /// The next entry of the current node (`EXT2_EXTENT_NEXT_SIB`).
    case nextSibling
    /// The index entry above the current node (`EXT2_EXTENT_UP`).
    case up
}

/// The entry an ``ExtentCursor`` is on.
struct ExtentEntry {
    /// First logical block it covers.
    let logical: UInt64
    /// Its physical block: data for a leaf, the child node for an index entry.
    let physical: UInt64
    /// Blocks it maps (leaves; 0 for index entries).
    let length: UInt32
    /// A leaf entry, mapping data.
    let isLeaf: Bool
    /// A leaf mapping unwritten (preallocated) blocks.
    let isUnwritten: Bool
    /// An index entry met again on the way back up: its subtree is done.
    let isSecondVisit: Bool
}

/// An inode's extent tree, walked with `ext2fs_extent_open2` and `ext2fs_extent_get` (freed with
/// `ext2fs_extent_free`). Nodes are read through the handle's I/O and their headers and checksums
/// checked by libext2fs; a failed move leaves the cursor where it was.
final class ExtentCursor {
    private let handle: ext2_extent_handle_t
    private var extent = ext2fs_extent()

    /// Opens the extent tree of inode `number` as held in `buffer`.
    init(_ filesystem: Filesystem, inode number: InodeNumber, buffer: InodeBuffer) throws(Ext2Error) {
        var opened: ext2_extent_handle_t?
        try ext2Check(ext2fs_extent_open2(filesystem.handle, number.rawValue, buffer.inode, &opened))
        guard let opened else { throw .noMemory }
        handle = opened
    }

    deinit { ext2fs_extent_free(handle) }

    /// The tree's depth as its root claims it (`ext2fs_extent_get_info`), nil when unknown.
    var maxDepth: Int? {
        var info = ext2_extent_info()
        return ext2fs_extent_get_info(handle, &info) == 0 ? Int(info.max_depth) : nil
    }

    /// The level of the current node (0: the root).
    var level: Int {
        var info = ext2_extent_info()
        return ext2fs_extent_get_info(handle, &info) == 0 ? Int(info.curr_level) : 0
    }

    /// The entry the cursor is on.
    var current: ExtentEntry {
        ExtentEntry(logical: UInt64(extent.e_lblk), physical: UInt64(extent.e_pblk), length: extent.e_len,
                    isLeaf: extent.e_flags & UInt32(EXT2_EXTENT_FLAGS_LEAF) != 0,
                    isUnwritten: extent.e_flags & UInt32(EXT2_EXTENT_FLAGS_UNINIT) != 0,
                    isSecondVisit: extent.e_flags & UInt32(EXT2_EXTENT_FLAGS_SECOND_VISIT) != 0)
    }

    /// Moves the cursor; nil when it moved. ``Ext2Error/extentChecksumInvalid`` after `down` still
    /// moved: the node was read, but its checksum does not match.
    func move(_ where_: ExtentMove) -> Ext2Error? {
        let op: Int32
        switch where_ {
        case .root: op = Int32(EXT2_EXTENT_ROOT)
        case .down: op = Int32(EXT2_EXTENT_DOWN)
        case .nextSibling: op = Int32(EXT2_EXTENT_NEXT_SIB)
        case .up: op = Int32(EXT2_EXTENT_UP)
        }
        let rc = ext2fs_extent_get(handle, op, &extent)
        return ext2Error(rc)
    }
}
