// The state of one `fixture corrupt` run: what was touched, and the effects fate analysis needs.
import FSRescue

/// Applies kinds one after the other and remembers their effects.
struct CorruptionContext {
    var truth: FixtureTruth
    var index: TruthIndex
    let seed: UInt64
    let count: Int
    var applied: [AppliedCorruption] = []
    /// Inodes and blocks some kind already targeted; later kinds avoid them.
    var touchedInodes: Set<UInt32> = []
    var touchedBlocks: Set<UInt64> = []
    var effects = Effects()

    /// What the kinds did, in the terms fate analysis reasons about.
    struct Effects {
        /// Entries no longer live: (directory, inode, name) → where the name now lies.
        var removed: [NameKey: NameLocation] = [:]
        /// Entries added by a kind (directory-loop, hostile-names).
        var added: [NameLocation] = []
        /// Inodes whose on-disk inode is gone, with why.
        var destroyedInodes: [UInt32: String] = [:]
        /// Blocks whose bytes are gone (noise, truncation), with why.
        var lostBlocks: [UInt64: String] = [:]
        /// Image blocks at and beyond this one are missing.
        var truncatedAtBlock: UInt64?
        /// Inodes whose block pointers now name other data.
        var reassigned: [UInt32: String] = [:]
        /// Why each inode was a direct target.
        var reasons: [UInt32: [String]] = [:]
        var superblockZeroed = false
    }

    struct NameKey: Hashable {
        var dir: UInt32
        var inode: UInt32
        var name: [UInt8]
    }

    init(truth: FixtureTruth, seed: UInt64, count: Int, hashing: DirectoryHashing? = nil) {
        self.truth = truth
        self.index = TruthIndex(truth)
        index.hashing = hashing
        self.seed = seed
        self.count = count
    }

    /// The PRNG for one kind: independent of which other kinds run.
    func random(_ kind: CorruptionKind) -> SeededRandom { SeededRandom(seed: seed, label: "corrupt/" + kind.rawValue) }

    mutating func note(_ ino: UInt32, _ reason: String) {
        effects.reasons[ino, default: []].append(reason)
        touchedInodes.insert(ino)
    }

    mutating func record(_ c: AppliedCorruption) {
        applied.append(c)
        touchedBlocks.formUnion(c.blocks)
    }

    /// Picks up to `n` items in a seeded order, skipping what `accept` refuses.
    static func choose<T>(_ items: [T], _ n: Int, _ rng: inout SeededRandom, accept: (T) -> Bool) -> [T] {
        var pool = items
        var out: [T] = []
        while out.count < n && !pool.isEmpty {
            let item = pool.remove(at: Int(rng.below(UInt64(pool.count))))
            if accept(item) { out.append(item) }
        }
        return out
    }

    /// Draws candidates until `accept` takes one (at most 1000 tries).
    static func draw<T>(_ rng: inout SeededRandom, _ make: (inout SeededRandom) -> T, _ accept: (T) -> Bool) -> T? {
        for _ in 0..<1000 {
            let candidate = make(&rng)
            if accept(candidate) { return candidate }
        }
        return nil
    }

    mutating func apply(_ kind: CorruptionKind, wfs: WritableFilesystem) throws(FSRescueError) {
        var rng = random(kind)
        switch kind {
        case .hostileNames: try hostileNames(wfs, &rng)
        case .unlinkFile: try unlinkFiles(wfs, &rng)
        case .unlinkDir: try unlinkDirs(wfs, &rng)
        case .orphanList: try orphanList(wfs, &rng)
        case .directoryLoop: try directoryLoop(wfs, &rng)
        case .clearInode: try clearInodes(wfs, &rng)
        case .linkCount: try linkCounts(wfs, &rng)
        case .duplicateBlocks: try duplicateBlocks(wfs, &rng)
        case .bitmapFlip: try bitmapFlip(wfs, &rng)
        case .dirBlockNoise, .inodeTableNoise, .zeroSuperblock, .truncate: break
        }
    }

    mutating func applyRaw(_ kind: CorruptionKind, image: CreatedImageFile) throws(FSRescueError) {
        var rng = random(kind)
        let file = try RawImage(image)
        switch kind {
        case .dirBlockNoise: try dirBlockNoise(file, &rng)
        case .inodeTableNoise: try inodeTableNoise(file, &rng)
        case .zeroSuperblock: try zeroSuperblock(file)
        case .truncate: try truncateImage(file, &rng)
        default: break
        }
    }

    /// Thrown when an image offers no target for a kind.
    func noTarget(_ kind: CorruptionKind, _ what: String) -> FSRescueError {
        FSRescueError(.usage, "\(kind) found no \(what) in this image; create it with more --files and --dirs, or drop --kind \(kind).")
    }

    func finish() -> FixtureTruth {
        var out = truth
        out.corruptions += applied
        out.recoverable = FateAnalysis(context: self).recoverable()
        return out
    }
}
