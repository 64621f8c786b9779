// One manifest line written by hand, as bytes: JSONEncoder, then String building, were most of salvage's own CPU time.

extension ManifestRecord {
    /// The record as one line of JSON, keys in sorted order as `JSONEncoder` with `.sortedKeys` and
    /// `.convertToSnakeCase` would write them (absent optionals omitted); `JSONDecoder` reads it back.
    var jsonLine: String {
        var out: [UInt8] = []
        appendJSON(to: &out)
        return String(decoding: out, as: UTF8.self)
    }

    /// Appends ``jsonLine``'s bytes (no newline) to `out`, a buffer the caller reuses from line to line.
    func appendJSON(to out: inout [UInt8]) {
        out.appendASCII("{\"bytes_recovered\":")
        out.appendDecimal(bytesRecovered)
        out.appendASCII(",\"confidence\":")
        if confidence == confidence.rounded() && abs(confidence) < 1e15 {
            out.appendDecimal(Int64(confidence))
        } else {
            out.append(contentsOf: String(confidence).utf8)
        }
        if let doubtfulRanges { out.appendASCII(",\"doubtful_ranges\":"); out.appendRanges(doubtfulRanges) }
        out.appendASCII(",\"findings\":[")
        for (i, finding) in findings.enumerated() {
            if i > 0 { out.append(0x2C) }
            out.appendJSONString(finding)
        }
        out.appendASCII("],\"gid\":")
        out.appendDecimal(UInt64(gid))
        if let hardLinkTo { out.appendASCII(",\"hard_link_to\":"); out.appendJSONString(hardLinkTo) }
        if let history { out.appendASCII(",\"history\":"); out.appendJSONString(history) }
        if let imagePath { out.appendASCII(",\"image_path\":"); out.appendJSONString(imagePath) }
        out.appendASCII(",\"inode\":")
        out.appendDecimal(UInt64(inode))
        if let journalCommitTime { out.appendASCII(",\"journal_commit_time\":"); out.appendDecimal(journalCommitTime) }
        if let journalSequence { out.appendASCII(",\"journal_sequence\":"); out.appendDecimal(UInt64(journalSequence)) }
        if let linkTarget { out.appendASCII(",\"link_target\":"); out.appendJSONString(linkTarget) }
        if let missingRanges { out.appendASCII(",\"missing_ranges\":"); out.appendRanges(missingRanges) }
        out.appendASCII(",\"mode\":")
        out.appendDecimal(UInt64(mode))
        out.appendASCII(",\"mtime\":")
        out.appendDecimal(mtime)
        if let name { out.appendASCII(",\"name\":"); out.appendJSONString(name) }
        if let nameBase64 { out.appendASCII(",\"name_base64\":"); out.appendJSONString(nameBase64) }
        out.appendASCII(",\"name_source\":")
        out.appendJSONString(nameSource.rawValue)
        out.appendASCII(",\"path\":")
        out.appendJSONString(path)
        out.appendASCII(",\"record\":")
        out.appendJSONString(record)
        if let sha256 { out.appendASCII(",\"sha256\":"); out.appendJSONString(sha256) }
        if let sha256Omitted { out.appendASCII(",\"sha256_omitted\":"); out.appendJSONString(sha256Omitted) }
        out.appendASCII(",\"size\":")
        out.appendDecimal(size)
        if let skippedReason { out.appendASCII(",\"skipped_reason\":"); out.appendJSONString(skippedReason) }
        out.appendASCII(",\"status\":")
        out.appendJSONString(status.rawValue)
        out.appendASCII(",\"type\":")
        out.appendJSONString(type.rawValue)
        out.appendASCII(",\"uid\":")
        out.appendDecimal(UInt64(uid))
        if let unreadRanges { out.appendASCII(",\"unread_ranges\":"); out.appendRanges(unreadRanges) }
        out.append(0x7D)
    }
}

extension [UInt8] {
    /// Appends a literal's UTF-8 bytes.
    @inline(__always)
    mutating func appendASCII(_ text: StaticString) {
        append(contentsOf: UnsafeBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Appends `value` in decimal, without building a `String`: digits go into a buffer on the stack,
    /// then into the array in one copy.
    mutating func appendDecimal(_ value: UInt64) {
        var digits: (UInt64, UInt64, UInt64) = (0, 0, 0)
        Swift.withUnsafeMutableBytes(of: &digits) { buffer in
            var v = value
            var i = buffer.count
            repeat {
                i -= 1
                buffer[i] = UInt8(truncatingIfNeeded: v % 10) + 0x30
                v /= 10
            } while v > 0
            append(contentsOf: UnsafeRawBufferPointer(rebasing: buffer[i...]))
        }
    }

    /// Appends `value` in decimal, with a `-` when negative.
    mutating func appendDecimal(_ value: Int64) {
        if value < 0 { append(0x2D) }
        appendDecimal(value.magnitude)
    }

    /// Appends `[[a,b],[c,d]]`.
    mutating func appendRanges(_ ranges: [[UInt64]]) {
        append(0x5B)
        for (i, range) in ranges.enumerated() {
            if i > 0 { append(0x2C) }
            append(0x5B)
            for (j, v) in range.enumerated() {
                if j > 0 { append(0x2C) }
                appendDecimal(v)
            }
            append(0x5D)
        }
        append(0x5D)
    }

    /// Appends `text` as a JSON string, escaped as ``JSONText/appendString(_:into:)`` escapes it.
    mutating func appendJSONString(_ text: String) {
        append(0x22)
        var text = text
        text.withUTF8 { utf8 in
            if !utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) {
                append(contentsOf: utf8)
            } else {
                for byte in utf8 { JSONText.appendEscaped(byte, into: &self) }
            }
        }
        append(0x22)
    }
}
