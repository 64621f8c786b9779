// What `fsrescue scan` produces: verdict, findings, orphans, name evidence, timings, and the inode model.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Clean or damaged: damaged as soon as one finding of warning or error severity was made.
public enum Verdict: String, Sendable, Codable {
    case clean, damaged
}

/// Why an inode is an orphan. e2fsck treats these differently (it deletes orphan-list inodes
/// before pass 1 and reconnects the others to lost+found), so salvage must tell them apart.
public enum OrphanKind: String, Sendable, Codable, CaseIterable {
    /// In use, named by no directory entry.
    case unattached
    /// The top directory of a subtree no entry reaches from the root (its contents keep their names).
    case disconnectedDirectory = "disconnected-dir"
    /// On the `s_last_orphan` chain (linked through `i_dtime`).
    case orphanList = "orphan-list"
    /// Recorded in the orphan file (`orphan_file` feature).
    case orphanFile = "orphan-file"
}

/// A directory entry (live or stale) that may name an inode, with where it was found.
public struct NameEvidence: Sendable, Equatable, Codable {
    /// The inode the entry points at.
    public let inode: UInt32
    /// Name bytes exactly as on disk (empty for `dotdot` evidence).
    public let name: [UInt8]
    /// The entry's `EXT2_FT_*` file type byte (0 when unknown).
    public let fileType: UInt8
    /// The directory whose block holds the entry (for `dotdot`: the parent named).
    public let directory: UInt32
    /// Physical block holding the entry (0 for inline directories).
    public let block: UInt64
    /// Byte offset of the entry in the block.
    public let offset: UInt32
    /// Where the entry was found: a live entry, directory slack, a lost directory's `..`, an ownerless block or the journal.
    public let source: NameSource
    /// The file type agrees with the inode's mode.
    public let typeMatches: Bool
    /// How recent the evidence is, to break ties between equally sure candidates: the holding
    /// directory's mtime (0 when unknown, as for a lost directory).
    public internal(set) var recency: UInt32 = 0
    /// For `ownerless-block`: the block was tied to its directory by position (it follows that
    /// directory's first block on disk), not by a `.` entry of its own.
    public internal(set) var inferredDirectory = false
}

extension NameEvidence {
    /// How sure this evidence makes a name, 0…1: a live entry 1; an ownerless directory block 0.8
    /// (0.7 when the block was tied to its directory by position only); a stale slack entry whose
    /// file type agrees with the inode 0.7; a journal copy 0.6; `..` 0.5 (it names the parent, not
    /// the entry); a slack or ownerless entry whose file type disagrees 0.3; no evidence 0.
    public var confidence: Double {
        switch source {
        case .directory: 1
        case .ownerlessBlock: typeMatches ? (inferredDirectory ? 0.7 : 0.8) : 0.3
        case .slack: typeMatches ? 0.7 : 0.3
        case .journal: 0.6
        case .dotdot: 0.5
        case .none: 0
        }
    }
}

/// An inode that salvage must place in lost+found (or save before a repair deletes it).
public struct Orphan: Sendable, Equatable, Codable {
    /// The orphaned inode.
    public let inode: UInt32
    /// Why nothing attached names it.
    public let kind: OrphanKind
    /// Its type, from `i_mode`.
    public let type: FileType
    /// `i_size` in bytes.
    public let size: UInt64
    /// `i_links_count` as on disk (0 for orphan-list inodes).
    public let linksCount: UInt16
    /// For a disconnected directory: inodes in its subtree (itself included).
    public let subtreeInodes: Int?
    /// Candidate names, best first.
    public let nameEvidence: [NameEvidence]
    /// Holds data worth recovering (non-empty, or a directory with contents).
    public let worthSalvaging: Bool
}

/// A deleted inode (dtime set, no links) whose block pointers or extents survive: its data may be recoverable.
public struct DeletedInode: Sendable, Equatable, Codable {
    /// The deleted inode.
    public let inode: UInt32
    /// Its type, from `i_mode`.
    public let type: FileType
    /// `i_size` in bytes.
    public let size: UInt64
    /// `i_dtime`, seconds since 1970.
    public let dtime: UInt32
    /// Stale entries that named it, best first.
    public let nameEvidence: [NameEvidence]
}

/// How long one pass took and how much it did.
public struct PassTiming: Sendable, Equatable, Codable {
    /// The pass's machine name (`inodes`, `shared-blocks`, `directories`, …).
    public let name: String
    /// Wall-clock seconds the pass took.
    public let seconds: Double
    /// Work units the pass completed (inodes, directory blocks, …).
    public let units: UInt64
}

/// Counts for the report's summary.
public struct ScanCounts: Sendable, Equatable, Codable {
    /// Inodes read from the inode tables (the used part of each group).
    public var inodesScanned: UInt64 = 0
    /// Inodes in use (links or a mode, and no deletion time).
    public var inodesInUse: UInt64 = 0
    /// Directories in use.
    public var directories: UInt64 = 0
    /// Regular files in use.
    public var regularFiles: UInt64 = 0
    /// Directory blocks parsed in pass 2.
    public var directoryBlocks: UInt64 = 0
    /// Live entries found, `.` and `..` excluded.
    public var directoryEntries: UInt64 = 0
    /// Blocks claimed by inodes and metadata.
    public var blocksInUse: UInt64 = 0
    /// Plausible stale entries found in directory slack (name evidence).
    public var staleEntries: UInt64 = 0
    /// All counts zero.
    public init() {}
}

/// Inodes sharing blocks with others (pass 1B), for salvage to mark their content as suspect.
public struct SharedBlocks: Sendable, Equatable, Codable {
    /// An inode that shares blocks.
    public let inode: UInt32
    /// Blocks of this inode that another inode (or metadata) also claims.
    public let blockCount: UInt64
    /// The other inodes involved (0 stands for filesystem metadata), sorted; at most 32 of them.
    public let sharedWith: [UInt32]
}

/// The result of ``Filesystem/scan(progress:)``: everything wrong and everything orphaned, without a byte written.
public struct ScanReport {
    /// The facts `fsrescue info` shows, including the findings met while opening.
    public let info: FilesystemInfo
    /// False when the run was cancelled: later passes did not run and the report is partial.
    public let completed: Bool
    /// Every finding, opening findings first, then by pass.
    public let findings: [Finding]
    /// Every orphan, in inode order, with its name evidence.
    public let orphans: [Orphan]
    /// Deleted inodes whose block maps survive.
    public let deletedInodes: [DeletedInode]
    /// Inodes that claim blocks another inode (or metadata) also claims (pass 1B).
    public let sharedBlocks: [SharedBlocks]
    /// Totals for the summary.
    public let counts: ScanCounts
    /// How long each pass took, in order.
    public let timings: [PassTiming]
    /// Every live inode with its facts, parent and first name.
    public let inodes: InodeTable
    /// Directories whose inode is gone, rebuilt from ownerless blocks (pass 2B).
    public let lostDirectories: [LostDirectory]
    /// The recovered path of every orphan and lost directory, resolved during the scan (pass 4).
    public let recoveredPaths: RecoveredPaths

    /// ``Verdict/damaged`` as soon as one finding is a warning or an error.
    public var verdict: Verdict { findings.contains { $0.severity >= .warning } ? .damaged : .clean }
}
