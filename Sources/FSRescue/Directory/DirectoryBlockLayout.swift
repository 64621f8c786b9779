// How one directory block is laid out: a leaf of entries (with or without its checksum tail), an
// htree root, or an htree interior node. Every reader of directory blocks asks this, once per block.

/// Where a directory block sits, as far as the reader knows.
enum DirectoryBlockContext {
    /// A block of a known directory: its logical number and whether the directory is indexed
    /// (`EXT2_INDEX_FL`). The kernel and e2fsck read index blocks only through an indexed
    /// directory's tree, so an unindexed directory's blocks are always leaves.
    case owned(logical: UInt64, indexed: Bool)
    /// A block whose directory is not known (an ownerless block, a journal copy): the layout is
    /// decided from the bytes alone.
    case unowned
}

/// The layout of one directory block, decided by the rules of e2fsck's pass 2 (`check_dir_block`)
/// and the kernel's `ext4_read_dirblock`:
/// - a **root** is block 0 of an indexed directory: `.` (record 12), then `..` whose record runs to
///   the end of the block, then `dx_root_info` (24) and the index; it has no dirent tail, but the
///   kernel leaves the old leaf's tail bytes in place when it converts block 0 into a root, so the
///   last 12 bytes may look like one;
/// - a **node** is one empty entry spanning the block (inode 0, record = block size); where the
///   directory is not known, it must also be nameless and carry the index limit a node of this
///   block size holds (e2fsck's test), since an emptied leaf of a filesystem without checksums can
///   start with an empty entry spanning the block too;
/// - anything else is a **leaf**; with metadata_csum its last 12 bytes are the tail entry
///   (inode 0, record 12, name length 0, type 0xDE) when they look like one, and entries stop there.
struct DirectoryBlockLayout: Equatable {
    enum Kind: Equatable {
        case leaf
        case htreeRoot
        case htreeNode
    }

    let kind: Kind
    /// Where the entries end: before a leaf's tail; the block's end otherwise (a root's `..` spans it).
    let entriesEnd: Int
    /// A leaf that ends with the metadata_csum tail entry.
    let hasTail: Bool
    /// The offset of an index block's count/limit header (`dx_countlimit`); 0 for leaves.
    let indexOffset: Int

    /// Bytes of the checksum that ends an index block with metadata_csum (`dx_tail`).
    static let indexTailBytes = 8
    /// Bytes of a leaf's tail entry (`ext2_dir_entry_tail`).
    static let leafTailBytes = 12

    /// The layout of `bytes`, one whole directory block.
    static func of(_ bytes: UnsafeRawBufferPointer, context: DirectoryBlockContext, metadataCsum: Bool) -> DirectoryBlockLayout {
        let bs = bytes.count
        switch context {
        case .owned(let logical, let indexed):
            if indexed && logical == 0 && isRootShaped(bytes) {
                return DirectoryBlockLayout(kind: .htreeRoot, entriesEnd: bs, hasTail: false, indexOffset: rootIndexOffset(bytes))
            }
            if indexed && logical != 0 && startsWithSpanningEmptyEntry(bytes) {
                return DirectoryBlockLayout(kind: .htreeNode, entriesEnd: 0, hasTail: false, indexOffset: 8)
            }
        case .unowned:
            if isRootShaped(bytes) && bytes.count >= 32 && bytes[29] == 8 && bytes.loadUnaligned(fromByteOffset: 24, as: UInt32.self) == 0 {
                return DirectoryBlockLayout(kind: .htreeRoot, entriesEnd: bs, hasTail: false, indexOffset: rootIndexOffset(bytes))
            }
            if isNodeShaped(bytes, metadataCsum: metadataCsum) {
                return DirectoryBlockLayout(kind: .htreeNode, entriesEnd: 0, hasTail: false, indexOffset: 8)
            }
        }
        let tail = metadataCsum && hasLeafTail(bytes)
        return DirectoryBlockLayout(kind: .leaf, entriesEnd: tail ? bs - leafTailBytes : bs, hasTail: tail, indexOffset: 0)
    }

    /// `.` with record 12, then `..` whose record reaches the end of the block.
    static func isRootShaped(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let bs = bytes.count
        guard bs >= 40 else { return false }
        let dotRecord = DirectoryParser.recordLength(bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self), blockSize: bs)
        let dotdotRecord = DirectoryParser.recordLength(bytes.loadUnaligned(fromByteOffset: 16, as: UInt16.self), blockSize: bs)
        return dotRecord == 12 && bytes[6] == 1 && bytes[8] == 0x2E
            && 12 + dotdotRecord == bs && bytes[18] == 2 && bytes[20] == 0x2E && bytes[21] == 0x2E
    }

    /// An entry of inode 0 whose record is the whole block.
    static func startsWithSpanningEmptyEntry(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let bs = bytes.count
        return bs >= 16 && bytes.loadUnaligned(as: UInt32.self) == 0
            && DirectoryParser.recordLength(bytes.loadUnaligned(fromByteOffset: 4, as: UInt16.self), blockSize: bs) == bs
    }

    /// e2fsck's test for an interior node: an empty, nameless entry spanning the block, and the
    /// index limit a node of this size holds.
    static func isNodeShaped(_ bytes: UnsafeRawBufferPointer, metadataCsum: Bool) -> Bool {
        let bs = bytes.count
        guard startsWithSpanningEmptyEntry(bytes), bytes[6] == 0 else { return false }
        let limit = Int(bytes.loadUnaligned(fromByteOffset: 8, as: UInt16.self))
        return limit == (bs - 8 - (metadataCsum ? indexTailBytes : 0)) / 8
    }

    /// The leaf tail entry in the last 12 bytes (`ext2fs_dirent_has_tail`'s fixed-place form).
    static func hasLeafTail(_ bytes: UnsafeRawBufferPointer) -> Bool {
        let bs = bytes.count
        guard bs >= 24 else { return false }
        return bytes.loadUnaligned(fromByteOffset: bs - 12, as: UInt32.self) == 0
            && bytes.loadUnaligned(fromByteOffset: bs - 8, as: UInt16.self) == 12
            && bytes[bs - 6] == 0 && bytes[bs - 5] == 0xDE
    }

    /// A root's index header follows `dx_root_info` (24 + its info length), kept inside the block.
    private static func rootIndexOffset(_ bytes: UnsafeRawBufferPointer) -> Int {
        min(24 + Int(bytes[29]), bytes.count - 8)
    }
}
