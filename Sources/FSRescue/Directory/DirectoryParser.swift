// A bounds-checked parser of ext2/3/4 directory entries, live and stale, over raw bytes.

/// One directory entry as found in a block: where it is and what its header says.
struct DirectoryEntry {
    /// Byte offset of the entry in its region.
    let offset: Int
    let inode: UInt32
    let recordLength: Int
    let nameLength: Int
    let fileType: UInt8

    var nameOffset: Int { offset + 8 }
    /// Bytes the entry needs: 8-byte header plus its name, rounded up to 4.
    var minimumLength: Int { (8 + nameLength + 3) & ~3 }
}

/// Why parsing a block stopped early.
struct DirectoryParseError {
    let offset: Int
    let reason: String
}

/// Parses directory blocks (or the two regions of an inline directory) without trusting any field:
/// every record length and name length is checked against the bytes at hand before use, so a
/// hostile block ends the parse, never reads out of bounds, and yields at most `length / 8` entries.
enum DirectoryParser {
    /// Decodes `rec_len` as `ext2fs_get_rec_len` does (64 KiB blocks store 65536 as 0 or 65535).
    static func recordLength(_ raw: UInt16, blockSize: Int) -> Int {
        guard blockSize >= 65536 else { return Int(raw) }
        if raw == 65535 || raw == 0 { return blockSize }
        return Int(raw & 65532) | (Int(raw & 3) << 16)
    }

    /// The regions of an inline directory's `size` bytes that hold entries: `i_block` after the
    /// parent's 4 bytes (56 bytes), then the `system.data` attribute's part, each parsed on its own.
    static func inlineRegions(size: Int) -> [Range<Int>] {
        [4..<max(4, min(60, size)), 60..<max(60, size)].filter { !$0.isEmpty }
    }

    /// Walks the live entries of `bytes[0 ..< limit]`, calling `entry` for each (empty ones, inode 0,
    /// included). With `slack`, also looks for stale entries in the space each record leaves after its
    /// name (where unlinked entries' headers and names survive), calling `stale` for plausible ones.
    static func parse(_ bytes: UnsafeRawBufferPointer, limit: Int, blockSize: Int, minimumRecord: Int = 12,
                      hasFiletype: Bool, inodesCount: UInt32, slack: Bool,
                      entry: (DirectoryEntry) -> Void, stale: (DirectoryEntry) -> Void) -> DirectoryParseError? {
        let end = min(limit, bytes.count)
        var offset = 0
        while offset < end {
            guard end - offset >= 8 else { return DirectoryParseError(offset: offset, reason: "\(end - offset) bytes left, too few for an entry header") }
            let inode = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
            let rec = recordLength(bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self), blockSize: blockSize)
            let nameLength = Int(bytes[offset + 6])
            let fileType = bytes[offset + 7]
            guard rec >= minimumRecord || (rec >= 8 && rec == end - offset), rec % 4 == 0, rec <= end - offset else {
                return DirectoryParseError(offset: offset, reason: "record length \(rec) is invalid")
            }
            guard 8 + nameLength <= rec else {
                return DirectoryParseError(offset: offset, reason: "name length \(nameLength) does not fit in record length \(rec)")
            }
            let e = DirectoryEntry(offset: offset, inode: inode, recordLength: rec, nameLength: nameLength, fileType: fileType)
            entry(e)
            if slack {
                let from = inode == 0 && nameLength == 0 ? offset + 8 : offset + e.minimumLength
                findStale(bytes, from: from, to: offset + rec, hasFiletype: hasFiletype, inodesCount: inodesCount, stale)
            }
            offset += rec
        }
        return nil
    }

    /// Scans `from ..< to` at 4-byte steps for headers that look like unlinked entries.
    static func findStale(_ bytes: UnsafeRawBufferPointer, from: Int, to: Int, hasFiletype: Bool, inodesCount: UInt32,
                          _ stale: (DirectoryEntry) -> Void) {
        var offset = (from + 3) & ~3
        while offset + 12 <= to {
            if let e = plausibleEntry(bytes, at: offset, end: to, hasFiletype: hasFiletype, inodesCount: inodesCount) {
                stale(e)
                offset += e.minimumLength
            } else {
                offset += 4
            }
        }
    }

    /// An entry header at `offset` whose fields are all plausible: inode in range, sane lengths,
    /// a known file type, and a name of printable-or-UTF-8 bytes without NUL or '/'.
    static func plausibleEntry(_ bytes: UnsafeRawBufferPointer, at offset: Int, end: Int, hasFiletype: Bool,
                               inodesCount: UInt32) -> DirectoryEntry? {
        let inode = bytes.loadUnaligned(fromByteOffset: offset, as: UInt32.self)
        guard inode >= 2, inode <= inodesCount else { return nil }
        let rec = Int(bytes.loadUnaligned(fromByteOffset: offset + 4, as: UInt16.self))
        let nameLength = Int(bytes[offset + 6])
        let fileType = bytes[offset + 7]
        guard nameLength > 0, offset + 8 + nameLength <= end, rec % 4 == 0, rec >= 8 + nameLength, rec <= bytes.count - offset else { return nil }
        if hasFiletype { guard fileType >= 1 && fileType <= 7 else { return nil } } else { guard fileType == 0 else { return nil } }
        for i in 0..<nameLength {
            let c = bytes[offset + 8 + i]
            if c == 0 || c == 0x2F || c < 0x20 { return nil }
        }
        if nameLength <= 2 && bytes[offset + 8] == 0x2E && (nameLength == 1 || bytes[offset + 9] == 0x2E) { return nil }
        return DirectoryEntry(offset: offset, inode: inode, recordLength: rec, nameLength: nameLength, fileType: fileType)
    }
}
