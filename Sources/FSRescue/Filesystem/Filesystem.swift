// An ext2/3/4 filesystem opened read-only through libext2fs.
internal import CFSRescueExt2fs

/// An ext2/3/4 filesystem opened **read-only** with `ext2fs_open2` (never `EXT2_FLAG_RW`).
///
/// Opening finds the filesystem in a whole-disk image, falls back to backup superblocks when the
/// primary is unusable, and tolerates damage (bad checksums, inconsistent descriptors), recording
/// each problem met as a ``Finding`` in ``openFindings`` instead of failing.
/// The libext2fs handle is closed with `ext2fs_close_free` in `deinit`. Not thread-safe, and not
/// `Sendable`: the compiler keeps it on the thread that opened it (salvage's copy thread reads file
/// data through ``ContentCopier``, which holds only the image source and the journal overlay).
public final class Filesystem {
    let handle: ext2_filsys
    /// The image the filesystem was read from.
    public let source: ImageSource
    /// Where in the image the filesystem is.
    public let location: FilesystemLocation
    /// The superblock it was opened from.
    public let superblockUsed: SuperblockLocation
    /// Problems met while opening, and what the journal replay did.
    public private(set) var openFindings: [Finding]
    /// The in-memory journal replay this handle reads through, when one was applied.
    public private(set) var journalReplay: JournalReplaySummary?
    /// The replayed blocks, for readers that bypass libext2fs (file data, indirect blocks).
    public private(set) var overlay: JournalOverlay?
    /// The external journal device given with the image (`--journal`), if any.
    public private(set) var journalPath: String?
    /// The image's unread areas (``OpenOptions/mapfile``), nil when every byte counts as read.
    public private(set) var mapfile: Mapfile?
    /// The journal's history, indexed once (the scan's name evidence and `--deleted` both read it).
    var indexedJournalHistory: JournalHistoryIndex = .notRead
    /// The superblock it was opened with, copied once (the handle is read-only: it never changes).
    let superblock: Superblock
    /// The superblock's features, read once.
    let features: Features

    private init(handle: ext2_filsys, source: ImageSource, location: FilesystemLocation,
                 superblock: SuperblockLocation, findings: [Finding]) {
        self.handle = handle
        self.source = source
        self.location = location
        self.superblockUsed = superblock
        self.openFindings = findings
        self.superblock = Superblock(handle)
        let sb = handle.pointee.super.pointee
        features = Features(compat: sb.s_feature_compat, incompat: sb.s_feature_incompat, roCompat: sb.s_feature_ro_compat)
    }

    deinit {
        var fs: ext2_filsys? = handle
        ext2fs_close_free(&fs)
    }

    /// Opens the filesystem in the image or block device at `path`, read-only.
    public static func open(path: String, options: OpenOptions = OpenOptions()) throws(FSRescueError) -> Filesystem {
        try open(source: ImageSource(path: path), options: options)
    }

    /// Opens the filesystem in an already opened source, read-only.
    public static func open(source: ImageSource, options: OpenOptions = OpenOptions()) throws(FSRescueError) -> Filesystem {
        if (options.superblock == nil) != (options.blockSize == nil) {
            throw FSRescueError(.usage, "--superblock and --block-size go together; give both, as with e2fsck -b N -B SIZE.")
        }
        if let bs = options.blockSize, !SuperblockSearch.blockSizes.contains(bs) {
            throw FSRescueError(.usage, "--block-size \(bs) is not an ext block size; use one of 1024, 2048, 4096 … 65536.")
        }
        let candidates = try LocationResolver.candidates(source, options)
        var firstFailure: Ext2Error?
        for location in candidates {
            do {
                return try open(source: source, location: location, options: options)
            } catch {
                firstFailure = firstFailure ?? error
            }
        }
        let path = source.path
        if let table = candidates.first?.partitionTable, candidates.allSatisfy({ $0.chosenBy == "unrecognized-partition" }) {
            throw FSRescueError(.noExtPartition,
                "\(path) holds a \(table.type) partition table with no ext2/ext3/ext4 partition, and none opens from a backup superblock (\(LocationResolver.describe(table.partitions))); try --offset BYTES if the filesystem is elsewhere.",
                path: path, cause: firstFailure)
        }
        let where_ = candidates.count == 1 && candidates[0].offsetBytes == 0 ? "" : " in any candidate partition"
        let cause = firstFailure.map { " (\($0.message))" } ?? ""
        if options.superblock != nil {
            throw FSRescueError(.openFailed,
                "\(path): no usable ext superblock at block \(options.superblock!) with block size \(options.blockSize!)\(cause); try another backup (mke2fs -n lists them).",
                path: path, cause: firstFailure)
        }
        let primary = candidates.first.map { SuperblockSanity.read(source, offset: $0.offsetBytes, superblock: 0, blockSize: 1024) }
        if let primary, primary.unreadable, candidates.count == 1 {
            throw FSRescueError(.notExtFilesystem,
                "\(path) ends before where an ext superblock would be (\(source.sizeBytes) bytes); check that the image was copied completely.",
                path: path, cause: firstFailure)
        }
        if let primary, primary.hasMagic {
            let why = primary.problems.isEmpty ? "" : " (\(primary.problems.joined(separator: ", ")))"
            throw FSRescueError(.openFailed,
                "\(path) has an ext superblock that libext2fs cannot open\(cause)\(why), and no backup superblock opens either; try --superblock N --block-size N with a backup location from `mke2fs -n`.",
                path: path, cause: firstFailure)
        }
        throw FSRescueError(.notExtFilesystem,
            "\(path) holds no ext2/ext3/ext4 filesystem\(where_): neither the primary superblock nor any backup is usable\(cause); if it is a disk image with an unusual layout, try --offset BYTES.",
            path: path, cause: firstFailure)
    }

    /// Opens at `location`, then, when the journal needs recovery and holds committed transactions,
    /// opens again through the replayed view (``OverlayIOManager``) and keeps that one.
    private static func open(source: ImageSource, location: FilesystemLocation, options: OpenOptions) throws(Ext2Error) -> Filesystem {
        let plain = try open(source: source, location: location, options: options, overlay: nil)
        plain.journalPath = options.journalPath
        plain.mapfile = options.mapfile
        if let finding = options.mapfile.flatMap(Self.unreadFinding) { plain.openFindings.append(finding) }
        guard options.replayJournal else {
            if plain.needsRecovery {
                plain.openFindings.append(Finding(.journalNotReplayed, "The journal needs recovery; --no-replay reads the image as it is on disk, without the transactions the journal holds."))
            }
            return plain
        }
        switch plain.loadJournalReplay(journalPath: options.journalPath) {
        case .notNeeded:
            return plain
        case .nothingApplied(let why):
            plain.openFindings.append(Finding(.journalNotReplayed, "The journal needs recovery, but nothing was replayed: \(why)."))
            return plain
        case .replayed(let overlay, let summary):
            guard let replayed = try? open(source: source, location: location, options: options, overlay: overlay) else {
                plain.openFindings.append(Finding(.journalNotReplayed, "The journal needs recovery, but the replayed view does not open; the image is read as it is."))
                return plain
            }
            replayed.journalReplay = summary
            replayed.overlay = overlay
            replayed.journalPath = options.journalPath
            replayed.mapfile = options.mapfile
            if let finding = options.mapfile.flatMap(Self.unreadFinding) { replayed.openFindings.append(finding) }
            replayed.openFindings.append(summary.finding)
            return replayed
        }
    }

    /// `source.unread` for a mapfile with unread areas.
    private static func unreadFinding(_ mapfile: Mapfile) -> Finding? {
        guard mapfile.unreadBytes > 0 else { return nil }
        return Finding(.sourceUnread, "The ddrescue mapfile marks \(mapfile.unreadBytes) bytes of the image in \(mapfile.unread.count) area(s) as never read from the disk: no structure is read there, and files touching them are partial.")
    }

    /// `needs_recovery` is set.
    var needsRecovery: Bool { features.contains(.needsRecovery) }

    private static func open(source: ImageSource, location: FilesystemLocation, options: OpenOptions,
                             overlay: JournalOverlay?) throws(Ext2Error) -> Filesystem {
        var findings: [Finding] = []
        if let sb = options.superblock, let bs = options.blockSize {
            let (handle, found) = try OpenLadder.open(source: source, offset: location.offsetBytes, superblock: sb, blockSize: bs, overlay: overlay,
                                                      mapfile: options.mapfile)
            findings += found
            return Filesystem(handle: handle, source: source, location: location,
                              superblock: SuperblockLocation(block: sb, blockSize: bs, isBackup: sb != 0), findings: findings)
        }
        do {
            let (handle, found) = try OpenLadder.open(source: source, offset: location.offsetBytes, superblock: 0, blockSize: 0, overlay: overlay,
                                                      mapfile: options.mapfile)
            findings += found
            let bs = UInt32(handle.pointee.blocksize)
            return Filesystem(handle: handle, source: source, location: location,
                              superblock: SuperblockLocation(block: 0, blockSize: bs, isBackup: false), findings: findings)
        } catch {
            let primaryError = error
            // The replayed view is of the primary superblock's filesystem; backups are searched plainly.
            if overlay != nil { throw primaryError }
            guard let (handle, sb, found) = SuperblockSearch.findBackup(source: source, location: location, mapfile: options.mapfile) else {
                throw primaryError
            }
            findings.append(Finding(.primarySuperblockUnusable,
                "The primary superblock is unusable (\(primaryError.message)); opened from the backup at block \(sb.block) (block size \(sb.blockSize)).",
                block: sb.block))
            findings += found
            return Filesystem(handle: handle, source: source, location: location, superblock: sb, findings: findings)
        }
    }
}
