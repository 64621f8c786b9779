// Reading a directory's live entries through the one directory-block reader (DirectoryBlockLayout and
// DirectoryParser), for salvage and extract, and for names the scan looks up again.

/// Lists a directory's live entries; scan-based plans provide their own, checked by pass 2.
public protocol DirectoryLister {
    func entries(of directory: UInt32) -> [SalvagePlan.Entry]
}

/// The order in which ``Filesystem/forEachDirectoryRecord(of:order:_:)`` reads a directory's blocks.
enum DirectoryBlockOrder {
    /// Logical order: the order of `ls -f`, and of `ext2fs_dir_iterate2`.
    case logical
    /// Physical order: the order pass 2 reads blocks in (so the first entry met is the one pass 2 met first).
    case physical
}

/// One live record of a directory as read: its header and name within `bytes`, and its place.
struct DirectoryRecord {
    let entry: DirectoryEntry
    /// The region the entry's offsets refer to (a block, or one region of an inline directory).
    let bytes: UnsafeRawBufferPointer
    /// 0 and 1 for the first two records of block 0 (where `.` and `..` belong); 2 elsewhere.
    let position: Int

    var name: UnsafeRawBufferPointer { UnsafeRawBufferPointer(rebasing: bytes[entry.nameOffset..<entry.nameOffset + entry.nameLength]) }
    var isDot: Bool { entry.nameLength == 1 && bytes[entry.nameOffset] == 0x2E }
    var isDotDot: Bool { entry.nameLength == 2 && bytes[entry.nameOffset] == 0x2E && bytes[entry.nameOffset + 1] == 0x2E }
    /// `.` or `..` in its own place: the directory itself, or its parent.
    var isSelfOrParent: Bool { position == 0 && isDot || position == 1 && isDotDot }
}

extension Filesystem: DirectoryLister {
    /// At most this many entries are listed per directory, so a hostile directory cannot stall a run.
    public static let maxEntriesPerDirectory = 10_000_000

    /// The live entries of `directory` in logical order, without empty records and without `.` and
    /// `..` where they belong (the first two records of block 0). An entry elsewhere that is named
    /// `..` names a file all the same, and is listed (the output sandbox renames it). Entries before
    /// a damaged record are returned; the rest of that block is the scan's business.
    public func entries(of directory: UInt32) -> [SalvagePlan.Entry] {
        var entries: [SalvagePlan.Entry] = []
        forEachDirectoryRecord(of: directory, order: .logical) { record in
            guard record.entry.inode != 0, !record.isSelfOrParent else { return true }
            entries.append(SalvagePlan.Entry(name: Array(record.name), inode: record.entry.inode))
            return entries.count < Self.maxEntriesPerDirectory
        }
        return entries
    }

    /// Reads `directory`'s blocks (``readBlocks(_:count:into:)``, through its block map) or its inline
    /// data (``inlineData(of:problems:whole:)``) and calls `body` with every record of every leaf, empty ones
    /// included, until `body` returns false. Index blocks are skipped, checksums are not checked, and no more blocks are read than the image holds
    /// (a crafted map can name one block millions of times).
    func forEachDirectoryRecord(of directory: UInt32, order: DirectoryBlockOrder, _ body: (DirectoryRecord) -> Bool) {
        guard let inode = try? readInode(directory), inode.type == .directory else { return }
        let hasFiletype = features.contains(.fileType)
        let metadataCsum = features.contains(.metadataChecksums)
        let inodesCount = superblock.inodesCount
        let bs = Int(blockSize)
        if inode.hasInlineData {
            var problems: [String] = []
            guard let data = inlineData(of: inode, problems: &problems, whole: true), data.count >= 4 else { return }
            data.withUnsafeBytes { bytes in
                // i_block holds the parent and 56 bytes of entries; the system.data attribute holds the rest.
                var going = true
                for range in DirectoryParser.inlineRegions(size: bytes.count) where going {
                    let region = UnsafeRawBufferPointer(rebasing: bytes[range])
                    _ = DirectoryParser.parse(region, limit: region.count, blockSize: region.count, minimumRecord: 8,
                                              hasFiletype: hasFiletype, inodesCount: inodesCount, slack: false,
                                              entry: { e in if going { going = body(DirectoryRecord(entry: e, bytes: region, position: 2)) } },
                                              stale: { _ in })
                }
            }
            return
        }
        guard let map = try? blockMap(of: directory) else { return }
        var blocks: [(logical: UInt64, physical: UInt64)] = []
        let maxBlocks = imageBlocks
        // Unwritten extents are read too, as pass 2 and e2fsck read them: a directory block there is
        // damage the scan reports, and its entries are still the best evidence of the tree.
        outer: for run in map.runs {
            for k in 0..<UInt64(run.length) {
                guard UInt64(blocks.count) < maxBlocks else { break outer }
                blocks.append((run.logical + k, run.physical + k))
            }
        }
        if order == .physical { blocks.sort { $0.physical < $1.physical } }
        let indexed = InodeFlags(rawValue: inode.flags).contains(.indexed)
        let buffer = UnsafeMutableRawPointer.allocate(byteCount: bs, alignment: 8)
        defer { buffer.deallocate() }
        var going = true
        for (logical, physical) in blocks where going {
            guard blocksInRange(physical, count: 1), readBlocks(BlockNumber(physical), into: buffer) == nil else { continue }
            let bytes = UnsafeRawBufferPointer(start: buffer, count: bs)
            let layout = DirectoryBlockLayout.of(bytes, context: .owned(logical: logical, indexed: indexed), metadataCsum: metadataCsum)
            guard layout.kind != .htreeNode else { continue }
            var position = 0
            _ = DirectoryParser.parse(bytes, limit: layout.entriesEnd, blockSize: bs, hasFiletype: hasFiletype, inodesCount: inodesCount,
                                      slack: false,
                                      entry: { e in
                                          guard going else { return }
                                          going = body(DirectoryRecord(entry: e, bytes: bytes, position: logical == 0 ? min(position, 2) : 2))
                                          position += 1
                                      },
                                      stale: { _ in })
        }
    }
}
