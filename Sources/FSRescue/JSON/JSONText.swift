// Writing JSON strings by hand on hot paths (progress events, million-entry truth files).

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
            for scalar in text.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "\n": out += "\\n"
                case "\t": out += "\\t"
                case "\r": out += "\\r"
                case _ where scalar.value < 0x20:
                    let hex = String(scalar.value, radix: 16)
                    out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
                default: out.unicodeScalars.append(scalar)
                }
            }
        }
        out += "\""
    }

    /// `text` as a JSON string.
    public static func quoted(_ text: String) -> String {
        var out = ""
        appendString(text, into: &out)
        return out
    }
}
