// The replayed view: filesystem blocks served from their newest committed journal copy.

/// The filesystem as the kernel would see it after replaying the journal, without writing anything:
/// for each block a committed transaction rewrote, the log block holding the newest copy. Reads of
/// the filesystem's bytes pass through ``apply(to:fromFilesystemByte:)``, which overwrites those
/// blocks with their copies. Memory is proportional to the blocks replayed, not to their data.
public final class JournalOverlay: Sendable {
    /// Filesystem blocks replayed, ascending, and for each the filesystem block holding its copy.
    private let blocks: [UInt64]
    private let copies: [UInt64]
    private let escaped: [Bool]
    private let blockSize: Int
    private let source: ImageSource
    /// Byte offset of the filesystem in the image (the journal's copies lie in the same filesystem).
    private let filesystemOffset: UInt64

    /// The overlay of `replay`, whose log block N lies at filesystem block `logToFilesystem(N)`.
    init(replay: JournalReplay, logToFilesystem: (UInt32) -> UInt64?, blockSize: Int, source: ImageSource, filesystemOffset: UInt64) {
        var entries: [(UInt64, UInt64, Bool)] = []
        entries.reserveCapacity(replay.copies.count)
        for (block, copy) in replay.copies {
            guard let at = logToFilesystem(copy.logBlock) else { continue }
            entries.append((block, at, copy.escaped))
        }
        entries.sort { $0.0 < $1.0 }
        blocks = entries.map(\.0)
        copies = entries.map(\.1)
        escaped = entries.map(\.2)
        self.blockSize = blockSize
        self.source = source
        self.filesystemOffset = filesystemOffset
    }

    /// Blocks served from the journal.
    public var count: Int { blocks.count }

    /// Whether filesystem block `block` is served from the journal.
    public func contains(_ block: UInt64) -> Bool {
        let i = lowerBound(block)
        return i < blocks.count && blocks[i] == block
    }

    /// Overwrites the parts of `buffer` (the filesystem's bytes from `start` on) that lie in replayed
    /// blocks with their journal copies (`pread` of the copy; an escaped copy gets its magic back).
    public func apply(to buffer: UnsafeMutableRawBufferPointer, fromFilesystemByte start: UInt64) {
        guard !blocks.isEmpty, buffer.count > 0 else { return }
        let bs = UInt64(blockSize)
        let end = start + UInt64(buffer.count)
        var i = lowerBound(start / bs)
        while i < blocks.count, blocks[i] * bs < end {
            let blockStart = blocks[i] * bs
            let from = max(start, blockStart), to = min(end, blockStart + bs)
            if from < to, var copy = try? source.read(at: filesystemOffset + copies[i] * bs, count: blockSize), copy.count == blockSize {
                if escaped[i] { copy.replaceSubrange(0..<4, with: [0xC0, 0x3B, 0x39, 0x98]) }
                copy.withUnsafeBytes { c in
                    let slice = UnsafeRawBufferPointer(rebasing: c[Int(from - blockStart)..<Int(to - blockStart)])
                    UnsafeMutableRawBufferPointer(rebasing: buffer[Int(from - start)..<Int(to - start)]).copyMemory(from: slice)
                }
            }
            i += 1
        }
    }

    private func lowerBound(_ block: UInt64) -> Int {
        var low = 0, high = blocks.count
        while low < high {
            let mid = (low + high) / 2
            if blocks[mid] < block { low = mid + 1 } else { high = mid }
        }
        return low
    }
}
