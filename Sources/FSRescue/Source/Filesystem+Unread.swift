// Which of the filesystem's bytes were never read from the disk (a ddrescue mapfile's unknown areas),
// as the reads see them: through the replayed journal where it serves a block.

/// What decides whether a filesystem byte was read: the mapfile, where the filesystem starts in the
/// image, and the replayed journal's copies. A plain value, so the copy thread can hold one without
/// touching the libext2fs handle.
struct UnreadView: Sendable {
    let mapfile: Mapfile
    let overlay: JournalOverlay?
    let source: ImageSource
    let base: UInt64
    let blockSize: UInt64

    /// The parts of the filesystem's bytes `range` (counted from the filesystem's start) never read
    /// from the disk: the image's own bytes, or, for a block the journal replay serves, its copy's
    /// (an external journal device has no mapfile: read).
    func unread(_ range: Range<UInt64>) -> [Range<UInt64>] {
        guard !range.isEmpty else { return [] }
        guard let overlay, overlay.count > 0 else {
            return mapfile.unread(in: (base + range.lowerBound)..<(base + range.upperBound)).map { ($0.lowerBound - base)..<($0.upperBound - base) }
        }
        var parts: [Range<UInt64>] = []
        var block = range.lowerBound / blockSize
        while block * blockSize < range.upperBound {
            let from = max(range.lowerBound, block * blockSize), to = min(range.upperBound, (block + 1) * blockSize)
            let unread: [Range<UInt64>]
            if let copy = overlay.copyPlace(of: block) {
                unread = copy.source === source && !mapfile.wasRead(copy.byte..<(copy.byte + blockSize)) ? [from..<to] : []
            } else {
                unread = mapfile.unread(in: (base + from)..<(base + to)).map { ($0.lowerBound - base)..<($0.upperBound - base) }
            }
            for part in unread {
                if let last = parts.last, last.upperBound == part.lowerBound { parts[parts.count - 1] = last.lowerBound..<part.upperBound } else { parts.append(part) }
            }
            block += 1
        }
        return parts
    }
}

extension Filesystem {
    /// How this filesystem's reads are judged against the mapfile; nil without one.
    var unreadView: UnreadView? {
        mapfile.map { UnreadView(mapfile: $0, overlay: overlay, source: source, base: location.offsetBytes, blockSize: UInt64(blockSize)) }
    }

    /// The parts of the filesystem's bytes `range` never read from the disk (``UnreadView``).
    public func unreadBytes(_ range: Range<UInt64>) -> [Range<UInt64>] {
        unreadView?.unread(range) ?? []
    }

    /// Whether filesystem block `block` was read from the disk in full.
    public func blockWasRead(_ block: UInt64) -> Bool {
        let bs = UInt64(blockSize)
        return mapfile == nil || unreadBytes(block * bs..<(block + 1) * bs).isEmpty
    }
}
