// What salvage is asked to write: the attached tree and the orphans, each with its best name.

/// The input of a salvage run, built from a scan: the live entries of every directory, and the
/// orphans to place under `lost+found/` with the best name the evidence supports.
public struct SalvagePlan {
    /// A live directory entry.
    public struct Entry: Sendable, Equatable {
        /// The entry's name bytes as on disk.
        public let name: [UInt8]
        /// The inode it names.
        public let inode: UInt32
        /// An entry naming `inode`.
        public init(name: [UInt8], inode: UInt32) {
            self.name = name
            self.inode = inode
        }
    }

    /// An inode nothing attached names, to be saved under `lost+found/`.
    public struct Orphan: Sendable, Equatable {
        /// The orphaned inode.
        public let inode: UInt32
        /// `unattached`, `disconnected-dir`, `orphan-list`, `orphan-file`, … as the scan names it.
        public let kind: String
        /// A recovered name, or nil for `#<inode>`.
        public let name: [UInt8]?
        /// Where ``name`` came from (``NameSource/none`` without one).
        public let nameSource: NameSource
        /// How sure ``name`` is, 0…1.
        public let confidence: Double
        /// The recovered directories above it, top first (`#<inode>` for unnamed ones): it is
        /// written at `lost+found/<directories>/<name>`. Empty: directly in `lost+found/`.
        public let directories: [[UInt8]]
        /// The directory path is the original one from the root, every component named, so the
        /// orphan may go back to its original place under `root/` (``OrphanPlacement/original``).
        public let originalPlaceKnown: Bool
        /// The directory that held it, when known.
        public let parent: UInt32?
        /// An orphan to save, with the name the evidence supports (nil: `#<inode>`) and where it goes.
        public init(inode: UInt32, kind: String, name: [UInt8]? = nil, nameSource: NameSource = .none, confidence: Double = 0,
                    directories: [[UInt8]] = [], originalPlaceKnown: Bool = false, parent: UInt32? = nil) {
            self.inode = inode
            self.kind = kind
            self.name = name
            self.nameSource = nameSource
            self.confidence = confidence
            self.directories = directories
            self.originalPlaceKnown = originalPlaceKnown
            self.parent = parent
        }
    }

    /// Items chosen by the user (extract): each is written directly under the output root with its
    /// subtree, and nothing else is written. Empty for a whole salvage.
    public struct Selection: Sendable, Equatable {
        /// The inode selected.
        public let inode: UInt32
        /// The name to write it under (the last path component, or `#<inode>`).
        public let name: [UInt8]
        /// The path inside the image, when selected by path.
        public let imagePath: String?
        /// A selection of `inode`, written as `name`.
        public init(inode: UInt32, name: [UInt8], imagePath: String?) {
            self.inode = inode
            self.name = name
            self.imagePath = imagePath
        }
    }

    /// Items chosen for extract (see ``Selection``); empty for a whole salvage.
    public var selections: [Selection] = []

    /// Live entries of each directory inode, in on-disk order, without `.` and `..`.
    public var children: [UInt32: [Entry]]
    /// Orphans to save under `lost+found/`, with their names.
    public var orphans: [Orphan]
    /// Finding codes touching each inode, copied into the manifest.
    public var findings: [UInt32: [String]]
    /// Blocks claimed by more than one inode: their content is written but marked doubtful.
    public var sharedBlocks: Set<UInt64>
    /// Inodes whose table slot the scan found to be noise (checksums failing across their block):
    /// entries naming them are recorded as skipped, never copied from fields that mean nothing.
    public var garbage: Set<UInt32> = []
    /// Inodes to save under `lost+found/` at the end if nothing else wrote them (the sweep): every
    /// in-use file, symlink and directory the scan saw, so an entry the directory walk could not read
    /// is never lost. ``sweepName`` gives each its best name.
    public var sweep: [UInt32] = []
    /// The best name for a swept inode, or nil for `#<inode>`.
    public var sweepName: ((UInt32) -> (name: [UInt8], source: NameSource, confidence: Double)?)?

    /// Lists directories that ``children`` does not hold (extract uses the filesystem itself).
    public var lister: (any DirectoryLister)?
    /// Files the journal's history brings back (`salvage --deleted`), written under `DIR/deleted/`.
    public var history: [HistoricalFile] = []

    /// The plan of the attached tree alone, listed through `lister` (for example the ``Filesystem``).
    public static func attachedTree(listedBy lister: any DirectoryLister) -> SalvagePlan {
        var plan = SalvagePlan()
        plan.lister = lister
        return plan
    }

    /// The entries of `directory`: from ``children`` when present, else from ``lister``.
    public func entries(of directory: UInt32) -> [Entry] {
        children[directory] ?? lister?.entries(of: directory) ?? []
    }

    /// A plan from explicit parts; ``init(report:filesystem:orphansOnly:)`` builds one from a scan.
    public init(children: [UInt32: [Entry]] = [:], orphans: [Orphan] = [], findings: [UInt32: [String]] = [:],
                sharedBlocks: Set<UInt64> = []) {
        self.children = children
        self.orphans = orphans
        self.findings = findings
        self.sharedBlocks = sharedBlocks
    }
}

/// Where salvage writes orphans whose original path was recovered.
public enum OrphanPlacement: String, Sendable, CaseIterable {
    /// Always under `lost+found/`, at `lost+found/<recovered path>` (the default: the attached tree
    /// under `root/` stays exactly what the filesystem holds).
    case lostFound = "lost-found"
    /// At the original path under `root/` when every directory above is named and reaches the root
    /// and no live entry there has the same name; under `lost+found/` otherwise.
    case original
}

/// How a salvage run behaves.
public struct SalvageOptions: Sendable {
    /// Save only the orphans (`lost+found/`), not the attached tree.
    public var orphansOnly = false
    /// Where orphans with a recovered original path go.
    public var orphansAt = OrphanPlacement.lostFound
    /// Restore owners (honoured only when running as root).
    public var preserveOwner = false
    /// Stop writing data beyond this many bytes.
    public var maxOutputBytes: UInt64?
    /// Directories nested deeper than this are not descended into (recorded as skipped).
    public var maxDepth = 512
    /// Copy file data (read, hash, write) on a second thread while the main thread walks the plan, when
    /// the machine has more than one core. The output and the manifest are the same either way.
    public var parallelCopy = true
    /// The copy thread's backlog (items) above which the main thread copies small files itself
    /// (``CopyPipeline``); nil: half the queue. Tests set 0 to make the main thread share every file.
    var shareCopyingAbove: Int?
    /// The defaults: everything, no owners, no limit.
    public init() {}
}

/// The counts of a salvage run.
public struct SalvageSummary: Sendable, Codable {
    /// Items written or recorded (the manifest's item lines in this run).
    public var items = 0
    /// Items written in full.
    public var complete = 0
    /// Items written with unreadable ranges left as holes.
    public var partial = 0
    /// Items not written (their manifest line says why).
    public var skipped = 0
    /// Items already complete from an earlier run into the same folder, left as they were.
    public var resumed = 0
    /// Data bytes written.
    public var bytesWritten: UInt64 = 0
    /// Orphans saved under `lost+found/`.
    public var orphans = 0
    /// Device nodes, FIFOs and sockets: recorded in the manifest, never created (not problems).
    public var specials = 0
    /// Inodes saved by the sweep: in use, but not reached by the directory walk.
    public var swept = 0
    /// False when the run stopped early (cancelled, or the output limit was reached).
    public var completed = true
    /// Why the run stopped early (`cancelled`, or the output limit), when it did.
    public var stopReason: String?
}
