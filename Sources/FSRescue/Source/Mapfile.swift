// A GNU ddrescue mapfile: which bytes of the image were really read from the failing disk.

/// The areas of an image a GNU ddrescue mapfile does not mark finished (`+`): never read from the
/// disk, so the image holds zeros (or older bytes) there that must never be trusted as data.
///
/// The format (ddrescue's manual, "Mapfile structure"): `#` comments; a status line (current
/// position, current status character, optionally the pass); then one line per block,
/// `position size status`, with numbers as C literals (`0x` hexadecimal, a leading `0` octal, else
/// decimal) and status one of `?` non-tried, `*` non-trimmed, `/` non-scraped, `-` bad sector,
/// `+` finished. Blocks are in order and do not overlap; a gap between them was never tried.
public struct Mapfile: Sendable, Equatable {
    /// Byte ranges of the image not read, sorted and merged.
    public let unread: [Range<UInt64>]
    /// Bytes the mapfile describes (the end of its last block).
    public let size: UInt64

    /// Why a mapfile is refused, in one sentence.
    public struct Problem: Error, Equatable, CustomStringConvertible {
        public let description: String
    }

    /// Lines read at most (a 1 TB disk with a bad sector every megabyte has about 2M).
    static let maxLines = 20_000_000

    /// Parses `text` for an image of `imageSize` bytes.
    public init(text: String, imageSize: UInt64) throws(Problem) {
        var unread: [Range<UInt64>] = []
        var sawStatus = false
        var end: UInt64 = 0
        var blocks = 0
        var lineNumber = 0
        var lastRescuedEnd: UInt64 = 0
        for rawLine in text.split(omittingEmptySubsequences: false, whereSeparator: \.isNewline) {
            lineNumber += 1
            guard lineNumber <= Self.maxLines else { throw Problem(description: "it has more than \(Self.maxLines) lines") }
            let line = rawLine.split(separator: "#", maxSplits: 1, omittingEmptySubsequences: false).first ?? ""
            let fields = line.split(whereSeparator: { $0 == " " || $0 == "\t" || $0 == "\r" })
            if fields.isEmpty { continue }
            if !sawStatus {
                // The status line: current position, current status, and (ddrescue 1.20+) the pass.
                guard (2...3).contains(fields.count), Self.number(fields[0]) != nil, fields[1].count == 1,
                      "?*/-FG+".contains(fields[1].first!) else {
                    throw Problem(description: "line \(lineNumber) is not ddrescue's status line (\"position status [pass]\")")
                }
                sawStatus = true
                continue
            }
            guard fields.count == 3, let position = Self.number(fields[0]), let size = Self.number(fields[1]),
                  fields[2].count == 1, let status = fields[2].first, "?*/-+".contains(status) else {
                throw Problem(description: "line \(lineNumber) is not a block line (\"position size status\", status one of ? * / - +)")
            }
            guard size > 0, position <= UInt64.max - size else {
                throw Problem(description: "line \(lineNumber) describes an empty or impossible block")
            }
            guard position >= end else {
                throw Problem(description: "line \(lineNumber) starts at \(position), before the previous block ends (\(end)): blocks overlap or are out of order")
            }
            if position > end { unread.append(end..<position) }
            if status != "+" {
                if let last = unread.last, last.upperBound == position {
                    unread[unread.count - 1] = last.lowerBound..<(position + size)
                } else {
                    unread.append(position..<(position + size))
                }
            } else {
                lastRescuedEnd = position + size
            }
            end = position + size
            blocks += 1
        }
        guard sawStatus, blocks > 0 else { throw Problem(description: "it holds no ddrescue status line and blocks") }
        guard end >= imageSize else {
            throw Problem(description: "it describes \(end) bytes, but the image holds \(imageSize): it is not this image's mapfile")
        }
        guard lastRescuedEnd <= imageSize else {
            throw Problem(description: "it marks bytes up to \(lastRescuedEnd) rescued, but the image holds only \(imageSize): it is not this image's mapfile")
        }
        self.unread = unread.filter { $0.lowerBound < imageSize }.map { $0.lowerBound..<min($0.upperBound, imageSize) }
        size = end
    }

    /// Reads and parses the mapfile at `path` for `image` (its size is what the mapfile must cover).
    /// Errors are one sentence saying what is wrong and what to give instead.
    public static func load(path: String, image: ImageSource) throws(FSRescueError) -> Mapfile {
        let file = try ImageSource(path: path)
        guard file.kind == .regularFile else {
            throw FSRescueError(.openFailed, "--mapfile \(path) is not a regular file; give the mapfile GNU ddrescue wrote for \(image.path).", path: path)
        }
        guard file.sizeBytes <= 1 << 30 else {
            throw FSRescueError(.openFailed, "--mapfile \(path) is over 1 GiB, too large for a ddrescue mapfile; give the one ddrescue wrote for \(image.path).", path: path)
        }
        let bytes = try file.read(at: 0, count: Int(file.sizeBytes))
        do {
            return try Mapfile(text: String(decoding: bytes, as: UTF8.self), imageSize: image.sizeBytes)
        } catch {
            throw FSRescueError(.openFailed, "--mapfile \(path) cannot be used: \(error.description); give the mapfile GNU ddrescue wrote for \(image.path).", path: path)
        }
    }

    /// A GNU ddrescue mapfile of an image of `size` bytes after a run: `-` (bad sector) where reads
    /// failed, `?` (non-tried) where `given` (the mapfile the run was given) had not rescued yet, `+`
    /// elsewhere; so `ddrescue -r` goes after exactly what is still missing.
    public static func text(size: UInt64, failed: [Range<UInt64>], given: Mapfile?, comment: String) -> String {
        var marks: [(Range<UInt64>, Character)] = failed.map { ($0, "-") }
        for area in given?.unread ?? [] {
            var rest = [area]
            for bad in failed { rest = rest.flatMap { r in [r.lowerBound..<min(r.upperBound, bad.lowerBound), max(r.lowerBound, bad.upperBound)..<r.upperBound].filter { !$0.isEmpty } } }
            marks += rest.map { ($0, "?") }
        }
        return render(size: size, marks: marks, elsewhere: "+", comment: "Mapfile written by fsrescue: \(comment)")
    }

    /// A GNU ddrescue mapfile of `size` bytes: each of `marks` (image byte ranges, not overlapping)
    /// with its status, `elsewhere` for the bytes between them (and as the status line's), positions
    /// and sizes in hexadecimal; `comment` on the first line.
    static func render(size: UInt64, marks: [(Range<UInt64>, Character)], elsewhere: Character, comment: String) -> String {
        func hex(_ v: UInt64) -> String { let d = String(v, radix: 16, uppercase: true); return d.count >= 8 ? d : String(repeating: "0", count: 8 - d.count) + d }
        var out = "# \(comment)\n"
        if elsewhere == "?" { out += "# Use with: ddrescue -m THIS-FILE DEVICE IMAGE MAPFILE\n" }
        out += "# current_pos  current_status  current_pass\n0x00000000     \(elsewhere)               1\n#      pos        size  status\n"
        var at: UInt64 = 0
        for (range, status) in marks.sorted(by: { $0.0.lowerBound < $1.0.lowerBound }) where range.lowerBound < size {
            let start = max(range.lowerBound, at), end = min(range.upperBound, size)
            guard start < end else { continue }
            if start > at { out += "0x\(hex(at))  0x\(hex(start - at))  \(elsewhere)\n" }
            out += "0x\(hex(start))  0x\(hex(end - start))  \(status)\n"
            at = end
        }
        if at < size { out += "0x\(hex(at))  0x\(hex(size - at))  \(elsewhere)\n" }
        return out
    }

    /// A C literal as `strtoull(s, 0)` reads it: `0x` hexadecimal, a leading `0` octal, else decimal.
    static func number(_ s: Substring) -> UInt64? {
        if s.hasPrefix("0x") || s.hasPrefix("0X") { return s.count > 2 ? UInt64(s.dropFirst(2), radix: 16) : nil }
        if s.count > 1 && s.hasPrefix("0") { return UInt64(s.dropFirst(), radix: 8) }
        return UInt64(s)
    }

    /// The unread parts of `range` (image bytes), in order.
    public func unread(in range: Range<UInt64>) -> [Range<UInt64>] {
        guard !unread.isEmpty, !range.isEmpty else { return [] }
        var low = 0, high = unread.count
        while low < high {
            let mid = (low + high) / 2
            if unread[mid].upperBound <= range.lowerBound { low = mid + 1 } else { high = mid }
        }
        var parts: [Range<UInt64>] = []
        var i = low
        while i < unread.count, unread[i].lowerBound < range.upperBound {
            parts.append(max(unread[i].lowerBound, range.lowerBound)..<min(unread[i].upperBound, range.upperBound))
            i += 1
        }
        return parts
    }

    /// Whether every byte of `range` was read.
    public func wasRead(_ range: Range<UInt64>) -> Bool { unread(in: range).isEmpty }

    /// Unread bytes in all.
    public var unreadBytes: UInt64 { unread.reduce(0) { $0 + ($1.upperBound - $1.lowerBound) } }
}
