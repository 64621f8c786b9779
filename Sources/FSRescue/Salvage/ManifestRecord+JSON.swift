// One manifest line written by hand: JSONEncoder (snake-case keys, sorted) was most of salvage's own CPU time.

extension ManifestRecord {
    /// The record as one line of JSON, keys in sorted order as `JSONEncoder` with `.sortedKeys` and
    /// `.convertToSnakeCase` would write them (absent optionals omitted); `JSONDecoder` reads it back.
    var jsonLine: String {
        var out = "{"
        var first = true
        func key(_ k: String) {
            if !first { out += "," }
            first = false
            JSONText.appendString(k, into: &out)
            out += ":"
        }
        func string(_ k: String, _ v: String?) {
            guard let v else { return }
            key(k)
            JSONText.appendString(v, into: &out)
        }
        func ranges(_ k: String, _ v: [[UInt64]]?) {
            guard let v else { return }
            key(k)
            out += "[" + v.map { "[" + $0.map(String.init).joined(separator: ",") + "]" }.joined(separator: ",") + "]"
        }
        key("bytes_recovered"); out += String(bytesRecovered)
        key("confidence"); out += confidence == confidence.rounded() && abs(confidence) < 1e15 ? String(Int64(confidence)) : String(confidence)
        ranges("doubtful_ranges", doubtfulRanges)
        key("findings"); out += "[" + findings.map(JSONText.quoted).joined(separator: ",") + "]"
        key("gid"); out += String(gid)
        string("hard_link_to", hardLinkTo)
        string("image_path", imagePath)
        key("inode"); out += String(inode)
        string("link_target", linkTarget)
        ranges("missing_ranges", missingRanges)
        key("mode"); out += String(mode)
        key("mtime"); out += String(mtime)
        string("name", name)
        string("name_base64", nameBase64)
        string("name_source", nameSource.rawValue)
        string("path", path)
        string("record", record)
        string("sha256", sha256)
        string("sha256_omitted", sha256Omitted)
        key("size"); out += String(size)
        string("skipped_reason", skippedReason)
        string("status", status.rawValue)
        string("type", type.rawValue)
        key("uid"); out += String(uid)
        return out + "}"
    }
}
