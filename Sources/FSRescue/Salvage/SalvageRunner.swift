// Writing a salvage plan into the output sandbox: the attached tree under root/, orphans under lost+found/.
#if canImport(Glibc)
import Glibc
#endif

/// Runs one salvage: every item of a ``SalvagePlan`` written through the ``OutputSandbox``, one
/// manifest line each. Per-item failures are recorded and the run goes on; only a full output or the
/// output limit (nothing later could be written either) and cancellation stop it early.
public final class SalvageRunner {
    let fs: Filesystem
    let plan: SalvagePlan
    private let options: SalvageOptions
    let progress: any ProgressReporting
    /// The output sandbox the run writes into.
    public let sandbox: OutputSandbox
    let manifest: Manifest
    /// Copies file data and appends manifest lines, on a second thread when there is a second core.
    let pipeline: CopyPipeline
    /// Reads symlink targets on the main thread (the pipeline's copier may be busy on the copy thread),
    /// and copies the small files the main thread takes over when the copy thread is behind.
    let mainCopier: ContentCopier
    var summary = SalvageSummary()
    private var visitedDirectories: BitSet
    /// One bit per inode: written (or recorded) in this run.
    private var visited: BitSet
    private var firstLinks: [UInt32: FirstLink] = [:]
    /// Every regular file's inode written so far.
    /// Work units reported to the progress engine so far (the copy thread's bytes included).
    public var unitsDone: UInt64 { copyProgress.done }
    let copyProgress: CopyProgress
    /// Output files and symlinks this run made in folders that may be open twice (see ``mayReplace``).
    var madeHere: Set<String> = []

    /// Work units charged per item on top of its bytes, so many small files are not "free" to the ETA.
    /// Measured (bench/eta-bench.sh, 2 cores): an item costs about 100 µs (create, open, hash,
    /// manifest line), a byte 1–2.5 ns (read, hash, write; warm to cold): an item is worth about 64 KiB.
    /// At 16 KiB the rate in units per second changed with the mix of directories and data, and the
    /// salvage ETA of a many-directories image overshot by 80%.
    public static let unitsPerItem: UInt64 = 64 << 10
    /// The first written name of a hard-linked inode. Its folder is kept as a path from the output root
    /// and reopened component by component (`openat` with `O_NOFOLLOW`) when another name needs it, so
    /// no descriptor is held per hard link.
    private struct FirstLink {
        let folder: String
        let name: String
        /// Its outcome when known here (kept from an earlier run); else the copy thread has it.
        let outcome: LinkOutcome?
        /// Its path from the output root.
        var path: String { folder.isEmpty ? name : folder + "/" + name }
    }

    private enum Work {
        case entry(parent: OutputDirectory, name: [UInt8], inode: UInt32, imagePath: String?, depth: Int,
                   source: NameSource, confidence: Double)
        case finish(OutputDirectory, InodeRecord)
    }

    /// Opens the output folder `output` (created if needed) after checking it is safe to write:
    /// not on the filesystem being read, empty or holding an earlier run's manifest, with room enough.
    public init(filesystem: Filesystem, plan: SalvagePlan, output: String, options: SalvageOptions = SalvageOptions(),
                estimatedBytes: UInt64 = 0, progress: any ProgressReporting = NoProgress()) throws(FSRescueError) {
        fs = filesystem
        self.plan = plan
        self.options = options
        self.progress = progress
        sandbox = try OutputSandbox(root: output, maxOutputBytes: options.maxOutputBytes, preserveOwner: options.preserveOwner)
        try OutputPlacement.checkNotOnSource(sandbox, source: filesystem.source)
        try OutputPlacement.checkEmptyOrResumable(sandbox)
        try OutputPlacement.checkSpace(sandbox, needed: estimatedBytes)
        manifest = try Manifest(in: sandbox.root, image: filesystem.source.path)
        copyProgress = CopyProgress(reporting: progress)
        mainCopier = ContentCopier(fs: filesystem)
        pipeline = CopyPipeline(copier: ContentCopier(fs: filesystem), manifest: manifest, progress: copyProgress,
                                threaded: options.parallelCopy && sysconf(Int32(_SC_NPROCESSORS_ONLN)) > 1,
                                writesBack: sandbox.writesBack,
                                helper: options.maxOutputBytes == nil ? mainCopier : nil, shareAbove: options.shareCopyingAbove)
        // Sized by the inodes the tables hold, not by s_inodes_count (a hostile 2^32 - 1 took 512 MiB).
        visited = BitSet(count: UInt64(filesystem.readableInodesCount) + 1)
        visitedDirectories = BitSet(count: UInt64(filesystem.readableInodesCount) + 1)
    }

    private func isVisited(_ n: UInt32) -> Bool { visited.contains(UInt64(n)) }
    private func markVisited(_ n: UInt32) { visited.insert(UInt64(n)) }

    /// What `plan` will write, found by walking it as ``run()`` will (directory listings and inode
    /// reads, no data): the total for progress and for the free-space check.
    public static func estimate(_ plan: SalvagePlan, filesystem fs: Filesystem, options: SalvageOptions = SalvageOptions())
        -> SalvageEstimate
    {
        var estimate = SalvageEstimate()
        var holes = HoleHashBudget()
        // A number past the tables cannot be read (readInode throws), so the bitmap's limit loses nothing.
        var seen = BitSet(count: UInt64(fs.readableInodesCount) + 1)
        var stack: [(UInt32, Int)] = plan.selections.map { ($0.inode, 1) } + plan.orphans.map { ($0.inode, 1) }
        if plan.selections.isEmpty && !options.orphansOnly { stack.append((Filesystem.rootInode, 0)) }
        // No file holds more data than the image does, whatever its inode and the superblock claim.
        let filesystemBytes = min(fs.sizeBytes, fs.source.sizeBytes)
        while let (number, depth) = stack.popLast() {
            // The root folder is where the tree goes, not an item of it (``run()`` counts no units for it).
            if depth > 0 { estimate.items += 1 }
            guard seen.insert(UInt64(number)), !plan.garbage.contains(number), let inode = try? fs.readInode(number) else { continue }
            switch inode.type {
            case .regular:
                let data = Self.dataBytes(of: inode, filesystemBytes: filesystemBytes)
                estimate.dataBytes = estimate.dataBytes.addingSaturating(data)
                let hole = inode.size - data
                if hole > 0, holes.admit(hole) == nil { estimate.hashedHoleBytes = estimate.hashedHoleBytes.addingSaturating(hole) }
            case .directory where depth <= options.maxDepth:
                for child in plan.entries(of: number) { stack.append((child.inode, depth + 1)) }
            default: break
            }
        }
        return estimate
    }

    /// Writes everything in the plan. Reports units (bytes + ``unitsPerItem`` per item) to `progress`
    /// as the current pass; the caller begins and ends that pass.
    public func run() throws(FSRescueError) -> SalvageSummary {
        var stack: [Work] = []
        for selection in plan.selections.reversed() {
            stack.append(.entry(parent: sandbox.root, name: selection.name, inode: selection.inode,
                                imagePath: selection.imagePath, depth: 1, source: selection.imagePath == nil ? .none : .directory,
                                confidence: selection.imagePath == nil ? 0 : 1))
        }
        if plan.selections.isEmpty && !options.orphansOnly {
            let root = try sandbox.root.makeDirectory(SafeName(Array("root".utf8)), reuse: true)
            if let rootInode = try? fs.readInode(Filesystem.rootInode) {
                visitedDirectories.insert(UInt64(Filesystem.rootInode))
                stack.append(.finish(root, rootInode))
            }
            pushChildren(of: Filesystem.rootInode, into: root, imagePath: "", depth: 1, stack: &stack)
        }
        var lostFound: OutputDirectory?
        for orphan in plan.orphans.reversed() {
            if lostFound == nil { lostFound = try sandbox.root.makeDirectory(SafeName(Array("lost+found".utf8)), reuse: true) }
            let name = orphan.name ?? Array("#\(orphan.inode)".utf8)
            stack.append(.entry(parent: placementDirectory(for: orphan, lostFound: lostFound!), name: name, inode: orphan.inode,
                                imagePath: nil, depth: 1 + orphan.directories.count,
                                source: orphan.name == nil ? .none : orphan.nameSource,
                                confidence: orphan.name == nil ? 0 : orphan.confidence))
        }
        summary.orphans = plan.orphans.count

        var sweepIndex = 0
        while true {
            if stack.isEmpty, summary.completed, sweepIndex < plan.sweep.count {
                sweepNext(&sweepIndex, into: &stack, lostFound: &lostFound)
                continue
            }
            guard let work = stack.popLast() else { break }
            if progress.cancellationRequested {
                summary.completed = false
                summary.stopReason = "cancelled"
                break
            }
            switch work {
            case .finish(let dir, let inode):
                dir.finish(mode: inode.permissions, accessTime: inode.accessTime, modificationTime: inode.modificationTime,
                           owner: (inode.uid, inode.gid))
            case .entry(let parent, let name, let inode, let imagePath, let depth, let source, let confidence):
                do throws(FSRescueError) {
                    try salvage(parent: parent, name: name, number: inode, imagePath: imagePath, depth: depth,
                                source: source, confidence: confidence, stack: &stack)
                } catch where error.code == .outputLimit {
                    summary.completed = false
                    summary.stopReason = error.message
                    stack.removeAll()
                } catch {
                    pipeline.finish()
                    throw error
                }
                if let failure = pipeline.failure {
                    pipeline.finish()
                    guard failure.code == .outputLimit else { throw failure }
                    summary.completed = false
                    summary.stopReason = failure.message
                    stack.removeAll()
                }
                copyProgress.add(Self.unitsPerItem)
            }
        }
        if summary.completed && !plan.history.isEmpty {
            do throws(FSRescueError) { try salvageHistory() } catch where error.code == .outputLimit {
                summary.completed = false
                summary.stopReason = error.message
            } catch {
                pipeline.finish()
                throw error
            }
        }
        // A cancellation while the copy thread finishes the queue stops it there too.
        if pipeline.finish(cancel: { progress.cancellationRequested }), summary.completed {
            summary.completed = false
            summary.stopReason = "cancelled"
        }
        if let failure = pipeline.failure {
            guard failure.code == .outputLimit else { throw failure }
            // Met by the copy thread after the walk had ended.
            if summary.completed {
                summary.completed = false
                summary.stopReason = failure.message
            }
        }
        summary.items += pipeline.counts.items
        summary.complete += pipeline.counts.complete
        summary.partial += pipeline.counts.partial
        summary.skipped += pipeline.counts.skipped
        summary.bytesWritten = sandbox.bytesWritten
        try manifest.close(summary: ["items": summary.items, "complete": summary.complete, "partial": summary.partial,
                                     "skipped": summary.skipped, "resumed": summary.resumed],
                           completed: summary.completed)
        return summary
    }

    /// The output directory an orphan goes in: its recovered directories recreated under
    /// `lost+found/`, or under `root/` when ``OrphanPlacement/original`` applies (original path
    /// fully known, and no live entry of the same name there). A directory that cannot be made
    /// leaves the orphan directly in `lost+found/`.
    private func placementDirectory(for orphan: SalvagePlan.Orphan, lostFound: OutputDirectory) -> OutputDirectory {
        var base = lostFound
        if options.orphansAt == .original, orphan.originalPlaceKnown, let name = orphan.name,
           let parent = orphan.parent, !plan.entries(of: parent).contains(where: { $0.name == name }),
           let root = try? sandbox.root.makeDirectory(SafeName(Array("root".utf8)), reuse: true) {
            base = root
        }
        var dir = base
        for component in orphan.directories {
            guard let next = try? dir.makeDirectory(SafeName(component), reuse: true) else { return lostFound }
            dir = next
        }
        return dir
    }

    /// Whether an existing output entry at `name` in `parent` may be replaced (one left by an
    /// earlier, interrupted run): not when this run made it, even through another handle on the same
    /// folder (orphans' recreated directories are opened once per orphan); the new item then gets a
    /// numbered name.
    func mayReplace(_ name: String, in parent: OutputDirectory) -> Bool {
        madeHere.isEmpty || !madeHere.contains(parent.path(of: name))
    }

    /// Remembers an output path this run made, where several handles may point at one folder:
    /// under `lost+found/`, and anywhere with ``OrphanPlacement/original``.
    func noteMade(_ path: String) {
        if options.orphansAt == .original || path.hasPrefix("lost+found/") || path.hasPrefix("deleted/") { madeHere.insert(path) }
    }

    /// Queues the next swept inode that nothing has written yet.
    private func sweepNext(_ index: inout Int, into stack: inout [Work], lostFound: inout OutputDirectory?) {
        while index < plan.sweep.count {
            let n = plan.sweep[index]
            index += 1
            guard n <= fs.readableInodesCount, !isVisited(n) else { continue }
            if lostFound == nil {
                lostFound = try? sandbox.root.makeDirectory(SafeName(Array("lost+found".utf8)), reuse: true)
            }
            guard let lostFound else { return }
            let named = plan.sweepName?(n)
            summary.swept += 1
            stack.append(.entry(parent: lostFound, name: named?.name ?? Array("#\(n)".utf8), inode: n, imagePath: nil, depth: 1,
                                source: named?.source ?? .none, confidence: named?.confidence ?? 0))
            return
        }
    }

    private func pushChildren(of directory: UInt32, into out: OutputDirectory, imagePath: String?, depth: Int, stack: inout [Work]) {
        for child in plan.entries(of: directory).reversed() {
            let childPath = imagePath.map { $0 + "/" + String(decoding: child.name, as: UTF8.self) }
            stack.append(.entry(parent: out, name: child.name, inode: child.inode, imagePath: childPath, depth: depth,
                                source: .directory, confidence: 1))
        }
    }

    private func salvage(parent: OutputDirectory, name: [UInt8], number: UInt32, imagePath: String?, depth: Int,
                         source: NameSource, confidence: Double, stack: inout [Work]) throws(FSRescueError) {
        let safe = SafeName(name)
        var record = ManifestRecord(path: parent.path(of: safe.name), inode: number, type: .unknown, size: 0,
                                    status: .skipped, nameBytes: name, nameSource: source, confidence: confidence)
        record.imagePath = imagePath.map { $0.isEmpty ? "/" : $0 }
        let seenBefore = number <= fs.readableInodesCount && isVisited(number)
        if number <= fs.readableInodesCount { markVisited(number) }
        record.findings = plan.findings[number] ?? []
        if plan.garbage.contains(number) {
            record.skippedReason = "the inode is noise (its inode-table block fails its checksums): nothing trustworthy to copy"
            return finish(record)
        }
        let inode: InodeRecord
        do throws(Ext2Error) { inode = try fs.readInode(number) } catch {
            record.skippedReason = "inode unreadable: \(error.message)"
            return finish(record)
        }
        record.type = inode.type
        record.size = inode.size
        record.mode = inode.permissions
        record.uid = inode.uid
        record.gid = inode.gid
        record.mtime = inode.modificationTime
        do throws(FSRescueError) {
            switch inode.type {
            case .directory:
                try salvageDirectory(inode, parent: parent, safe: safe, imagePath: imagePath, depth: depth, record: &record, stack: &stack)
            case .regular:
                if try resumed(record, inode: inode, parent: parent, safe: safe) { return }
                // Named again but not linkable (i_links_count 1, or too many link folders): a crafted image
                // that names one big file thousands of times must not have it copied thousands of times.
                if seenBefore && firstLinks[number] == nil {
                    record.skippedReason = "inode \(number) is already saved under another name"
                } else if try salvageFile(inode, parent: parent, safe: safe, record: &record) {
                    return
                }
            case .symlink:
                try salvageSymlink(inode, parent: parent, safe: safe, record: &record)
            default:
                record.skippedReason = "\(inode.type.rawValue): recorded, never created"
                summary.specials += 1
            }
        } catch where error.code == .outputLimit {
            record.status = .skipped
            record.skippedReason = error.message
            finish(record)
            throw error
        } catch {
            record.status = .skipped
            record.skippedReason = error.message
        }
        finish(record)
    }

    private func salvageDirectory(_ inode: InodeRecord, parent: OutputDirectory, safe: SafeName, imagePath: String?, depth: Int,
                                  record: inout ManifestRecord, stack: inout [Work]) throws(FSRescueError) {
        if depth > options.maxDepth {
            record.skippedReason = "nested deeper than \(options.maxDepth) directories"
            return
        }
        if !visitedDirectories.insert(UInt64(inode.number)) {
            record.skippedReason = "directory already saved (a directory loop or a second link to it)"
            return
        }
        let dir = try parent.makeDirectory(safe, reuse: true)
        record.path = dir.relativePath
        record.status = .complete
        stack.append(.finish(dir, inode))
        pushChildren(of: inode.number, into: dir, imagePath: imagePath, depth: depth + 1, stack: &stack)
    }

    /// An item an earlier run into this folder completed: left as it is, not recorded again, when the
    /// output file is still there at the length recorded (a power cut can leave a file empty or short
    /// after its manifest line reached the disk; it is copied again).
    /// A hard-linked file kept this way is still the first link: its other names are linked to it again.
    private func resumed(_ record: ManifestRecord, inode: InodeRecord, parent: OutputDirectory, safe: SafeName) throws(FSRescueError) -> Bool {
        guard let previous = manifest.previous[record.path], previous.status == .complete,
              previous.inode == record.inode, previous.size == record.size, previous.hardLinkTo == nil,
              parent.regularFileSize(safe.name) == record.size else { return false }
        parent.keep(safe.name)
        if inode.linksCount > 1 { rememberFirstLink(inode.number, parent: parent, record: previous) }
        summary.resumed += 1
        summary.items += 1
        summary.complete += 1
        // As the copy would have counted it: data, and holes only if they were hashed.
        copyProgress.add(previous.sha256 == nil ? Self.dataBytes(of: inode, filesystemBytes: fs.sizeBytes) : record.size)
        return true
    }

    /// The bytes a copy of a regular file reads, as ``estimate`` counts them: its size, but no more
    /// than its blocks hold (the rest is holes) nor than the filesystem has, whatever a damaged
    /// inode claims.
    private static func dataBytes(of inode: InodeRecord, filesystemBytes: UInt64) -> UInt64 {
        min(inode.size, inode.blockCount.multipliedSaturating(by: 512), filesystemBytes)
    }

    /// Writes a regular file: a link to its first name when one was written, else a new file whose
    /// content the ``CopyPipeline`` copies. Returns true when the pipeline records the item.
    private func salvageFile(_ inode: InodeRecord, parent: OutputDirectory, safe: SafeName,
                             record: inout ManifestRecord) throws(FSRescueError) -> Bool {
        if let first = firstLinks[inode.number], let folder = sandbox.root.openDescendant(first.folder) {
            let name = try parent.createHardLink(safe, to: first.name, in: folder, replace: true)
            var linked = record
            linked.path = parent.path(of: name)
            linked.hardLinkTo = first.path
            pipeline.submit(HardLinkJob(inode: inode.number, parent: parent, name: name, unlinked: record, record: linked,
                                        first: first.outcome))
            return true
        }
        let map = fs.dataMap(of: inode)
        let size = fs.contentSize(of: inode)
        let out = try parent.createFile(safe, mode: inode.permissions, replace: mayReplace(safe.name, in: parent), path: record.path)
        record.path = out.relativePath
        noteMade(record.path)
        let linked = inode.linksCount > 1
        pipeline.submit(FileCopyJob(file: out, parent: parent, name: out.name,
                                    map: map, size: size, inodeSize: inode.size, mode: inode.permissions,
                                    accessTime: inode.accessTime, modificationTime: inode.modificationTime,
                                    owner: (inode.uid, inode.gid), doubtful: doubtfulRanges(map, size: size),
                                    linked: linked, record: record))
        if linked { rememberFirstLink(inode.number, parent: parent, record: record, final: false) }
        return true
    }

    /// Keeps the first written name of a hard-linked inode, so its other names become links to it.
    /// `record` is final only for a name kept from an earlier run; a new copy's record is the copy thread's.
    private func rememberFirstLink(_ number: UInt32, parent: OutputDirectory, record: ManifestRecord, final: Bool = true) {
        let name = String(record.path.split(separator: "/").last ?? "")
        firstLinks[number] = FirstLink(folder: parent.relativePath, name: name, outcome: final ? LinkOutcome(record) : nil)
    }
    /// Byte ranges whose blocks another inode also claims: written, but the data may be the other file's.
    private func doubtfulRanges(_ map: DataMap, size: UInt64) -> [ByteRange] {
        guard !plan.sharedBlocks.isEmpty else { return [] }
        let bs = UInt64(fs.blockSize)
        var ranges: [ByteRange] = []
        for run in map.runs {
            for i in 0..<run.length where plan.sharedBlocks.contains(run.physical + i) {
                let start = (run.logical + i) * bs
                if start < size { ranges.append(ByteRange(start: start, end: min(size, start + bs))) }
            }
        }
        return ranges
    }

    private func salvageSymlink(_ inode: InodeRecord, parent: OutputDirectory, safe: SafeName, record: inout ManifestRecord) throws(FSRescueError) {
        try writeSymlink(inode, map: fs.dataMap(of: inode), parent: parent, safe: safe, record: &record)
    }

    /// Creates the symlink `inode` describes, its target read through `map` (today's, or an older
    /// state's from the journal), and fills `record` in; a target longer than PATH_MAX is skipped.
    func writeSymlink(_ inode: InodeRecord, map: DataMap, parent: OutputDirectory, safe: SafeName,
                      record: inout ManifestRecord) throws(FSRescueError) {
        guard inode.size <= 4096 else {
            record.skippedReason = "symlink target of \(inode.size) bytes is longer than PATH_MAX"
            return
        }
        let sink = BoundedMemorySink(limit: 4096)
        let copy = try mainCopier.copy(map, size: inode.size, to: sink)
        let name = try parent.createSymlink(safe, target: sink.bytes, replace: mayReplace(safe.name, in: parent))
        parent.finishSymlink(name, accessTime: inode.accessTime, modificationTime: inode.modificationTime, owner: (inode.uid, inode.gid))
        record.path = parent.path(of: name)
        noteMade(record.path)
        record.linkTarget = String(decoding: sink.bytes.prefix { $0 != 0 }, as: UTF8.self)
        record.bytesRecovered = copy.bytesRecovered
        record.sha256 = copy.sha256
        record.status = copy.missing.isEmpty ? .complete : .partial
        record.missingRanges = copy.missing.isEmpty ? nil : copy.missing.map { [$0.start, $0.end] }
    }

    /// Hands a finished record to the pipeline, which counts it and appends its manifest line in order.
    func finish(_ record: ManifestRecord) {
        pipeline.submit(record)
    }
}

/// Collects up to `limit` bytes in memory (symlink targets); holes read as zeros.
final class BoundedMemorySink: ContentSink {
    private(set) var bytes: [UInt8] = []
    let limit: Int
    init(limit: Int) { self.limit = limit }
    func write(_ b: UnsafeRawBufferPointer, at offset: UInt64) {
        let end = min(limit, Int(offset) + b.count)
        guard Int(offset) < end else { return }
        if bytes.count < end { bytes += [UInt8](repeating: 0, count: end - bytes.count) }
        bytes.replaceSubrange(Int(offset)..<end, with: b.prefix(end - Int(offset)))
    }
    func hole(_ r: ByteRange) {
        let end = min(limit, Int(r.end))
        if bytes.count < end { bytes += [UInt8](repeating: 0, count: end - bytes.count) }
    }
}
