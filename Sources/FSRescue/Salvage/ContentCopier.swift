// Copying a file's content from the image: large sequential reads per run, holes kept, damage recorded.
#if canImport(Glibc)
import Glibc
#endif

/// A half-open range of bytes `[start, end)` of a file.
public struct ByteRange: Sendable, Codable, Equatable {
    /// First byte.
    public let start: UInt64
    /// One past the last byte.
    public let end: UInt64
    /// The bytes `[start, end)`.
    public init(start: UInt64, end: UInt64) {
        self.start = start
        self.end = end
    }
}

/// Where copied content goes: positioned writes, with holes either skipped (a sparse output file)
/// or filled (a stream such as stdout).
public protocol ContentSink: AnyObject {
    /// Writes `bytes` at byte `offset` of the file.
    func write(_ bytes: UnsafeRawBufferPointer, at offset: UInt64) throws(FSRescueError)
    /// Bytes `range` read as zeros (a hole, unwritten extent, or data that could not be read).
    func hole(_ range: ByteRange) throws(FSRescueError)
}

extension OutputFile: ContentSink {
    /// Holes are left unwritten: the file's final length (`ftruncate`) makes them holes.
    public func hole(_ range: ByteRange) {}
}

/// What copying one file's content achieved.
public struct ContentCopy: Sendable {
    /// Bytes of data read from the image and written (holes and missing ranges not counted).
    public var bytesRecovered: UInt64 = 0
    /// Byte ranges whose data could not be read (damaged map, out-of-range blocks, past the image's end,
    /// read errors); they are holes in the output.
    public var missing: [ByteRange] = []
    /// Ranges of ``missing`` whose bytes the disk never gave (a ddrescue mapfile's unknown areas).
    public var unread: [ByteRange] = []
    /// SHA-256 of the content as written (holes and missing ranges as zeros), or nil when skipped.
    public var sha256: String?
    /// Why `sha256` is nil.
    public var sha256Omitted: String?
}

/// Copies file content from the image to a sink, reusing one large buffer.
final class ContentCopier {
    /// Files with more than this many bytes of holes are not hashed (hashing zeros would take minutes).
    static let maxHashedHoleBytes: UInt64 = 1 << 30
    /// Holes hashed in one run at most (zeros hash at about 2 GiB/s): a crafted image of many sparse
    /// files cannot make a run spend minutes hashing zeros. Later files get no hash, and say why.
    static let maxHashedHoleBytesPerRun: UInt64 = 16 << 30
    private var holeHashBudget: HoleHashBudget
    private static let chunk = 4 << 20
    /// Copied image bytes are dropped from the page cache in runs this long (see ``dropFromCache(offset:count:)``).
    static let dropFromCacheBytes = 4 << 20
    /// A gathered run shorter than this is left to the kernel (see ``dropCopiedData()``).
    static let leaveCachedBelow: UInt64 = 1 << 20
    /// The largest page-cache folio (x86-64 and arm64 with 4 KiB pages: a PMD, 2 MiB).
    static let largestFolio: UInt64 = 2 << 20
    /// Image bytes copied and not yet dropped from the page cache.
    private var readRun: (start: UInt64, end: UInt64)?
    /// When set, the image bytes this copier reads are listed here in order instead of dropped: another
    /// copier drops them (``dropRead(elsewhere:)``), in the order of the plan. ``CopyPipeline``'s main
    /// thread copies some files ahead of the copy thread; two copiers each dropping their own reads
    /// saw broken runs, too short to drop, and left a sixth of a small-files salvage's data cached.
    var collectedReads: [ImageRead]?

    /// Image bytes read by a copy (``collectedReads``).
    struct ImageRead {
        let offset: UInt64
        let count: Int
    }
    /// Block size, image descriptor and byte offset of the filesystem, copied out at creation: a copier
    /// may run on a worker thread (``CopyPipeline``) and must not touch the libext2fs handle there.
    let blockSize: UInt64
    private let descriptor: Int32
    private let imageOffset: UInt64
    /// Where reads go (``ImageSource/readOnce(_:count:at:)``) and failures are recorded.
    private let source: ImageSource
    /// The journal's replayed blocks, laid over what is read (metadata such as slow symlink targets,
    /// and file data under data=journal); nil when nothing was replayed.
    private let overlay: JournalOverlay?
    /// The bytes never read from the disk (a ddrescue mapfile); nil when all count as read.
    private let unreadView: UnreadView?
    /// Keeps the image descriptor open while the copier lives.
    private let fs: Filesystem
    private let buffer: UnsafeMutableRawBufferPointer
    private let zeros: UnsafeMutableRawBufferPointer

    init(fs: Filesystem, holeHashBudget: UInt64 = ContentCopier.maxHashedHoleBytesPerRun) {
        self.fs = fs
        blockSize = UInt64(fs.blockSize)
        descriptor = fs.source.descriptor
        source = fs.source
        imageOffset = fs.location.offsetBytes
        overlay = fs.overlay
        unreadView = fs.unreadView
        self.holeHashBudget = HoleHashBudget(limit: holeHashBudget)
        buffer = .allocate(byteCount: Self.chunk, alignment: 4096)
        zeros = .allocate(byteCount: 1 << 16, alignment: 16)
        zeros.initializeMemory(as: UInt8.self, repeating: 0)
    }

    deinit {
        dropCopiedData()
        buffer.deallocate()
        zeros.deallocate()
    }

    /// Copies `size` bytes of content described by `map` into `sink`, telling `progress` the bytes
    /// done as they are written, and the bytes of holes as they are hashed (holes not hashed cost
    /// nothing and are not counted; ``SalvageEstimate`` counts the same way).
    func copy(_ map: DataMap, size: UInt64, to sink: ContentSink,
              progress: (UInt64) -> Void = { _ in }) throws(FSRescueError) -> ContentCopy {
        var reported: UInt64 = 0
        var planned = size
        defer { if reported < planned { progress(planned - reported) } }
        // Runs of a damaged map may overlap: never count past what is planned.
        func counted(_ n: UInt64) {
            let n = min(n, planned - reported)
            reported += n
            progress(n)
        }
        var result = ContentCopy()
        let bs = blockSize
        let mappedBytes = map.writtenBytes(blockSize: bs)
        let holeBytes = size > mappedBytes ? size - mappedBytes : 0
        var hasher: SHA256?
        if let omitted = holeHashBudget.admit(holeBytes) {
            result.sha256Omitted = omitted
            planned = min(size, mappedBytes)
        } else {
            hasher = SHA256()
        }

        for lost in map.lost {
            let start = lost.logical * bs
            if start < size { result.missing.append(ByteRange(start: start, end: min(size, (lost.logical + lost.length) * bs))) }
        }

        if let inline = map.inline {
            let n = Int(min(UInt64(inline.count), size))
            inline.withUnsafeBytes { buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: $0[0..<n])) }
            let part = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n)
            try sink.write(part, at: 0)
            hasher?.update(part)
            counted(UInt64(n))
            result.bytesRecovered = UInt64(n)
            if UInt64(n) < size {
                result.missing.append(ByteRange(start: UInt64(n), end: size))
                try zeroFill(ByteRange(start: UInt64(n), end: size), sink: sink, hasher: &hasher, counted: counted)
            }
            result.sha256 = hasher?.finalizeHex()
            return result
        }

        var position: UInt64 = 0
        for run in map.runs {
            let runStart = run.logical * bs
            if runStart >= size { break }
            let runEnd = min(size, (run.logical + run.length) * bs)
            if runStart > position { try zeroFill(ByteRange(start: position, end: runStart), sink: sink, hasher: &hasher, counted: counted) }
            if run.unwritten {
                try zeroFill(ByteRange(start: runStart, end: runEnd), sink: sink, hasher: &hasher, counted: counted)
            } else {
                try copyRun(from: imageOffset + run.physical * bs, logical: runStart, end: runEnd,
                            sink: sink, hasher: &hasher, result: &result, counted: counted)
            }
            position = runEnd
        }
        if position < size { try zeroFill(ByteRange(start: position, end: size), sink: sink, hasher: &hasher, counted: counted) }
        result.missing = Self.merged(result.missing)
        result.unread = Self.merged(result.unread)
        result.sha256 = hasher?.finalizeHex()
        return result
    }

    private func copyRun(from imageOffset: UInt64, logical start: UInt64, end: UInt64, sink: ContentSink,
                         hasher: inout SHA256?, result: inout ContentCopy, counted: (UInt64) -> Void) throws(FSRescueError) {
        var p = start
        while p < end {
            let want = Int(min(UInt64(Self.chunk), end - p))
            let n = source.readOnce(buffer.baseAddress!, count: want, at: imageOffset + (p - start))
            if n < 0 && errno == EINTR { continue }
            if n <= 0 {
                // Past the image's end (a truncated image) or a read error: the rest of this run is missing,
                // unless a read error is local; then retry block by block to keep what is readable.
                if n < 0 { try copyBlockByBlock(imageOffset + (p - start), logical: p, end: min(end, p + UInt64(want)),
                                                sink: sink, hasher: &hasher, result: &result, counted: counted)
                    p += UInt64(want)
                    continue
                }
                result.missing.append(ByteRange(start: p, end: end))
                try zeroFill(ByteRange(start: p, end: end), sink: sink, hasher: &hasher, counted: counted)
                return
            }
            overlay?.apply(to: UnsafeMutableRawBufferPointer(start: buffer.baseAddress!, count: n),
                           fromFilesystemByte: imageOffset + (p - start) - self.imageOffset)
            dropUnread(n, filesystemByte: imageOffset + (p - start) - self.imageOffset, fileByte: p, result: &result)
            let part = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n)
            try sink.write(part, at: p)
            hasher?.update(part)
            counted(UInt64(n))
            result.bytesRecovered += UInt64(n)
            dropFromCache(offset: imageOffset + (p - start), count: n)
            p += UInt64(n)
        }
    }

    /// Counts `reads` another copier made as if this one had made them, dropping them from the page cache with its own.
    func dropRead(elsewhere reads: [ImageRead]) {
        for read in reads { dropFromCache(offset: read.offset, count: read.count) }
    }

    /// File data is dropped from the page cache once copied (`posix_fadvise` `POSIX_FADV_DONTNEED`):
    /// each byte is read once, so caching it only pushes out the rest of the machine's memory (a
    /// salvage of a 1 TB image would otherwise churn through all of it), and on a VM growing the page
    /// cache costs more than reusing freed pages. Reads that follow each other (small files laid out
    /// one after another; the next may start up to a block on, past the last one's partial block) are
    /// gathered into one run, dropped once it reaches ``dropFromCacheBytes`` or the next read lands
    /// elsewhere: one call per few megabytes, not per file. Wider gaps are not bridged: they hold
    /// other files' data, read ahead by the kernel and wanted soon.
    private func dropFromCache(offset: UInt64, count: Int) {
        if collectedReads != nil {
            collectedReads!.append(ImageRead(offset: offset, count: count))
            return
        }
        let end = offset + UInt64(count)
        if let run = readRun, offset >= run.start, offset <= run.end + blockSize {
            readRun = (run.start, max(run.end, end))
        } else {
            dropCopiedData()
            readRun = (offset, end)
        }
        if let run = readRun, run.end - run.start >= UInt64(Self.dropFromCacheBytes) { dropCopiedData() }
    }

    /// Drops the gathered run of copied image bytes from the page cache (also called at the end of a
    /// salvage, so nothing copied stays cached while the copier lives on). A run of 2 MiB or more is
    /// dropped from the start of the 2 MiB around its first byte: the kernel caches file data in
    /// folios of up to 2 MiB, aligned to their size, and keeps a folio that a range covers only in
    /// part. Without the rounding, the folios across chunk boundaries stayed: measured, a third of a
    /// 4.4 GB image was still cached after its salvage, and the page cache grew through the run as if
    /// nothing were dropped. A shorter run is dropped exactly, and one under ``leaveCachedBelow`` (an
    /// isolated small file) not at all: rounding it threw away its neighbours' data, which scattered
    /// small files then read again from the disk (a salvage of 200,000 files in 100,000 folders took
    /// 20 s instead of 14.6 s); dropping it exactly frees nothing when its pages share a large folio
    /// with the neighbours', and each call costs a drain of every CPU's page lists.
    func dropCopiedData() {
        guard let run = readRun else { return }
        readRun = nil
        guard run.end - run.start >= Self.leaveCachedBelow else { return }
        let start = run.end - run.start >= Self.largestFolio ? run.start & ~(Self.largestFolio - 1) : run.start
        _ = posix_fadvise(descriptor, off_t(start), off_t(run.end - start), POSIX_FADV_DONTNEED)
    }

    private func copyBlockByBlock(_ imageOffset: UInt64, logical start: UInt64, end: UInt64, sink: ContentSink,
                                  hasher: inout SHA256?, result: inout ContentCopy, counted: (UInt64) -> Void) throws(FSRescueError) {
        let bs = blockSize
        var p = start
        while p < end {
            let want = Int(min(bs, end - p))
            let at = imageOffset + (p - start)
            let n = source.readRetrying(buffer.baseAddress!, count: want, at: at)
            if n < 0 && errno == EIO { result.unread.append(ByteRange(start: p, end: p + UInt64(want))) }
            if n == want {
                overlay?.apply(to: UnsafeMutableRawBufferPointer(start: buffer.baseAddress!, count: n),
                               fromFilesystemByte: at - self.imageOffset)
                dropUnread(n, filesystemByte: at - self.imageOffset, fileByte: p, result: &result)
                let part = UnsafeRawBufferPointer(start: buffer.baseAddress!, count: n)
                try sink.write(part, at: p)
                hasher?.update(part)
                counted(UInt64(n))
                result.bytesRecovered += UInt64(n)
            } else {
                result.missing.append(ByteRange(start: p, end: p + UInt64(want)))
                try zeroFill(ByteRange(start: p, end: p + UInt64(want)), sink: sink, hasher: &hasher, counted: counted)
            }
            p += UInt64(want)
        }
    }

    /// Zeros the bytes of the buffer's first `count` (filesystem bytes from `filesystemByte`, file bytes
    /// from `fileByte`) that the mapfile says the disk never gave: they are not the file's, and missing.
    private func dropUnread(_ count: Int, filesystemByte fsStart: UInt64, fileByte: UInt64, result: inout ContentCopy) {
        guard let unreadView else { return }
        for part in unreadView.unread(fsStart..<(fsStart + UInt64(count))) {
            let at = Int(part.lowerBound - fsStart), length = Int(part.upperBound - part.lowerBound)
            (buffer.baseAddress! + at).initializeMemory(as: UInt8.self, repeating: 0, count: length)
            let start = fileByte + (part.lowerBound - fsStart)
            result.missing.append(ByteRange(start: start, end: start + UInt64(length)))
            result.unread.append(ByteRange(start: start, end: start + UInt64(length)))
        }
    }

    private func zeroFill(_ range: ByteRange, sink: ContentSink, hasher: inout SHA256?,
                          counted: (UInt64) -> Void) throws(FSRescueError) {
        try sink.hole(range)
        guard hasher != nil else { return }
        counted(range.end - range.start)
        var left = range.end - range.start
        while left > 0 {
            let n = Int(min(left, UInt64(zeros.count)))
            hasher?.update(UnsafeRawBufferPointer(rebasing: zeros[0..<n]))
            left -= UInt64(n)
        }
    }

    static func merged(_ ranges: [ByteRange]) -> [ByteRange] {
        let sorted = ranges.filter { $0.end > $0.start }.sorted { $0.start < $1.start }
        var out: [ByteRange] = []
        for r in sorted {
            if let last = out.last, r.start <= last.end {
                out[out.count - 1] = ByteRange(start: last.start, end: max(last.end, r.end))
            } else {
                out.append(r)
            }
        }
        return out
    }
}
