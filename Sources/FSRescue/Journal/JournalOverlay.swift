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
    /// Where the copies are read: the image (an internal journal) or the journal device.
    private let source: ImageSource
    /// Byte offset of block 0 of `copyLocation`'s numbering in `source`.
    private let copiesOffset: UInt64

    /// The overlay of `replay`, whose log block N lies at block `copyLocation(N)` of `source`,
    /// counted from byte `copiesOffset` (the filesystem's own blocks for an internal journal, the
    /// device's for an external one).
    init(replay: JournalReplay, copyLocation logToFilesystem: (UInt32) -> UInt64?, blockSize: Int, source: ImageSource, copiesOffset: UInt64) {
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
        self.copiesOffset = copiesOffset
    }

    /// Blocks served from the journal.
    public var count: Int { blocks.count }

    /// Where block `block`'s copy is read from (its source and byte offset there), when it is replayed.
    public func copyPlace(of block: UInt64) -> (source: ImageSource, byte: UInt64)? {
        let i = lowerBound(block)
        guard i < blocks.count, blocks[i] == block else { return nil }
        return (source, copiesOffset + copies[i] * UInt64(blockSize))
    }

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
        var scratch: UnsafeMutableRawBufferPointer?
        defer { scratch?.deallocate() }
        while i < blocks.count, blocks[i] * bs < end {
            let blockStart = blocks[i] * bs
            let from = max(start, blockStart), to = min(end, blockStart + bs)
            defer { i += 1 }
            guard from < to else { continue }
            let copyAt = copiesOffset + copies[i] * bs
            if from == blockStart && to == blockStart + bs {
                // The whole block is wanted (the usual case): read its copy straight into place.
                let target = UnsafeMutableRawBufferPointer(rebasing: buffer[Int(from - start)..<Int(to - start)])
                guard (try? source.read(at: copyAt, into: target)) == blockSize else { continue }
                if escaped[i] { target.storeBytes(of: JournalSuperblock.magic.bigEndian, as: UInt32.self) }
            } else {
                let copy = scratch ?? UnsafeMutableRawBufferPointer.allocate(byteCount: blockSize, alignment: 8)
                scratch = copy
                guard (try? source.read(at: copyAt, into: copy)) == blockSize else { continue }
                if escaped[i] { copy.storeBytes(of: JournalSuperblock.magic.bigEndian, as: UInt32.self) }
                let slice = UnsafeRawBufferPointer(rebasing: copy[Int(from - blockStart)..<Int(to - blockStart)])
                UnsafeMutableRawBufferPointer(rebasing: buffer[Int(from - start)..<Int(to - start)]).copyMemory(from: slice)
            }
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
