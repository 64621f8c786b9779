// Deciding where the filesystem starts: whole image, a partition, or a given offset.

enum LocationResolver {
    /// Chooses the region to open, from the options and what libblkid finds.
    /// Regions whose type blkid cannot name are returned too: a damaged primary superblock hides the type.
    static func candidates(_ source: ImageSource, _ options: OpenOptions) throws(FSRescueError) -> [FilesystemLocation] {
        let path = source.path
        if let offset = options.offsetBytes {
            guard offset < source.sizeBytes else {
                throw FSRescueError(.usage, "--offset \(offset) is past the end of \(path) (\(source.sizeBytes) bytes).", path: path)
            }
            let probe = DiskProbe.probe(source, offset: offset, partitions: false)
            return [FilesystemLocation(offsetBytes: offset, regionBytes: source.sizeBytes - offset, partition: nil,
                                       partitionTable: nil, blkidType: probe.filesystemType, chosenBy: "--offset")]
        }
        let whole = DiskProbe.probe(source)
        let table = whole.partitionTable.flatMap { $0.partitions.isEmpty ? nil : $0 }
        if let number = options.partition {
            guard let table else {
                throw FSRescueError(.noSuchPartition, "\(path) has no partition table, so --partition \(number) does not apply; drop it.", path: path)
            }
            guard let part = table.partitions.first(where: { $0.number == number }) else {
                throw FSRescueError(.noSuchPartition,
                    "\(path) has no partition \(number); its \(table.type) table holds \(describe(table.partitions)).", path: path)
            }
            return [location(part, table, "partition")]
        }
        if let type = whole.filesystemType, DiskProbe.isExtType(type) || table == nil {
            if !DiskProbe.isExtType(type) {
                throw FSRescueError(.notExtFilesystem,
                    "\(path) looks like \(type), not ext2/ext3/ext4; fsrescue reads ext filesystems only.", path: path)
            }
            return [FilesystemLocation(offsetBytes: 0, regionBytes: source.sizeBytes, partition: nil, partitionTable: nil,
                                       blkidType: type, chosenBy: "whole-image")]
        }
        if let table {
            let ext = table.partitions.filter(\.isExt)
            if ext.count == 1 { return [location(ext[0], table, "only-ext-partition")] }
            if ext.count > 1 {
                throw FSRescueError(.partitionChoiceNeeded,
                    "\(path) holds \(ext.count) ext partitions (\(describe(ext))); choose one with --partition N.", path: path)
            }
            let unknown = table.partitions.filter { $0.filesystemType == nil && $0.sizeBytes > 0 }
            if unknown.isEmpty {
                throw FSRescueError(.noExtPartition,
                    "\(path) holds a \(table.type) partition table with no ext2/ext3/ext4 partition (\(describe(table.partitions))).",
                    path: path)
            }
            return unknown.map { location($0, table, "unrecognized-partition") }
        }
        return [FilesystemLocation(offsetBytes: 0, regionBytes: source.sizeBytes, partition: nil, partitionTable: nil,
                                   blkidType: nil, chosenBy: "whole-image")]
    }

    private static func location(_ part: Partition, _ table: PartitionTable, _ how: String) -> FilesystemLocation {
        FilesystemLocation(offsetBytes: part.offsetBytes, regionBytes: part.sizeBytes, partition: part.number,
                           partitionTable: table, blkidType: part.filesystemType, chosenBy: how)
    }

    static func describe(_ parts: [Partition]) -> String {
        parts.map { "\($0.number): \($0.filesystemType ?? "unknown") at byte \($0.offsetBytes), \($0.sizeBytes) bytes" }
            .joined(separator: "; ")
    }
}
