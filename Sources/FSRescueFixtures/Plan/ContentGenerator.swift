// The bytes of generated files, one block at a time.

/// Produces a file's content block by block: block `n` depends only on the file's seed and `n`.
enum ContentGenerator {
    private static let words: [[UInt8]] = (NameGenerator.words + NameGenerator.unicodeWords + ["the", "of", "and", "to", "a", "in", "is", "it"])
        .map { Array($0.utf8) }

    /// Logical block ranges that hold data (holes elsewhere), clipped to the file size.
    static func dataRanges(_ content: FileContent, blockSize: UInt64) -> [Range<UInt64>] {
        let blocks = (content.size + blockSize - 1) / blockSize
        guard let ranges = content.dataRanges else { return blocks == 0 ? [] : [0..<blocks] }
        return ranges.compactMap { r in r.lowerBound < blocks ? r.lowerBound..<Swift.min(r.upperBound, blocks) : nil }
    }

    /// What an unwritten block holds on disk: seeded bytes of another stream (a deleted file's old
    /// data), never what the file reads there.
    static func fillStale(_ content: FileContent, block: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        var rng = SeededRandom(seed: content.seed ^ 0x5A1E_DA7A, stream: block)
        rng.fill(buffer)
    }

    /// Writes logical block `block` of the file into `buffer` (exactly one block): data up to the
    /// file size, zeros after it.
    static func fill(_ content: FileContent, block: UInt64, into buffer: UnsafeMutableRawBufferPointer) {
        let bs = UInt64(buffer.count)
        let start = block * bs
        let valid = Int(Swift.min(bs, content.size - Swift.min(content.size, start)))
        if valid < buffer.count {
            UnsafeMutableRawBufferPointer(rebasing: buffer[valid...]).initializeMemory(as: UInt8.self, repeating: 0)
        }
        guard valid > 0 else { return }
        let region = UnsafeMutableRawBufferPointer(rebasing: buffer[0..<valid])
        if let literal = content.literal {
            for i in 0..<valid { region[i] = literal[Int(start) + i] }
            return
        }
        var rng = SeededRandom(seed: content.seed, stream: block)
        switch content.style {
        case .binary:
            rng.fill(region)
        case .text:
            // Words copied whole (memcpy), a space or a newline after each: text-like and fast.
            let base = region.baseAddress!
            var i = 0
            var column = 0
            while i < valid {
                let word = words[Int(rng.below(UInt64(words.count)))]
                let n = Swift.min(word.count, valid - i)
                word.withUnsafeBytes { (base + i).copyMemory(from: $0.baseAddress!, byteCount: n) }
                i += n
                column += n + 1
                if i < valid {
                    let breakLine = column > 60 + Int(rng.below(20))
                    region[i] = breakLine ? 0x0A : 0x20
                    if breakLine { column = 0 }
                    i += 1
                }
            }
        }
    }
}
