// `scan --html FILE`: one self-contained, offline page that shows the damage at a glance.
import FSRescue

/// Renders a scan and its ``DamageMap`` as one HTML page: no script, no external resource, every
/// piece of text from the image escaped (names on a damaged disk are hostile input).
enum ScanHTML {
    /// Cells the group map draws at most; more groups are drawn several to a cell.
    static let maxCells = 4096
    static let maxFindings = 1000

    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.utf8.count)
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default:
                // Control characters would break the page or hide text: shown as their code.
                // Bidirectional controls would let a name display reordered (a "gpj.exe" trick).
                if scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || (0x202A...0x202E).contains(scalar.value)
                    || (0x2066...0x2069).contains(scalar.value) || scalar.value == 0x200E || scalar.value == 0x200F {
                    out += "\\x" + String(scalar.value, radix: 16)
                } else {
                    out.unicodeScalars.append(scalar)
                }
            }
        }
        return out
    }

    /// A section: its heading, then `empty` when there are no rows, else a table of the (already
    /// escaped) cells.
    private static func table(_ title: String, empty: String, header: [String], rows: [[String]]) -> String {
        var h = "<h2>\(title)</h2>\n"
        guard !rows.isEmpty else { return h + "<p>\(empty)</p>\n" }
        h += "<table><tr>" + header.map { "<th>\($0)</th>" }.joined() + "</tr>\n"
        for row in rows { h += "<tr>" + row.map { "<td>\($0)</td>" }.joined() + "</tr>\n" }
        return h + "</table>\n"
    }

    static func render(report: ScanReport, map: DamageMap) -> String {
        let info = report.info
        var h = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8">
        <title>fsrescue: \(escape(info.image.path))</title>
        <style>
        body{font:14px/1.45 system-ui,sans-serif;margin:24px;color:#1b1f24;max-width:1200px}
        h1{font-size:20px;margin:0 0 4px} h2{font-size:16px;margin:28px 0 8px;border-bottom:1px solid #d0d7de}
        .verdict{font-weight:700;padding:2px 8px;border-radius:4px;color:#fff}
        .clean{background:#1a7f37} .damaged{background:#cf222e}
        .grid{display:flex;flex-wrap:wrap;gap:2px;margin:8px 0}
        .cell{width:14px;height:14px;border:1px solid #8c959f;box-sizing:border-box}
        .cell.unread{border:2px solid #cf222e} .cell.hurt{border:2px solid #d4a72c} .cell.unread.hurt{border:2px solid #8250df}
        .legend span{display:inline-block;margin-right:16px} .legend .cell{display:inline-block;vertical-align:middle;margin-right:4px}
        table{border-collapse:collapse;width:100%} td,th{border:1px solid #d0d7de;padding:3px 6px;text-align:left;vertical-align:top}
        th{background:#f6f8fa} code{font:12px ui-monospace,monospace} .error{color:#cf222e} .warning{color:#9a6700} .info{color:#57606a}
        details summary{cursor:pointer}
        </style></head><body>

        """
        let verdict = report.verdict == .clean ? "clean" : "damaged"
        let c = report.counts
        h += "<h1>\(escape(info.image.path))</h1>\n"
        h += "<p><span class=\"verdict \(verdict)\">\(verdict.uppercased())</span> \(escape(info.type)), \(info.blockSize)-byte blocks, "
        h += "\(info.blocksCount) blocks in \(info.groupCount) group(s); \(c.inodesInUse) inodes in use (\(c.regularFiles) files, \(c.directories) directories); "
        h += "\(report.findings.count) finding(s), \(report.orphans.count) orphan(s).</p>\n"

        // The group map.
        h += "<h2>Block groups</h2>\n<p class=\"legend\">"
        h += "<span><i class=\"cell\" style=\"background:#24477a\"></i>metadata</span><span><i class=\"cell\" style=\"background:#6fa8dc\"></i>data in use</span>"
        h += "<span><i class=\"cell\" style=\"background:#f2f5f8\"></i>free</span><span><i class=\"cell unread\"></i>never read or unreadable</span>"
        h += "<span><i class=\"cell hurt\"></i>damaged structures</span></p>\n<div class=\"grid\">\n"
        let perCell = max(1, (map.groups.count + maxCells - 1) / maxCells)
        var i = 0
        while i < map.groups.count {
            let part = map.groups[i..<min(i + perCell, map.groups.count)]
            let blocks = part.reduce(UInt64(0)) { $0 + $1.blocks }
            let free = part.reduce(UInt64(0)) { $0 + $1.freeBlocks }, meta = part.reduce(UInt64(0)) { $0 + $1.metadataBlocks }
            let unread = part.reduce(UInt64(0)) { $0 + $1.unreadBlocks }, findings = part.reduce(0) { $0 + $1.findings }
            let m = blocks == 0 ? 0 : Int(meta * 100 / blocks), u = blocks == 0 ? 0 : Int(min(100, (blocks - min(blocks, free)) * 100 / blocks))
            let used = max(m, u)
            var classes = "cell"
            if unread > 0 { classes += " unread" }
            if findings > 0 { classes += " hurt" }
            let name = part.first!.group == part.last!.group ? "Group \(part.first!.group)" : "Groups \(part.first!.group)–\(part.last!.group)"
            var title = "\(name): blocks \(part.first!.firstBlock)–\(part.last!.firstBlock + part.last!.blocks - 1), \(u)% in use, \(meta) metadata blocks"
            if unread > 0 { title += ", \(unread) blocks never read or unreadable" }
            if findings > 0 { title += ", \(findings) finding(s)" }
            h += "<i class=\"\(classes)\" title=\"\(escape(title))\" style=\"background:linear-gradient(to top,#24477a 0 \(m)%,#6fa8dc \(m)% \(used)%,#f2f5f8 \(used)% 100%)\"></i>"
            i += perCell
        }
        h += "\n</div>\n"
        if perCell > 1 { h += "<p class=\"info\">Each cell is \(perCell) groups.</p>\n" }
        if map.slicesPerGroup > 1 { h += "<p class=\"info\">Each group is drawn as \(map.slicesPerGroup) cells, in block order.</p>\n" }

        // Areas and the files they touch.
        h += table("Unread areas and damaged structures (\(map.areas.count))",
                   empty: "None: every block was read, and no finding names a block.",
                   header: ["blocks", "what", "files it touches"], rows: map.areas.prefix(maxFindings).map { area in
            let range = area.count == 1 ? "\(area.firstBlock)" : "\(area.firstBlock)–\(area.firstBlock + area.count - 1)"
            let cls = area.kind == .damaged ? "warning" : "error"
            let files = area.files.isEmpty ? "<span class=\"info\">none found</span>"
                : "<details><summary>\(area.files.count)\(area.files.count == DamageMap.filesPerArea ? "+" : "") file(s)</summary>"
                  + area.files.map { "<code>\(escape($0))</code>" }.joined(separator: "<br>") + "</details>"
            return ["<code>\(range)</code>", "<span class=\"\(cls)\">\(escape(area.what))</span>", files]
        })
        // Orphans and their names.
        let paths = report.recoveredPaths
        h += table("Orphans (\(report.orphans.count))", empty: "None: every inode in use is reachable from the root.",
                   header: ["inode", "kind", "type", "size", "name the evidence supports"], rows: report.orphans.prefix(maxFindings).map { o in
            let name = paths[o.inode].map { "<code>\(escape($0.text))</code> <span class=\"info\">(\(escape($0.source.rawValue)), \(Int($0.confidence * 100))%)</span>" }
                ?? "<span class=\"info\">#\(o.inode): no evidence</span>"
            return ["\(o.inode)", escape(o.kind.rawValue), escape(o.type.rawValue), "\(o.size)", name]
        })
        // Every finding.
        var rows = report.findings.prefix(maxFindings).map { f in
            ["<span class=\"\(f.severity.rawValue)\">\(f.severity.rawValue)</span>", "<code>\(escape(f.code.id))</code>", escape(f.message)]
        }
        if report.findings.count > maxFindings { rows.append(["", "", "… and \(report.findings.count - maxFindings) more (see --json)"]) }
        h += table("Findings (\(report.findings.count))", empty: "No problems found.", header: ["severity", "code", "message"], rows: rows)
        h += "<p class=\"info\">Written by fsrescue, read-only; nothing was changed on the image.</p>\n</body></html>\n"
        return h
    }
}
