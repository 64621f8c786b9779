// Turning a directory entry's raw name bytes into a name that is safe to create in the output.

/// A name safe to create in one output directory, with the original bytes it came from.
///
/// Rules: `/`, NUL, control bytes (0x01–0x1F, 0x7F) and bytes that are not valid UTF-8 become
/// `%XX`; `.` and `..` become `%2E` and `%2E%2E`; an empty name becomes `%00`; names longer than
/// 255 bytes are cut at a character boundary and given a `~<hash>` suffix so distinct long names
/// stay distinct. Uniqueness within a directory is the caller's (``OutputDirectory``) job.
public struct SafeName: Sendable, Hashable {
    /// The name as it will be created.
    public let name: String
    /// The name's original bytes as found on disk.
    public let original: [UInt8]
    /// True when `name` differs from the original bytes.
    public var wasChanged: Bool { Array(name.utf8) != original }

    /// The longest name ext4 and most output filesystems accept, in bytes (`NAME_MAX`).
    public static let maxBytes = 255

    /// The safe form of `original`: `%XX` escapes for `/`, NUL, control bytes and invalid UTF-8; `.` and `..` escaped; over-long names cut with a `~hash` suffix.
    public init(_ original: [UInt8]) {
        self.original = original
        if original.isEmpty { name = "%00"; return }
        if original == [0x2E] { name = "%2E"; return }
        if original == [0x2E, 0x2E] { name = "%2E%2E"; return }
        // Most names are printable ASCII without '/': used as they are.
        if original.count <= SafeName.maxBytes, !original.contains(where: { $0 < 0x20 || $0 >= 0x7F || $0 == 0x2F }) {
            name = String(decoding: original, as: UTF8.self)
            return
        }
        var out: [UInt8] = []
        out.reserveCapacity(original.count)
        var i = 0
        while i < original.count {
            let b = original[i]
            let length = SafeName.utf8SequenceLength(original, at: i)
            if length == 0 || b == 0x2F || b < 0x20 || b == 0x7F {
                out += SafeName.escape(b)
                i += 1
            } else {
                out += original[i..<(i + length)]
                i += length
            }
        }
        if out.count > SafeName.maxBytes {
            let suffix = Array("~\(SafeName.shortHash(original))".utf8)
            var cut = SafeName.maxBytes - suffix.count
            while cut > 0 && out[cut] & 0xC0 == 0x80 { cut -= 1 }  // keep whole UTF-8 characters
            out = Array(out[..<cut]) + suffix
        }
        name = String(decoding: out, as: UTF8.self)
    }

    /// `name` with `~N` inserted before the extension, for the Nth duplicate in one directory.
    func numbered(_ n: Int) -> String {
        let tag = "~\(n)"
        var base = Substring(name), ext = Substring("")
        if let dot = name.lastIndex(of: "."), dot != name.startIndex, name.distance(from: dot, to: name.endIndex) <= 16 {
            base = name[..<dot]
            ext = name[dot...]
        }
        var result = String(base) + tag + ext
        while result.utf8.count > SafeName.maxBytes, !base.isEmpty {
            base = base.dropLast()
            result = String(base) + tag + ext
        }
        return result
    }

    private static func escape(_ b: UInt8) -> [UInt8] {
        let hex = Array("0123456789ABCDEF".utf8)
        return [0x25, hex[Int(b >> 4)], hex[Int(b & 15)]]
    }

    /// Length of the valid UTF-8 sequence starting at `i`, or 0 when the bytes there are not one.
    static func utf8SequenceLength(_ bytes: [UInt8], at i: Int) -> Int {
        let b0 = bytes[i]
        let n: Int
        if b0 < 0x80 { return 1 }
        else if b0 >= 0xC2 && b0 <= 0xDF { n = 2 }
        else if b0 >= 0xE0 && b0 <= 0xEF { n = 3 }
        else if b0 >= 0xF0 && b0 <= 0xF4 { n = 4 }
        else { return 0 }
        guard i + n <= bytes.count else { return 0 }
        for k in 1..<n where bytes[i + k] & 0xC0 != 0x80 { return 0 }
        let b1 = bytes[i + 1]
        if b0 == 0xE0 && b1 < 0xA0 { return 0 }   // overlong
        if b0 == 0xED && b1 >= 0xA0 { return 0 }  // UTF-16 surrogates
        if b0 == 0xF0 && b1 < 0x90 { return 0 }   // overlong
        if b0 == 0xF4 && b1 >= 0x90 { return 0 }  // above U+10FFFF
        return n
    }

    /// FNV-1a, 32 bits, as 8 hex digits: stable across runs and platforms.
    static func shortHash(_ bytes: [UInt8]) -> String {
        var h: UInt32 = 2166136261
        for b in bytes { h = (h ^ UInt32(b)) &* 16777619 }
        let s = String(h, radix: 16)
        return String(repeating: "0", count: 8 - s.count) + s
    }
}
