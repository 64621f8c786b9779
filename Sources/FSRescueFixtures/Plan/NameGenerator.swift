// Seeded file and directory names: plain, non-ASCII UTF-8, and 255-byte ones.

/// Makes names that are unique within each directory, from the fixture's PRNG.
struct NameGenerator {
    static let words = ["alpha", "bravo", "cedar", "delta", "ember", "fjord", "gamma", "harbor", "ivory", "juniper",
                        "kelp", "lumen", "maple", "nectar", "onyx", "pixel", "quartz", "raven", "sable", "tundra",
                        "umber", "vesper", "willow", "xenon", "yarrow", "zephyr", "report", "backup", "notes", "draft",
                        "photo", "invoice", "config", "build", "cache", "log", "data", "index", "thesis", "budget"]
    /// Words that exercise UTF-8: accents, other scripts, combining marks and an astral-plane emoji.
    static let unicodeWords = ["café", "naïve", "Straße", "日本語", "данные", "Ελληνικά", "עברית", "résumé", "e\u{301}t\u{e9}",
                               "😀", "中文文件", "Ünïcödé", "añejo", "Zürich", "ḟíłè", "한국어"]
    static let textExtensions = ["txt", "md", "log", "csv", "conf", "json", "c", "swift"]
    static let binaryExtensions = ["bin", "dat", "jpg", "gz", "db", "iso", "pdf"]

    /// A name for a file of `style`; `unicode` mixes in a non-ASCII word.
    static func fileName(_ rng: inout SeededRandom, style: ContentStyle, unicode: Bool) -> [UInt8] {
        let first = unicode ? rng.pick(unicodeWords) : rng.pick(words)
        let ext = style == .text ? rng.pick(textExtensions) : rng.pick(binaryExtensions)
        return Array("\(first)-\(rng.pick(words))-\(rng.below(10_000)).\(ext)".utf8)
    }

    static func dirName(_ rng: inout SeededRandom, unicode: Bool) -> [UInt8] {
        let first = unicode ? rng.pick(unicodeWords) : rng.pick(words)
        return Array("\(first)_\(rng.pick(words))\(rng.below(1000))".utf8)
    }

    /// A name of exactly 255 bytes (the ext limit), ASCII or UTF-8 cut on a character boundary and
    /// padded with ASCII so the byte count is exact.
    static func longName(_ rng: inout SeededRandom, unicode: Bool) -> [UInt8] {
        var bytes: [UInt8] = []
        while true {
            let word = Array((unicode ? rng.pick(unicodeWords) : rng.pick(words)).utf8) + [UInt8(ascii: "-")]
            if bytes.count + word.count > 255 { break }
            bytes += word
        }
        while bytes.count < 255 { bytes.append(UInt8(ascii: "0") + UInt8(rng.below(10))) }
        return bytes
    }

    /// Returns `name`, or `name` with a `~N` suffix when the directory already holds it (kept under 256 bytes).
    static func unique(_ name: [UInt8], in taken: inout Set<[UInt8]>) -> [UInt8] {
        if taken.insert(name).inserted { return name }
        var n = 1
        while true {
            let suffix = Array("~\(n)".utf8)
            var base = Array(name.prefix(255 - suffix.count))
            while let last = base.last, last & 0xC0 == 0x80 { base.removeLast() }  // keep UTF-8 whole
            if let last = base.last, last >= 0xC0 { base.removeLast() }
            let candidate = base + suffix
            if taken.insert(candidate).inserted { return candidate }
            n += 1
        }
    }
}
