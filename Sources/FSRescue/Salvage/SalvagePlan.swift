// What salvage is asked to write: the attached tree and the orphans, each with its best name.

/// The input of a salvage run, built from a scan: the live entries of every directory, and the
/// orphans to place under `lost+found/` with the best name the evidence supports.
public struct SalvagePlan: Sendable {
    /// A live directory entry.
    public struct Entry: Sendable, Equatable {
        public let name: [UInt8]
        public let inode: UInt32
        public init(name: [UInt8], inode: UInt32) {
            self.name = name
            self.inode = inode
        }
    }

    /// An inode nothing attached names, to be saved under `lost+found/`.
    public struct Orphan: Sendable, Equatable {
        public let inode: UInt32
        /// `unattached`, `disconnected-dir`, `orphan-list`, `orphan-file`, … as the scan names it.
        public let kind: String
        /// A recovered name, or nil for `#<inode>`.
        public let name: [UInt8]?
        public let nameSource: NameSource
        public let confidence: Double
        public init(inode: UInt32, kind: String, name: [UInt8]? = nil, nameSource: NameSource = .none, confidence: Double = 0) {
            self.inode = inode
            self.kind = kind
            self.name = name
            self.nameSource = nameSource
            self.confidence = confidence
        }
    }

    /// Items chosen by the user (extract): each is written directly under the output root with its
    /// subtree, and nothing else is written. Empty for a whole salvage.
    public struct Selection: Sendable, Equatable {
        public let inode: UInt32
        public let name: [UInt8]
        /// The path inside the image, when selected by path.
        public let imagePath: String?
        public init(inode: UInt32, name: [UInt8], imagePath: String?) {
            self.inode = inode
            self.name = name
            self.imagePath = imagePath
        }
    }

    public var selections: [Selection] = []

    /// Live entries of each directory inode, in on-disk order, without `.` and `..`.
    public var children: [UInt32: [Entry]]
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
    public var sweepName: (@Sendable (UInt32) -> (name: [UInt8], source: NameSource, confidence: Double)?)?

    /// Lists directories that ``children`` does not hold (extract uses the filesystem itself).
    public var lister: (any DirectoryLister)?

    /// The entries of `directory`: from ``children`` when present, else from ``lister``.
    public func entries(of directory: UInt32) -> [Entry] {
        children[directory] ?? lister?.entries(of: directory) ?? []
    }

    public init(children: [UInt32: [Entry]] = [:], orphans: [Orphan] = [], findings: [UInt32: [String]] = [:],
                sharedBlocks: Set<UInt64> = []) {
        self.children = children
        self.orphans = orphans
        self.findings = findings
        self.sharedBlocks = sharedBlocks
    }
}

/// How a salvage run behaves.
public struct SalvageOptions: Sendable {
    /// Save only the orphans (`lost+found/`), not the attached tree.
    public var orphansOnly = false
    /// Restore owners (honoured only when running as root).
    public var preserveOwner = false
    /// Stop writing data beyond this many bytes.
    public var maxOutputBytes: UInt64?
    /// Directories nested deeper than this are not descended into (recorded as skipped).
    public var maxDepth = 512
    public init() {}
}

/// The counts of a salvage run.
public struct SalvageSummary: Sendable, Codable {
    public var items = 0
    public var complete = 0
    public var partial = 0
    public var skipped = 0
    /// Items already complete from an earlier run into the same folder, left as they were.
    public var resumed = 0
    public var bytesWritten: UInt64 = 0
    public var orphans = 0
    /// Device nodes, FIFOs and sockets: recorded in the manifest, never created (not problems).
    public var specials = 0
    /// Inodes saved by the sweep: in use, but not reached by the directory walk.
    public var swept = 0
    /// False when the run stopped early (cancelled, or the output limit was reached).
    public var completed = true
    public var stopReason: String?
}
