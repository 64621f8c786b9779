// What the main thread hands to the copy thread (CopyPipeline): file copies, hard links, shared copies, and the counts kept of them.
/// A regular file whose output entry the main thread has created and whose data map it has read:
/// everything the copy thread needs, and nothing that touches the libext2fs handle.
struct FileCopyJob {
    let file: OutputFile
    let parent: OutputDirectory
    let name: String
    let map: DataMap
    /// Bytes of content the map can address (``Filesystem/contentSize(of:)``).
    let size: UInt64
    /// `i_size`: when larger than `size`, the rest is missing.
    let inodeSize: UInt64
    let mode: UInt16
    let accessTime: Int64
    let modificationTime: Int64
    let owner: (uid: UInt32, gid: UInt32)
    /// Byte ranges from blocks another inode also claims (found from the map on the main thread).
    let doubtful: [ByteRange]
    /// The finding that says why ``doubtful`` ranges are doubtful.
    var doubtfulFinding = "salvage.shared-blocks"
    /// The first name of a hard-linked file: its record is kept for the other names (``HardLinkJob``).
    let linked: Bool
    var record: ManifestRecord
}

/// Another name of a hard-linked file, already linked (`linkat`) by the main thread. Its record takes
/// status, hash and ranges from the first name's, known by then to the copy thread (queue order).
struct HardLinkJob {
    let inode: UInt32
    let parent: OutputDirectory
    let name: String
    /// The record as it stands if the link cannot stay (the first name's copy failed).
    let unlinked: ManifestRecord
    /// The record with its link path and `hard_link_to`.
    let record: ManifestRecord
    /// The first name's outcome when the main thread already has it (a first name kept from an earlier run).
    let first: LinkOutcome?
}

/// What another name of a hard-linked file takes from its first name's record: kept per hard-linked
/// inode for the whole run, so it holds these five fields, not the whole record (a million-file
/// salvage keeps tens of thousands).
struct LinkOutcome {
    let status: SalvageStatus
    let sha256: String?
    let bytesRecovered: UInt64
    let missingRanges: [[UInt64]]?
    let doubtfulRanges: [[UInt64]]?

    init(_ record: ManifestRecord) {
        status = record.status
        sha256 = record.sha256
        bytesRecovered = record.bytesRecovered
        missingRanges = record.missingRanges
        doubtfulRanges = record.doubtfulRanges
    }

    /// Gives `record` (another name's) the first name's outcome.
    func apply(to record: inout ManifestRecord) {
        record.status = status
        record.sha256 = sha256
        record.bytesRecovered = bytesRecovered
        record.missingRanges = missingRanges
        record.doubtfulRanges = doubtfulRanges
    }
}

/// A file the main thread copied itself while the copy thread was behind (``CopyPipeline``'s sharing):
/// the copy thread only settles it and writes its record, in queue order.
struct CopiedFile {
    let job: FileCopyJob
    /// The record with what the copy found (skipped, with the reason, when it failed).
    let record: ManifestRecord
    /// The descriptor, still open, and the offset below which its data is settled; nil when the copy failed.
    let open: (fd: Int32, settled: UInt64)?
    /// A failure that stops the run (output full), raised when the copy thread reaches this item.
    let stop: FSRescueError?
    /// The image bytes the copy read, for the copy thread's copier to drop from the page cache in plan order.
    let reads: [ContentCopier.ImageRead]
}

/// The manifest line counts of a run's items, kept where the lines are written.
struct ItemCounts {
    var items = 0, complete = 0, partial = 0, skipped = 0
}
