// Writing JSON strings by hand on hot paths (progress events, million-entry truth files, manifest lines).

/// Hand-written JSON text for paths where `JSONEncoder` is too slow.
public enum JSONText {
    /// Appends `text` as a JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    public static func appendString(_ text: String, into out: inout String) {
        out += "\""
        var plain = true
        for u in text.utf8 where u < 0x20 || u == 0x22 || u == 0x5C { plain = false; break }
        if plain {
            out += text
        } else {
            var bytes: [UInt8] = []
            for u in text.utf8 { appendEscaped(u, into: &bytes) }
            out += String(decoding: bytes, as: UTF8.self)
        }
        out += "\""
    }

    /// Appends one UTF-8 byte of a JSON string's content, escaped when it must be: `\"`, `\\`, `\n`,
    /// `\t`, `\r`, `\b`, `\f`, other control bytes as `\u00xx` (what `JSONEncoder` writes); every other
    /// byte, including those of multi-byte characters, as it is.
    static func appendEscaped(_ byte: UInt8, into out: inout [UInt8]) {
        switch byte {
        case 0x22: out.append(0x5C); out.append(0x22)
        case 0x5C: out.append(0x5C); out.append(0x5C)
        case 0x0A: out.append(0x5C); out.append(0x6E)
        case 0x09: out.append(0x5C); out.append(0x74)
        case 0x0D: out.append(0x5C); out.append(0x72)
        case 0x08: out.append(0x5C); out.append(0x62)
        case 0x0C: out.append(0x5C); out.append(0x66)
        case ..<0x20:
            let hex: [UInt8] = Array("0123456789abcdef".utf8)
            out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(byte >> 4)], hex[Int(byte & 15)]])
        default: out.append(byte)
        }
    }

    /// `text` as a JSON string.
    public static func quoted(_ text: String) -> String {
        var out = ""
        appendString(text, into: &out)
        return out
    }
}
