// The state one scan builds up as its passes run over a filesystem.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import Dispatch

/// One directory block to parse in pass 2: which directory, which logical block, where on disk.
struct DirectoryBlockRef {
    let directory: Int32
    let logical: UInt32
    let physical: UInt64
}

/// One scan: what it knows of the filesystem (``ScanSettings``), what the passes found so far, and
/// running them. Each pass is a value with explicit inputs and outputs (``InodePass``,
/// ``SharedBlocksPass``, ``DirectoryPass``, ``OwnerlessBlocksPass``, ``ConnectivityPass``,
/// ``ReferencesPass``, ``SummaryPass``); the run hands each its inputs, moving what the pass changes
/// (the inode table, the evidence log) into it and back without a copy, and keeps what it returns.
/// Single-threaded: the libext2fs handle is not thread-safe.
final class ScanRun: ScanParticipant {
    let filesystem: Filesystem
    let settings: ScanSettings
    let progress: any ProgressReporting

    var findings: [Finding] = []
    var table = InodeTable()
    var counts = ScanCounts()
    var timings: [PassTiming] = []
    var cancelled = false
    /// Units done at the last cancellation check.
    private var lastCheck: UInt64 = 0

    /// Clusters holding filesystem metadata (superblocks, descriptors, bitmaps, inode tables).
    var metadata = BitSet(count: 0)
    /// Clusters claimed by inodes (data, mapping blocks, xattr blocks).
    var claimed = BitSet(count: 0)
    /// Clusters claimed twice (by two inodes, or by an inode and metadata).
    var multiplyClaimed = BitSet(count: 0)
    var hasMultiplyClaimed = false

    var directoryBlocks: [DirectoryBlockRef] = []
    var inlineDirectories: [Int32] = []
    /// Inodes on the orphan list or in the orphan file, with how they are recorded.
    var orphanMembers: [UInt32: OrphanKind] = [:]
    /// Journal, quota, orphan-file inodes: live but named by no directory (a handful: an array is fastest).
    var hiddenInodes: [UInt32] = []
    var deleted: [DeletedInode] = []
    /// Name evidence from every source (``NameEvidenceLog``).
    var evidence = NameEvidenceLog()
    var sharedBlocks: [SharedBlocks] = []
    var orphans: [Orphan] = []
    /// Lost directories found by pass 2B; pass 4 turns them into ``lostDirectories``.
    var lostDrafts: [LostDirectoryDraft] = []
    var lostDirectories: [LostDirectory] = []
    /// The paths of ``orphans`` and ``lostDirectories``, resolved at the end of pass 4.
    var recoveredPaths = RecoveredPaths()
    var connectivity = Connectivity(state: [])
    /// Hashed directories pass 1 leaves unchecked; pass 2 gathers the rest.
    var htree = HtreeState()
    /// Slow symlinks whose target block pass 2 reads first.
    var slowSymlinks: [PendingSymlink] = []
    /// Whether pass 1 skips what the group descriptors call unused (``Filesystem/scansInodesLazily``),
    /// until evidence says the marks are stale: an orphan past one (decided before pass 1), or a
    /// directory entry past one (``namesSkippedInodes``, and the scan starts again reading every table).
    var scansLazily: Bool
    /// Inodes whose inode-table block the disk never gave (a ddrescue mapfile), sorted: unknown, not free.
    var unreadInodes = UnreadInodeRanges()
    /// Some file's indirect block or extent node could not be read: the blocks it maps are in use
    /// but found by no walk, so pass 5 cannot call such blocks ownerless.
    var mappingBlocksUnread = false
    /// Pass 1 could not read part of an inode table (a read error): when the failing blocks are known,
    /// the scan starts again with them skipped, so the rest of each table is read.
    var inodeTableReadFailed = false
    /// Pass 2 met an entry naming an inode past its group's unused mark, which a lazy pass 1 never read.
    var namesSkippedInodes = false
    /// Inodes pass 1 found in use with `EXT4_EA_INODE_FL` (attribute values, never files).
    var eaInodes: Set<UInt32> = []
    /// Usage per quota ID, counted in pass 1 for the quota files to be checked against (nil without quotas).
    var quota: QuotaTally?
    /// Directories with `EXT4_ENCRYPT_FL` (their entries' names are ciphertext, 16 bytes at least).
    var encryptedDirectories: Set<Int32> = []

    /// `source.read-error` findings listed at most (the rest are in --mapfile-out's mapfile).
    static let readErrorFindingLimit = 100

    init(filesystem: Filesystem, progress: any ProgressReporting, readingEveryInodeTable: Bool = false) {
        self.filesystem = filesystem
        settings = ScanSettings(filesystem)
        scansLazily = filesystem.scansInodesLazily && !readingEveryInodeTable
        self.progress = progress
        let sb = filesystem.superblock
        filesystem.keepBitmapsAsExtentTrees()
        table.prepare(inodesCount: settings.inodesCount, filesystem: filesystem)
        for ino in [sb.journalInode] + sb.quotaInodes + [sb.orphanFileInode] where ino != 0 {
            hiddenInodes.append(ino)
        }
    }

    func add(_ finding: Finding) { findings.append(finding) }

    /// The inode table, handed to a pass that changes it: the run keeps an empty one until the pass
    /// hands it back, so the pass holds the only reference and changes it in place, never a copy.
    func takeTable() -> InodeTable {
        defer { table = InodeTable() }
        return table
    }

    /// Checks for cancellation once 4096 units have passed since the last check (counts that move in
    /// batches included, and a new pass's restart from 0); true when the run must stop.
    @inline(__always)
    func shouldStop(_ done: UInt64, every interval: UInt64 = 4096) -> Bool {
        if done &- lastCheck >= interval {
            lastCheck = done
            progress.update(done: done)
            if progress.cancellationRequested { cancelled = true }
        }
        return cancelled
    }

    /// Runs `body` as `pass`, timing it and reporting its start and end.
    func pass(_ pass: ScanPass, units: UInt64, _ body: () -> UInt64) {
        guard !cancelled else { return }
        let index = pass.rawValue, name = pass.name
        progress.beginPass(index, units: units)
        let start = DispatchTime.now().uptimeNanoseconds
        let done = body()
        let seconds = Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9
        timings.append(PassTiming(name: name, seconds: seconds, units: done))
        if !cancelled {
            // A pass that ran to its end did all its work, whatever its declared units estimated.
            progress.update(done: max(done, units))
            progress.endPass(index)
        }
    }
}
