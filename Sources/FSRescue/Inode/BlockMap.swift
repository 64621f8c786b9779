// The public view of where an inode's data lives, as the scan walks it: runs (``DataRun``), mapping blocks, damage.

/// Something wrong met while walking an inode's block map or extent tree.
public struct BlockMapProblem: Sendable, Equatable {
    /// The finding code it maps to (`block.out-of-range`, `extent.bad-header`, …).
    public let code: FindingCode
    /// The physical block concerned, when there is one.
    public let block: UInt64?
    /// The logical block concerned, when known.
    public let logical: UInt64?
    /// What is wrong, in one sentence.
    public let message: String
}

/// Where an inode's data lives, as read by ``Filesystem/blockMap(of:)``.
public struct BlockMap: Sendable {
    /// The inode walked.
    public let inode: UInt32
    /// `i_size`.
    public let size: UInt64
    /// Data runs in logical order; holes are the gaps between them. Out-of-range parts are left out.
    public let runs: [DataRun]
    /// Mapping blocks (indirect blocks, extent tree nodes) that belong to the inode but hold no data.
    public let mappingBlocks: [UInt64]
    /// True when the data is inline in the inode (read it with the inline-data API, there are no runs).
    public let inlineData: Bool
    /// Damage met during the walk; the walk skips what it cannot read and goes on.
    public let problems: [BlockMapProblem]
}

extension Filesystem {
    /// Reads `inode` (`ext2fs_read_inode_full`) and walks its extent tree (`ext2fs_extent_open2` /
    /// `ext2fs_extent_get`) or block map (``BlockMapWalker``, pointer blocks read through the journal overlay),
    /// returning its data runs. Damage becomes ``BlockMapProblem``s; the walk always terminates.
    public func blockMap(of inode: UInt32) throws(FSRescueError) -> BlockMap {
        guard inode >= 1, inode <= readableInodesCount else {
            throw FSRescueError(.usage, "Inode \(inode) is outside the filesystem (1…\(readableInodesCount)).")
        }
        let walker = BlockWalker(self)
        let buffer = InodeBuffer(self)
        if let error = readInode(InodeNumber(inode), into: buffer) {
            throw FSRescueError(.readFailed, "Inode \(inode) could not be read (\(error.message)).", path: source.path, cause: error)
        }
        let raw = buffer.view
        let inline = raw.flags.contains(.inlineData)
        if raw.hasValidBlocks {
            walker.walk(inode, buffer)
        }
        return BlockMap(inode: inode, size: raw.size, runs: walker.runs, mappingBlocks: walker.mappingBlocks,
                        inlineData: inline, problems: walker.problems)
    }
}
