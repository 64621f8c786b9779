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

/// Mutable state shared by passes 1–5 of one scan. Passes live in extensions, one file each.
/// Single-threaded: the libext2fs handle is not thread-safe. The stored properties opt out of
/// runtime exclusivity checks: they were a fifth of a scan's instructions (`swift_beginAccess` on
/// every `table`/`claimed` access in the per-inode and per-entry loops), and one thread with no
/// overlapping `inout` accesses cannot conflict.
final class ScanRun {
    let filesystem: Filesystem
    let progress: any ProgressReporting

    let blockSize: UInt32
    let blocksCount: UInt64
    let firstDataBlock: UInt64
    /// The inodes the scan covers: `s_inodes_count`, but no more than the groups' inode tables hold.
    /// A damaged superblock (opened with `EXT2_FLAG_IGNORE_SB_ERRORS`) may claim billions on a
    /// one-group filesystem, and the scan sizes its per-inode bitmap by this number.
    let inodesCount: UInt32
    let firstInode: UInt32
    let inodesPerGroup: UInt32
    let groupCount: UInt32
    /// log2(blocks per cluster): 0 unless bigalloc.
    let clusterBits: UInt64
    let hasFiletype: Bool
    let hasMetadataCsum: Bool
    let hasDirNlink: Bool
    let has64bit: Bool
    let hasEAInode: Bool
    let hasInlineData: Bool
    let hasExtAttr: Bool
    let hasEncrypt: Bool
    /// libext2fs already verifies inode checksums in the inode scan unless the open had to ignore them.
    let verifiesInodeChecksums: Bool

    @exclusivity(unchecked) var findings: [Finding] = []
    @exclusivity(unchecked) var table = InodeTable()
    @exclusivity(unchecked) var counts = ScanCounts()
    @exclusivity(unchecked) var timings: [PassTiming] = []
    @exclusivity(unchecked) var cancelled = false
    /// Units done at the last cancellation check.
    private var lastCheck: UInt64 = 0

    /// Clusters holding filesystem metadata (superblocks, descriptors, bitmaps, inode tables).
    @exclusivity(unchecked) var metadata: BitSet
    /// Clusters claimed by inodes (data, mapping blocks, xattr blocks).
    @exclusivity(unchecked) var claimed: BitSet
    /// Clusters claimed twice (by two inodes, or by an inode and metadata).
    @exclusivity(unchecked) var multiplyClaimed: BitSet
    @exclusivity(unchecked) var hasMultiplyClaimed = false
    /// The last cluster claimed, and by whom (bigalloc: a file's blocks share clusters).
    @exclusivity(unchecked) var lastClaim: (UInt32, UInt64) = (0, 0)

    @exclusivity(unchecked) var directoryBlocks: [DirectoryBlockRef] = []
    @exclusivity(unchecked) var inlineDirectories: [Int32] = []
    /// Inodes on the orphan list or in the orphan file, with how they are recorded.
    @exclusivity(unchecked) var orphanMembers: [UInt32: OrphanKind] = [:]
    /// Journal, quota, orphan-file inodes: live but named by no directory (a handful: an array is fastest).
    @exclusivity(unchecked) var hiddenInodes: [UInt32] = []
    @exclusivity(unchecked) var deleted: [DeletedInode] = []
    /// Name evidence from every source (``NameEvidenceLog``).
    @exclusivity(unchecked) var evidence = NameEvidenceLog()
    @exclusivity(unchecked) var sharedBlocks: [SharedBlocks] = []
    @exclusivity(unchecked) var orphans: [Orphan] = []
    /// Lost directories found by pass 2B; pass 4 turns them into ``lostDirectories``.
    @exclusivity(unchecked) var lostDrafts: [LostDirectoryDraft] = []
    @exclusivity(unchecked) var lostDirectories: [LostDirectory] = []
    /// The paths of ``orphans`` and ``lostDirectories``, resolved at the end of pass 4.
    var recoveredPaths = RecoveredPaths()
    @exclusivity(unchecked) var connectivity = Connectivity(state: [])
    @exclusivity(unchecked) var htree = HtreeState()
    /// Extended attribute blocks: inodes using each, and the first of them.
    /// Slow symlinks whose target block pass 2 reads first.
    @exclusivity(unchecked) var slowSymlinks: [PendingSymlink] = []
    @exclusivity(unchecked) var xattrBlocks: [UInt64: (users: UInt32, first: UInt32)] = [:]
    /// Each group's first inode its descriptor called never used, kept when a full scan clears the marks.
    @exclusivity(unchecked) var unusedMarks: [UInt64] = []
    /// Whether pass 1 skips what the group descriptors call unused (``Filesystem/scansInodesLazily``),
    /// until evidence says the marks are stale: an orphan past one (decided before pass 1), or a
    /// directory entry past one (``namesSkippedInodes``, and the scan starts again reading every table).
    @exclusivity(unchecked) var scansLazily: Bool
    /// Inodes whose inode-table block the disk never gave (a ddrescue mapfile), sorted: unknown, not free.
    @exclusivity(unchecked) var unreadInodes = UnreadInodeRanges()
    /// Some file's indirect block or extent node could not be read: the blocks it maps are in use
    /// but found by no walk, so pass 5 cannot call such blocks ownerless.
    @exclusivity(unchecked) var mappingBlocksUnread = false
    /// Pass 1 could not read part of an inode table (a read error): when the failing blocks are known,
    /// the scan starts again with them skipped, so the rest of each table is read.
    @exclusivity(unchecked) var inodeTableReadFailed = false
    /// Pass 2 met an entry naming an inode past its group's unused mark, which a lazy pass 1 never read.
    @exclusivity(unchecked) var namesSkippedInodes = false
    /// Inodes pass 1 found in use with `EXT4_EA_INODE_FL` (attribute values, never files).
    @exclusivity(unchecked) var eaInodes: Set<UInt32> = []
    /// In-inode attribute values stored in an EA inode: which inode holds each, and the value's size.
    @exclusivity(unchecked) var eaValueReferences: [EAValueReference] = []
    /// Usage per quota ID, counted in pass 1 for the quota files to be checked against (nil without quotas).
    @exclusivity(unchecked) var quota: QuotaTally?
    /// The shared_blocks feature: files share blocks on purpose (deduplicated read-only images), and
    /// e2fsck reports no multiply-claimed blocks between them.
    let sharesBlocks: Bool
    /// Bytes per on-disk inode.
    let inodeSize: Int
    /// The project quota file and the orphan file (0 when none): never charged to a quota.
    let projectQuotaInode: UInt32, orphanFileInode: UInt32
    /// Directories with `EXT4_ENCRYPT_FL` (their entries' names are ciphertext, 16 bytes at least).
    @exclusivity(unchecked) var encryptedDirectories: Set<Int32> = []

    /// `source.read-error` findings listed at most (the rest are in --mapfile-out's mapfile).
    static let readErrorFindingLimit = 100

    init(filesystem: Filesystem, progress: any ProgressReporting, readingEveryInodeTable: Bool = false) {
        self.filesystem = filesystem
        scansLazily = filesystem.scansInodesLazily && !readingEveryInodeTable
        self.progress = progress
        let sb = filesystem.superblock, features = filesystem.features
        blockSize = filesystem.blockSize
        blocksCount = filesystem.blocksCount
        firstDataBlock = sb.firstDataBlock
        firstInode = sb.firstInode
        inodesPerGroup = sb.inodesPerGroup
        groupCount = filesystem.groupCount
        inodesCount = filesystem.readableInodesCount
        clusterBits = sb.clusterBits
        hasFiletype = features.contains(.fileType)
        hasMetadataCsum = features.contains(.metadataChecksums)
        hasDirNlink = features.contains(.directoryLinkLimit)
        has64bit = features.contains(.sixtyFourBit)
        hasEAInode = features.contains(.attributeInodes)
        hasInlineData = features.contains(.inlineData)
        hasExtAttr = features.contains(.extendedAttributes)
        hasEncrypt = features.contains(.encryption)
        sharesBlocks = features.contains(.sharedBlocks)
        inodeSize = sb.inodeSize
        projectQuotaInode = sb.projectQuotaInode
        orphanFileInode = sb.orphanFileInode
        quota = QuotaTally(sb, features: features)
        verifiesInodeChecksums = filesystem.verifiesInodeChecksums
        filesystem.keepBitmapsAsExtentTrees()
        table.prepare(inodesCount: inodesCount, filesystem: filesystem)
        let clusters = (blocksCount >> clusterBits) + 1
        metadata = BitSet(count: clusters)
        claimed = BitSet(count: clusters)
        multiplyClaimed = BitSet(count: clusters)
        for ino in [sb.journalInode] + sb.quotaInodes + [sb.orphanFileInode] where ino != 0 {
            hiddenInodes.append(ino)
        }
    }

    func cluster(_ block: UInt64) -> UInt64 { block >> clusterBits }

    func add(_ finding: Finding) { findings.append(finding) }

    /// Reads `count` blocks from `block` into `buffer` (``Filesystem/readBlocks(_:count:into:)``); nil when read.
    func read(_ block: UInt64, count: Int = 1, into buffer: UnsafeMutableRawPointer) -> Ext2Error? {
        filesystem.readBlocks(BlockNumber(block), count: count, into: buffer)
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
