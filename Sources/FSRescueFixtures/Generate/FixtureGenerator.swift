// `fixture create`: a new image holding a seeded tree, and its ground truth.
internal import CFSRescueExt2fs
import FSRescue
#if canImport(Glibc)
import Glibc
#endif

/// A fixture on disk: the image, its truth file, and the truth itself.
public struct FixtureImage: Sendable {
    public let imagePath: String
    public let truthPath: String
    /// The truth; its `entries` are empty when created with `keepingEntries: false` (the truth file
    /// has them all).
    public let truth: FixtureTruth
    /// Entries by type (`file`, `dir`, `symlink`, ...), kept or not.
    public let counts: [String: Int]
}

/// Creates fixture images.
public enum FixtureGenerator {
    /// Creates `imagePath` (refusing an existing file unless `replace`) holding the tree `spec`
    /// describes, and writes its truth to `truthPath` (default `IMG.truth.json`).
    ///
    /// Steps: the tree is planned in memory (``TreePlanner``); the image file is created
    /// (`O_EXCL`) and formatted by mke2fs with pinned inputs (``Formatter``); libext2fs opens it
    /// read-write (`ext2fs_open2`, `ext2fs_read_bitmaps`) and the tree is written into it
    /// (``TreeWriter``); `ext2fs_close2` writes the metadata once. On failure the half-made image
    /// is deleted. The truth is written as it is walked; `keepingEntries: false` keeps none of its
    /// entries in memory (a 5M-file fixture's entries are gigabytes).
    public static func create(_ spec: FixtureSpec, imagePath: String, truthPath: String? = nil,
                              replace: Bool = false, keepingEntries: Bool = true) throws(FSRescueError) -> FixtureImage {
        try spec.validate()
        let plan = TreePlanner(spec: spec).plan()
        let sizing = Sizing(spec: spec, plan: plan)
        let size = spec.sizeBytes ?? sizing.imageBytes
        let truthPath = truthPath ?? FixtureTruth.defaultPath(for: imagePath)
        let time = TreePlanner.baseTime(seed: spec.seed)
        let uuid = uuidString(seed: spec.seed)
        let image = try CreatedImageFile.create(imagePath, size: size, replace: replace)
        do throws(FSRescueError) {
            try Formatter.format(image, type: spec.type, blockSize: spec.blockSize, inodes: sizing.inodes, uuid: uuid, time: time)
            let wfs = try WritableFilesystem(image)
            wfs.setNow(time)
            guard UInt64(wfs.fs.pointee.super.pointee.s_inodes_count) >= UInt64(plan.inodes.count) + 11 else {
                throw FSRescueError(.usage, "--size \(ByteSize(bytes: size)) leaves room for \(wfs.fs.pointee.super.pointee.s_inodes_count) inodes but the tree needs \(plan.inodes.count + 11); omit --size or give a larger one.")
            }
            let lostFound = try wfs.mappedBlocks(TreePlanner.lostFoundInode)
            let oldRoot = try wfs.mappedBlocks(TreePlanner.rootInode)
            for e in oldRoot.extents { ext2fs_block_alloc_stats_range(wfs.fs, e.physical, UInt32(e.length), -1) }
            var writer = TreeWriter(wfs)
            try writer.reserve(plan.inodes)
            let written = try writer.write(plan.inodes) { plan[$0]?.fileType ?? 2 }
            let facts = wfs.facts(type: spec.type, uuid: uuid, createdAt: time, imageBytes: size)
            let lf = lostFoundEntry(lostFound.raw, extents: lostFound.extents, blockSize: UInt64(wfs.blockSize))
            try wfs.close()
            let builder = TruthBuilder(plan: plan, written: written, blockSize: UInt64(spec.blockSize), external: [TreePlanner.lostFoundInode: lf])
            var resolved = spec
            resolved.sizeBytes = size
            resolved.dirs = spec.resolvedDirs
            // The truth goes to disk as the walk meets each entry; only a caller that asks keeps them.
            var file = try TruthFileWriter(path: truthPath)
            var entries: [FixtureTruth.Entry] = []
            try builder.forEachEntry { (e) throws(FSRescueError) in
                try file.append(e)
                if keepingEntries { entries.append(e) }
            }
            try file.finish(filesystem: facts, spec: resolved)
            let truth = FixtureTruth(spec: resolved, filesystem: facts, entries: entries, hardLinks: file.hardLinks)
            return FixtureImage(imagePath: imagePath, truthPath: truthPath, truth: truth, counts: file.counts)
        } catch {
            unlink(imagePath)
            throw error
        }
    }

    /// A version-4-shaped UUID drawn from the seed (used as the hash seed too).
    static func uuidString(seed: UInt64) -> String {
        var rng = SeededRandom(seed: seed, label: "uuid")
        var bytes = (0..<16).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        bytes[6] = bytes[6] & 0x0F | 0x40
        bytes[8] = bytes[8] & 0x3F | 0x80
        let hex = NameText.hex(bytes)
        let parts = [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { r in
            String(hex[hex.index(hex.startIndex, offsetBy: r.lowerBound)..<hex.index(hex.startIndex, offsetBy: r.upperBound)])
        }
        return parts.joined(separator: "-")
    }

    private static func lostFoundEntry(_ raw: [UInt8], extents: [MappedExtent], blockSize: UInt64) -> FixtureTruth.Entry {
        raw.withUnsafeBytes { p in
            FixtureTruth.Entry(path: "/lost+found", name: "lost+found", parentInode: TreePlanner.rootInode, inode: TreePlanner.lostFoundInode,
                               type: "dir", size: UInt64(p.load(fromByteOffset: 4, as: UInt32.self)),
                               mode: UInt32(p.load(fromByteOffset: 0, as: UInt16.self)), uid: 0, gid: 0,
                               links: p.load(fromByteOffset: 26, as: UInt16.self), mtime: p.load(fromByteOffset: 16, as: UInt32.self),
                               extents: extents.map { [$0.logical, $0.physical, $0.length] })
        }
    }
}
