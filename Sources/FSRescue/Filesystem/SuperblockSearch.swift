// Finding a usable backup superblock when the primary is gone, as `e2fsck -b` would but on its own.
internal import CFSRescueExt2fs

enum SuperblockSearch {
    static let blockSizes: [UInt32] = [1024, 2048, 4096, 8192, 16384, 32768, 65536]

    /// Groups holding backups with `sparse_super` (0, 1 and powers of 3, 5 and 7); without it every
    /// group has one, and these are among them, so the same list serves both.
    static func backupGroups(upTo limit: UInt64) -> [UInt64] {
        var groups: Set<UInt64> = [1]
        for base in [3, 5, 7] as [UInt64] {
            var g = base
            while g < limit { groups.insert(g); g *= base }
        }
        return groups.filter { $0 < limit }.sorted()
    }

    /// Tries the backup superblock of group 1, 3, 5, 7, 9, 25, … for every plausible block size, in
    /// order of position in the image, and opens from the first one libext2fs accepts.
    static func findBackup(source: ImageSource, location: FilesystemLocation, mapfile: Mapfile? = nil)
        -> (ext2_filsys, SuperblockLocation, [Finding])?
    {
        var tries: [(block: UInt64, blockSize: UInt32, byte: UInt64)] = []
        for bs in blockSizes {
            let blocksPerGroup = UInt64(bs) * 8
            let groupBytes = blocksPerGroup * UInt64(bs)
            let maxGroups = location.regionBytes / groupBytes + 1
            for g in backupGroups(upTo: maxGroups) {
                let block = g * blocksPerGroup + (bs == 1024 ? 1 : 0)
                let byte = block * UInt64(bs)
                if byte + 1024 <= location.regionBytes { tries.append((block, bs, byte)) }
            }
        }
        tries.sort { ($0.byte, $0.blockSize) < ($1.byte, $1.blockSize) }
        for t in tries.prefix(64) {
            guard let (fs, findings) = try? OpenLadder.open(source: source, offset: location.offsetBytes,
                                                             superblock: t.block, blockSize: t.blockSize, mapfile: mapfile) else { continue }
            return (fs, SuperblockLocation(block: t.block, blockSize: t.blockSize, isBackup: true), findings)
        }
        return nil
    }
}
