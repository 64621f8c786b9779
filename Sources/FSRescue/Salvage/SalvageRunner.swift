// Writing a salvage plan into the output sandbox: the attached tree under root/, orphans under lost+found/.
#if canImport(Glibc)
import Glibc
#endif

/// Runs one salvage: every item of a ``SalvagePlan`` written through the ``OutputSandbox``, one
/// manifest line each. Per-item failures are recorded and the run goes on; only a full output or the
/// output limit (nothing later could be written either) and cancellation stop it early.
public final class SalvageRunner {
    private let fs: Filesystem
    private let plan: SalvagePlan
    private let options: SalvageOptions
    private let progress: any ProgressReporting
    /// The output sandbox the run writes into.
    public let sandbox: OutputSandbox
    private let manifest: Manifest
    private let copier: ContentCopier
    private var summary = SalvageSummary()
    private var visitedDirectories: Set<UInt32> = []
    private var firstLinks: [UInt32: FirstLink] = [:]
    /// Every regular file's inode written so far.
    private var savedFiles: Set<UInt32> = []
    private var linkDirectories: Set<ObjectIdentifier> = []
    private var unitsDone: UInt64 = 0

    /// Work units charged per item on top of its bytes, so many small files are not "free" to the ETA.
    public static let unitsPerItem: UInt64 = 16 << 10
    /// At most this many distinct output directories are held open as hard-link sources.
    static let maxLinkDirectories = 256

    private struct FirstLink {
        let directory: OutputDirectory
        let name: String
        let path: String
        let record: ManifestRecord
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
        copier = ContentCopier(fs: filesystem)
    }

    /// Items and bytes a plan will write, found by walking it as ``run()`` will (directory listings and
    /// inode reads, no data): the total for progress and for the free-space check.
    public static func estimate(_ plan: SalvagePlan, filesystem fs: Filesystem, options: SalvageOptions = SalvageOptions())
        -> (items: UInt64, bytes: UInt64)
    {
        var items: UInt64 = 0, bytes: UInt64 = 0
        var seen: Set<UInt32> = []
        var stack: [(UInt32, Int)] = plan.selections.map { ($0.inode, 1) } + plan.orphans.map { ($0.inode, 1) }
        if plan.selections.isEmpty && !options.orphansOnly { stack.append((Filesystem.rootInode, 0)) }
        while let (number, depth) = stack.popLast() {
            items += 1
            guard seen.insert(number).inserted, let inode = try? fs.readInode(number) else { continue }
            switch inode.type {
            case .regular: bytes += min(inode.size, inode.blockCount * 512)
            case .directory where depth <= options.maxDepth:
                for child in plan.entries(of: number) { stack.append((child.inode, depth + 1)) }
            default: break
            }
        }
        return (items, bytes)
    }

    /// Work units for a plan of `items` items and `bytes` bytes, as ``run()`` reports them.
    public static func units(items: UInt64, bytes: UInt64) -> UInt64 { bytes + items * unitsPerItem }

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
                visitedDirectories.insert(Filesystem.rootInode)
                stack.append(.finish(root, rootInode))
            }
            pushChildren(of: Filesystem.rootInode, into: root, imagePath: "", depth: 1, stack: &stack)
        }
        var lostFound: OutputDirectory?
        for orphan in plan.orphans.reversed() {
            if lostFound == nil { lostFound = try sandbox.root.makeDirectory(SafeName(Array("lost+found".utf8)), reuse: true) }
            let name = orphan.name ?? Array("#\(orphan.inode)".utf8)
            stack.append(.entry(parent: lostFound!, name: name, inode: orphan.inode, imagePath: nil, depth: 1,
                                source: orphan.name == nil ? .none : orphan.nameSource,
                                confidence: orphan.name == nil ? 0 : orphan.confidence))
        }
        summary.orphans = plan.orphans.count

        while let work = stack.popLast() {
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
                }
                unitsDone += Self.unitsPerItem
                progress.update(done: unitsDone)
            }
        }
        summary.bytesWritten = sandbox.bytesWritten
        try manifest.close(summary: ["items": summary.items, "complete": summary.complete, "partial": summary.partial,
                                     "skipped": summary.skipped, "resumed": summary.resumed],
                           completed: summary.completed)
        return summary
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
        record.findings = plan.findings[number] ?? []
        let inode: InodeRecord
        do throws(Ext2Error) { inode = try fs.readInode(number) } catch {
            record.skippedReason = "inode unreadable: \(error.message)"
            return try finish(record)
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
                if try resumed(record, parent: parent, safe: safe) { return }
                try salvageFile(inode, parent: parent, safe: safe, record: &record)
            case .symlink:
                try salvageSymlink(inode, parent: parent, safe: safe, record: &record)
            default:
                record.skippedReason = "\(inode.type.rawValue): recorded, never created"
            }
        } catch where error.code == .outputLimit {
            record.status = .skipped
            record.skippedReason = error.message
            try finish(record)
            throw error
        } catch {
            record.status = .skipped
            record.skippedReason = error.message
        }
        try finish(record)
    }

    private func salvageDirectory(_ inode: InodeRecord, parent: OutputDirectory, safe: SafeName, imagePath: String?, depth: Int,
                                  record: inout ManifestRecord, stack: inout [Work]) throws(FSRescueError) {
        if depth > options.maxDepth {
            record.skippedReason = "nested deeper than \(options.maxDepth) directories"
            return
        }
        if !visitedDirectories.insert(inode.number).inserted {
            record.skippedReason = "directory already saved (a directory loop or a second link to it)"
            return
        }
        let dir = try parent.makeDirectory(safe, reuse: true)
        record.path = dir.relativePath
        record.status = .complete
        stack.append(.finish(dir, inode))
        pushChildren(of: inode.number, into: dir, imagePath: imagePath, depth: depth + 1, stack: &stack)
    }

    /// An item an earlier run into this folder completed: left as it is, not recorded again.
    private func resumed(_ record: ManifestRecord, parent: OutputDirectory, safe: SafeName) throws(FSRescueError) -> Bool {
        guard let previous = manifest.previous[record.path], previous.status == .complete,
              previous.inode == record.inode, previous.size == record.size, previous.hardLinkTo == nil,
              parent.exists(safe.name) else { return false }
        parent.keep(safe.name)
        summary.resumed += 1
        summary.items += 1
        summary.complete += 1
        unitsDone += record.size
        return true
    }

    private func salvageFile(_ inode: InodeRecord, parent: OutputDirectory, safe: SafeName, record: inout ManifestRecord) throws(FSRescueError) {
        if inode.linksCount > 1, let first = firstLinks[inode.number] {
            let name = try parent.createHardLink(safe, to: first.name, in: first.directory)
            record.path = parent.path(of: name)
            record.hardLinkTo = first.path
            record.status = first.record.status
            record.sha256 = first.record.sha256
            record.bytesRecovered = first.record.bytesRecovered
            record.missingRanges = first.record.missingRanges
            return
        }
        // Named again but not linkable (i_links_count 1, or too many link folders): a crafted image that
        // names one big file thousands of times must not have it copied thousands of times.
        if savedFiles.contains(inode.number) {
            record.skippedReason = "inode \(inode.number) is already saved under another name"
            return
        }
        let map = fs.dataMap(of: inode)
        let size = fs.contentSize(of: inode)
        let out = try parent.createFile(safe, replace: true)
        record.path = out.relativePath
        savedFiles.insert(inode.number)
        var copy = try copier.copy(map, size: size, to: out)
        try out.finish(size: size, mode: inode.permissions, accessTime: inode.accessTime,
                       modificationTime: inode.modificationTime, owner: (inode.uid, inode.gid))
        if size < inode.size {
            copy.missing.append(ByteRange(start: size, end: inode.size))
            record.findings.append("salvage.size-beyond-map")
        }
        record.bytesRecovered = copy.bytesRecovered
        record.sha256 = copy.sha256
        record.sha256Omitted = copy.sha256Omitted
        let doubtful = doubtfulRanges(map, size: size)
        let ranges = ContentCopier.merged(copy.missing + doubtful)
        record.status = ranges.isEmpty ? .complete : .partial
        record.missingRanges = copy.missing.isEmpty ? nil : copy.missing.map { [$0.start, $0.end] }
        if !doubtful.isEmpty { record.findings.append("salvage.shared-blocks") }
        unitsDone += size
        if inode.linksCount > 1 {
            let key = ObjectIdentifier(parent)
            if linkDirectories.contains(key) || linkDirectories.count < Self.maxLinkDirectories {
                linkDirectories.insert(key)
                let name = String(record.path.split(separator: "/").last ?? "")
                firstLinks[inode.number] = FirstLink(directory: parent, name: name, path: record.path, record: record)
            }
        }
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
        guard inode.size <= 4096 else {
            record.skippedReason = "symlink target of \(inode.size) bytes is longer than PATH_MAX"
            return
        }
        let sink = BoundedMemorySink(limit: 4096)
        let copy = try copier.copy(fs.dataMap(of: inode), size: inode.size, to: sink)
        let name = try parent.createSymlink(safe, target: sink.bytes, replace: true)
        parent.finishSymlink(name, accessTime: inode.accessTime, modificationTime: inode.modificationTime, owner: (inode.uid, inode.gid))
        record.path = parent.path(of: name)
        record.linkTarget = String(decoding: sink.bytes.prefix { $0 != 0 }, as: UTF8.self)
        record.bytesRecovered = copy.bytesRecovered
        record.sha256 = copy.sha256
        record.status = copy.missing.isEmpty ? .complete : .partial
        record.missingRanges = copy.missing.isEmpty ? nil : copy.missing.map { [$0.start, $0.end] }
    }

    private func finish(_ record: ManifestRecord) throws(FSRescueError) {
        summary.items += 1
        switch record.status {
        case .complete: summary.complete += 1
        case .partial: summary.partial += 1
        case .skipped: summary.skipped += 1
        }
        try manifest.record(record)
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
