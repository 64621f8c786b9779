// Fast, deterministic JSON for truth files: one line per entry, keys sorted.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue

/// Writes ``FixtureTruth`` as JSON by hand where it is big (the entries: a million-file fixture
/// has a million of them, and `JSONEncoder` spends longer on them than building the image takes),
/// and with `JSONEncoder` for the small parts. Same keys and values as the `Codable` form, which
/// ``FixtureTruth/read(from:)`` decodes; one entry per line so truths diff well.
enum TruthJSON {
    static func encode(_ truth: FixtureTruth) throws -> Data {
        var out = "{\n"
        func small<T: Encodable>(_ key: String, _ value: T, last: Bool = false) throws { try Self.small(key, value, last: last, into: &out) }
        try small("corruptions", truth.corruptions)
        out += "\"entries\":[\n"
        for (k, e) in truth.entries.enumerated() {
            entry(e, into: &out)
            out += k + 1 < truth.entries.count ? ",\n" : "\n"
        }
        out += "],\n"
        try small("filesystem", truth.filesystem)
        try small("hard_links", truth.hardLinks)
        if let r = truth.recoverable { try small("recoverable", r) }
        try small("schema", truth.schema)
        try small("spec", truth.spec, last: true)
        out += "}\n"
        return Data(out.utf8)
    }

    /// One top-level key whose value `JSONEncoder` writes on one line.
    static func small<T: Encodable>(_ key: String, _ value: T, last: Bool = false, into out: inout String) throws {
        out += "\"\(key)\":" + String(decoding: try encoder.encode(value), as: UTF8.self) + (last ? "\n" : ",\n")
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return e
    }()

    /// One entry, keys in sorted order, absent optionals left out (as `encodeIfPresent` does).
    static func entry(_ e: FixtureTruth.Entry, into out: inout String) {
        var first = true
        func key(_ k: String) { out += first ? "{\"" : ",\""; out += k; out += "\":"; first = false }
        func num<T: BinaryInteger>(_ k: String, _ v: T) { key(k); out += String(v) }
        func str(_ k: String, _ v: String) { key(k); string(v, into: &out) }
        func triples(_ k: String, _ v: [[UInt64]]) { key(k); out += "[" + v.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",") + "]" }
        if let v = e.dataRanges { triples("data_ranges", v) }
        if let v = e.device { key("device"); out += "[" + v.map(String.init).joined(separator: ",") + "]" }
        if let v = e.extents { triples("extents", v) }
        num("gid", e.gid)
        num("inode", e.inode)
        num("links", e.links)
        if let v = e.mappingBlocks { key("mapping_blocks"); out += "[" + v.map(String.init).joined(separator: ",") + "]" }
        num("mode", e.mode)
        num("mtime", e.mtime)
        str("name", e.name)
        if let v = e.nameHex { str("name_hex", v) }
        num("parent_inode", e.parentInode)
        str("path", e.path)
        if let v = e.sha256 { str("sha256", v) }
        num("size", e.size)
        if let v = e.target { str("target", v) }
        str("type", e.type)
        num("uid", e.uid)
        if let v = e.unwrittenRanges { triples("unwritten_ranges", v) }
        if let v = e.xattrBlock { num("xattr_block", v) }
        if let v = e.xattrs {
            key("xattrs")
            out += "[" + v.map { x in
                var s = "{\"name\":"; string(x.name, into: &s); s += ",\"size\":\(x.size),\"value\":"; string(x.value, into: &s); return s + "}"
            }.joined(separator: ",") + "]"
        }
        out += "}"
    }

    /// A JSON string: quotes, backslashes and control characters escaped, the rest as UTF-8.
    static func string(_ s: String, into out: inout String) { JSONText.appendString(s, into: &out) }
}
