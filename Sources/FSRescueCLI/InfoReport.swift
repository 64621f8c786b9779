// The human-readable rendering of `FilesystemInfo`.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue

enum InfoReport {
    static func text(_ info: FilesystemInfo) -> String {
        var rows: [(String, String)] = []
        func row(_ k: String, _ v: String) { rows.append((k, v)) }

        row("Image", "\(info.image.path) (\(info.image.kind.rawValue), \(info.image.sizeBytes) bytes)")
        if let table = info.location.partitionTable {
            row("Partition table", "\(table.type), \(table.partitions.count) partition\(table.partitions.count == 1 ? "" : "s")")
            for p in table.partitions {
                let mark = p.number == info.location.partition ? "*" : " "
                row("", "\(mark) \(p.number): \(p.filesystemType ?? "unknown") at byte \(p.offsetBytes), \(p.sizeBytes) bytes, type \(p.partitionType)")
            }
        }
        let how: String = switch info.location.chosenBy {
        case "only-ext-partition": "partition \(info.location.partition ?? 0), the only ext partition"
        case "partition": "partition \(info.location.partition ?? 0), as asked"
        case "unrecognized-partition": "partition \(info.location.partition ?? 0), not recognized by blkid"
        case "--offset": "as given by --offset"
        default: "the whole image"
        }
        row("Filesystem", "\(info.type) at byte \(info.location.offsetBytes) (\(how)); blkid says \(info.location.blkidType ?? "nothing")")
        let sb = info.superblock
        row("Superblock", sb.isBackup ? "BACKUP at block \(sb.block) (block size \(sb.blockSize))" : "primary")
        row("UUID", info.uuid)
        row("Label", info.label.isEmpty ? "(none)" : info.label)
        if !info.lastMountedOn.isEmpty { row("Last mounted on", info.lastMountedOn) }
        row("Features", info.features.joined(separator: " "))
        row("Block size", "\(info.blockSize)")
        row("Blocks", "\(info.blocksCount) (\(info.freeBlocks) free, \(info.reservedBlocks) reserved, first data block \(info.firstDataBlock))")
        row("Inodes", "\(info.inodesCount) (\(info.freeInodes) free, \(info.inodeSize) bytes each)")
        row("Groups", "\(info.groupCount) (\(info.blocksPerGroup) blocks, \(info.inodesPerGroup) inodes per group)")
        let st = info.state
        row("State", (st.clean ? "clean" : "not clean") + (st.errors ? ", ERRORS recorded" : "")
            + (st.errorCount > 0 ? " (\(st.errorCount) errors)" : "") + "; on error: \(st.errorBehavior)")
        row("Mounts", "\(st.mountCount) of \(st.maxMountCount < 0 ? "unlimited" : String(st.maxMountCount))")
        row("Created", date(info.times.created))
        row("Last mount", date(info.times.lastMount))
        row("Last write", date(info.times.lastWrite))
        row("Last check", date(info.times.lastCheck))
        row("Orphan list", info.orphans.listHead == 0 ? "empty" : "head inode \(info.orphans.listHead)")
        row("Orphan file", info.orphans.orphanFile ? "yes (inode \(info.orphans.orphanFileInode ?? 0))" : "no")
        let j = info.journal
        row("Journal", !j.present ? "none" : (j.external ? "external" : "internal (inode \(j.inode ?? 0))")
            + (j.needsRecovery ? ", NEEDS RECOVERY" : "")
            + (j.replay.map { ", replayed in memory (\($0.transactions) transaction\($0.transactions == 1 ? "" : "s"), \($0.blocks) blocks)" } ?? ""))
        let t = info.truncation
        row("Image length", t.isShort
            ? "SHORT: \(t.availableBytes) of \(t.filesystemBytes) bytes (\(t.missingBytes) missing)"
            : "complete (\(t.filesystemBytes) bytes of filesystem)")

        let width = rows.map(\.0.count).max() ?? 0
        var out = rows.map { $0.0.padded(to: width) + "  " + $0.1 }.joined(separator: "\n") + "\n"
        if info.findings.isEmpty {
            out += "\nNo problems met while opening.\n"
        } else {
            out += "\nFindings:\n"
            for f in info.findings { out += "  [\(f.severity.rawValue)] \(f.code.id): \(f.message)\n" }
        }
        return out
    }

    private static func date(_ d: Date?) -> String {
        guard let d else { return "never" }
        return d.formatted(.iso8601)
    }
}
