// What libblkid sees in an image: a filesystem signature and/or a partition table.
internal import CFSRescueBlkid
import Glibc

/// One partition of a partition table, as libblkid reports it (offsets converted to bytes).
public struct Partition: Sendable, Codable, Equatable {
    /// Partition number as the table numbers it (`blkid_partition_get_partno`).
    public let number: Int
    /// Byte offset of the partition in the image (`blkid_partition_get_start` × 512).
    public let offsetBytes: UInt64
    /// Size in bytes (`blkid_partition_get_size` × 512).
    public let sizeBytes: UInt64
    /// The table's partition type: a GPT type GUID or an MBR type such as `0x83`.
    public let partitionType: String
    /// The filesystem libblkid finds inside the partition (`ext4`, `xfs`, …), if any.
    public let filesystemType: String?

    /// Whether libblkid found an ext2, ext3 or ext4 signature in it.
    public var isExt: Bool { filesystemType.map(DiskProbe.isExtType) ?? false }
}

/// A partition table found in an image.
public struct PartitionTable: Sendable, Codable, Equatable {
    /// `gpt`, `dos` (MBR), … as libblkid names it (`PTTYPE`).
    public let type: String
    /// Its partitions, in table order (`blkid_partlist_get_partition`).
    public let partitions: [Partition]
}

/// The result of probing an image or a region of it with libblkid.
public struct DiskProbe: Sendable {
    /// The filesystem type at the start of the region (`TYPE`), if libblkid recognized one.
    public let filesystemType: String?
    /// The partition table, if the region holds one.
    public let partitionTable: PartitionTable?

    static func isExtType(_ type: String) -> Bool {
        ["ext2", "ext3", "ext4", "ext4dev", "jbd"].contains(type)
    }

    /// Probes `source` (or the region `offset..<offset+size` of it) for a filesystem and a partition
    /// table, with `blkid_probe_set_device` on the already open read-only descriptor.
    public static func probe(_ source: ImageSource, offset: UInt64 = 0, size: UInt64? = nil,
                             partitions: Bool = true) -> DiskProbe {
        let length = size ?? (source.sizeBytes > offset ? source.sizeBytes - offset : 0)
        guard let pr = blkid_new_probe() else { return DiskProbe(filesystemType: nil, partitionTable: nil) }
        defer {
            blkid_free_probe(pr)
            // blkid_probe_set_device marks the descriptor POSIX_FADV_RANDOM (its probe reads are
            // scattered). Salvage then copies file data through this same descriptor, and random mode
            // turns the kernel's read-ahead off for every sequential read it makes: undo it.
            _ = posix_fadvise(source.descriptor, 0, 0, POSIX_FADV_NORMAL)
        }
        guard blkid_probe_set_device(pr, source.descriptor, blkid_loff_t(clamping: offset), blkid_loff_t(clamping: length)) == 0 else {
            return DiskProbe(filesystemType: nil, partitionTable: nil)
        }
        blkid_probe_enable_superblocks(pr, 1)
        blkid_probe_set_superblocks_flags(pr, BLKID_SUBLKS_TYPE | BLKID_SUBLKS_USAGE)
        blkid_probe_enable_partitions(pr, partitions ? 1 : 0)
        if partitions { blkid_probe_set_partitions_flags(pr, BLKID_PARTS_ENTRY_DETAILS) }
        // 0 found, 1 nothing, -2 ambivalent (several signatures), -1 error: all leave what was read.
        _ = blkid_do_probe(pr)
        let type = lookup(pr, "TYPE")
        var table: PartitionTable?
        if partitions, let ptType = lookup(pr, "PTTYPE") ?? (blkid_probe_get_partitions(pr) != nil ? "unknown" : nil) {
            table = readTable(pr, type: ptType, source: source, baseOffset: offset)
        }
        return DiskProbe(filesystemType: type, partitionTable: table)
    }

    private static func lookup(_ pr: blkid_probe, _ name: String) -> String? {
        var data: UnsafePointer<CChar>?
        var len = 0
        guard blkid_probe_lookup_value(pr, name, &data, &len) == 0, let data else { return nil }
        return String(cString: data)
    }

    private static func readTable(_ pr: blkid_probe, type: String, source: ImageSource, baseOffset: UInt64) -> PartitionTable? {
        guard let list = blkid_probe_get_partitions(pr) else { return nil }
        let count = blkid_partlist_numof_partitions(list)
        guard count > 0 else { return PartitionTable(type: type, partitions: []) }
        var parts: [Partition] = []
        for i in 0..<count {
            guard let par = blkid_partlist_get_partition(list, i) else { continue }
            // Sectors from the partition table, untrusted: a start past the image is no partition of it,
            // and a size is cut at the image's end.
            let (start, startOverflow) = UInt64(max(0, blkid_partition_get_start(par))).multipliedReportingOverflow(by: 512)
            let (sectorsBytes, sizeOverflow) = UInt64(max(0, blkid_partition_get_size(par))).multipliedReportingOverflow(by: 512)
            let (absolute, absoluteOverflow) = baseOffset.addingReportingOverflow(start)
            guard !startOverflow, !absoluteOverflow, absolute < source.sizeBytes else { continue }
            let size = min(sizeOverflow ? UInt64.max : sectorsBytes, source.sizeBytes - absolute)
            var ptype: String
            if let s = blkid_partition_get_type_string(par) {
                ptype = String(cString: s)
            } else {
                ptype = "0x" + String(blkid_partition_get_type(par), radix: 16)
            }
            if ptype.isEmpty { ptype = "unknown" }
            // Extended (container) MBR partitions hold other partitions, not a filesystem.
            let inner = blkid_partition_is_extended(par) != 0 ? nil
                : probe(source, offset: absolute, size: size, partitions: false).filesystemType
            parts.append(Partition(number: Int(blkid_partition_get_partno(par)), offsetBytes: absolute,
                                   sizeBytes: size, partitionType: ptype, filesystemType: inner))
        }
        return PartitionTable(type: type, partitions: parts)
    }
}
