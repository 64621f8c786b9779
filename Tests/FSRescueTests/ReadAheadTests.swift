// Read-ahead: the kernel fetches what the scan and the copy will read next, while they work.
import Foundation
import Testing
@testable import FSRescue
import CFSRescueExt2fs
import FSRescueTestSupport

@Suite("Read-ahead", .enabled(if: PageCache.observable))
struct ReadAheadTests {
    @Test("the image descriptor reads ahead again after the blkid probe turned it off")
    func probeLeavesReadAheadOn() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, sizeMiB: 64)
        let ahead: Double = try expectUnchanged(img) {
            let fs = try Filesystem.open(path: img)
            try PageCache.evict(img)
            // What salvage does with file data: a read through the image descriptor.
            var buffer = [UInt8](repeating: 0, count: 16 << 10)
            let n = buffer.withUnsafeMutableBytes { pread(fs.source.descriptor, $0.baseAddress, $0.count, 0) }
            #expect(n == 16 << 10)
            // blkid_probe_set_device leaves the descriptor POSIX_FADV_RANDOM: only the 16 KiB read would be cached.
            return try PageCache.residentShare(of: img, byteRanges: [(16 << 10)..<(64 << 10)])
        }
        #expect(ahead > 0.5, "only \(Int(ahead * 100))% of the 48 KiB after a 16 KiB read at 0 was read ahead")
    }

    @Test("pass 1 asks for the next groups' inode tables, whole on ext2")
    func inodeTablesAheadOnExt2() throws {
        let dir = TemporaryDirectory()
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext2", blockSize: 1024, sizeMiB: 64)
        let (current, ahead): (Double, Double) = try expectUnchanged(img) {
            let fs = try Filesystem.open(path: img)
            #expect(fs.groupCount == 8)
            let bs = UInt64(fs.blockSize), tableBlocks = UInt64(fs.handle.pointee.inode_blocks_per_group)
            let table = { (g: UInt32) -> Range<UInt64> in
                let start = ext2fs_inode_table_loc(fs.handle, g) * bs
                return start..<(start + tableBlocks * bs)
            }
            try PageCache.evict(img)
            var readahead = InodeTableReadahead(fs, lazy: fs.scansInodesLazily)
            readahead.reached(group: 0)
            usleep(200_000)  // the reads were only asked for
            return (try PageCache.residentShare(of: img, byteRanges: [table(0)]),
                    try PageCache.residentShare(of: img, byteRanges: (1..<fs.groupCount).map(table)))
        }
        #expect(ahead > 0.9, "\(Int(ahead * 100))% of groups 1–7's inode tables cached")
        #expect(current < 0.5, "the current group's table is the scan's own read, not read-ahead")
    }

    @Test("on ext4 only the in-use part of a table is asked for, and none of an INODE_UNINIT group")
    func lazyTablesOnExt4() throws {
        let dir = TemporaryDirectory()
        let src = dir.file("src")
        try FileManager.default.createDirectory(atPath: src, withIntermediateDirectories: true)
        for i in 0..<300 { _ = FileManager.default.createFile(atPath: "\(src)/f\(i)", contents: Data("x".utf8)) }
        let img = dir.file("fs.img")
        try TestImages.make(img, type: "ext4", blockSize: 1024, sizeMiB: 64, extra: ["-d", src])
        try expectUnchanged(img) {
            let fs = try Filesystem.open(path: img)
            let readahead = InodeTableReadahead(fs, lazy: fs.scansInodesLazily)
            let tableBlocks = UInt64(fs.handle.pointee.inode_blocks_per_group)
            let used = UInt64(fs.info.inodesPerGroup) - UInt64(ext2fs_bg_itable_unused(fs.handle, 0))
            #expect(used >= 311)  // 300 files, the root, lost+found and the reserved inodes
            #expect(readahead.usedTableBlocks(0) == (used * UInt64(fs.info.inodeSize) + 1023) / 1024)
            #expect(readahead.usedTableBlocks(0) < tableBlocks)
            for g in 1..<fs.groupCount where ext2fs_bg_flags_test(fs.handle, g, UInt16(EXT2_BG_INODE_UNINIT)) != 0 {
                #expect(readahead.usedTableBlocks(g) == 0)
            }
        }
    }
}
