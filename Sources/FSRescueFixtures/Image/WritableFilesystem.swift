// The one place in the package that opens a filesystem with EXT2_FLAG_RW: on images it created.
internal import CFSRescueExt2fs
import FSRescue

/// Turns a libext2fs result code into a thrown error saying what was being done (the fixture
/// module's counterpart of FSRescue's `ext2Check`; the only place here that inspects codes).
@inline(__always)
func ext2Call(_ code: errcode_t, _ what: @autoclosure () -> String, path: String? = nil) throws(FSRescueError) {
    guard code != 0 else { return }
    let cause = Ext2Error(code: Int(code))
    throw FSRescueError(.outputFailed, "\(what()) failed: \(cause.message).", path: path, cause: cause)
}

/// A libext2fs handle opened read-write (`ext2fs_open2` with `EXT2_FLAG_RW | EXT2_FLAG_64BITS`)
/// on a ``CreatedImageFile``, with its bitmaps loaded (`ext2fs_read_bitmaps`).
///
/// ``close()`` writes bitmaps, group descriptors and superblocks once (`ext2fs_close2` with
/// `EXT2_FLAG_FLUSH_NO_SYNC`: a fixture needs no fsync, and one would dominate the run time on big
/// images). Dropping the value without `close()` frees the handle without writing
/// (`ext2fs_free`), leaving a half-made image the caller deletes.
final class WritableFilesystem {
    let fs: ext2_filsys
    let image: CreatedImageFile
    private var closed = false

    init(_ image: CreatedImageFile) throws(FSRescueError) {
        guard image.isStillOurs() else {
            throw FSRescueError(.outputFailed, "\(image.path) was replaced while the fixture was being made; run the command again.", path: image.path)
        }
        fsr_initialize_ext2_error_table()
        var handle: ext2_filsys?
        try ext2Call(ext2fs_open2(image.path, nil, EXT2_FLAG_RW | EXT2_FLAG_64BITS, 0, 0, fsr_unix_io_manager(), &handle),
                     "opening \(image.path) with libext2fs", path: image.path)
        fs = handle!
        self.image = image
        do {
            try ext2Call(ext2fs_read_bitmaps(fs), "reading the bitmaps of \(image.path)", path: image.path)
        } catch {
            ext2fs_free(fs)
            throw error
        }
    }

    deinit {
        if !closed { ext2fs_free(fs) }
    }

    var blockSize: Int { Int(fs.pointee.blocksize) }
    var inodeSize: Int { Int(fsr_inode_size(fs)) }
    var blocksCount: UInt64 { ext2fs_blocks_count(fs.pointee.super) }
    var hasMetadataChecksums: Bool { fsr_has_metadata_csum(fs) != 0 }
    var usesExtents: Bool { fsr_has_extents(fs) != 0 }

    /// Sets the time libext2fs stamps on what it writes (`fs->now`): `s_wtime` at close, and the
    /// times of inodes it creates itself. A seeded value keeps images byte-identical.
    func setNow(_ time: UInt32) { fs.pointee.now = time_t(time) }

    /// Writes everything once and closes (`ext2fs_close2`, no fsync).
    func close() throws(FSRescueError) {
        closed = true
        try ext2Call(ext2fs_close2(fs, EXT2_FLAG_FLUSH_NO_SYNC), "writing the metadata of \(image.path)", path: image.path)
    }

    /// Reads inode `ino` in full (`ext2fs_read_inode_full`).
    func readInode(_ ino: UInt32) throws(FSRescueError) -> [UInt8] {
        var raw = [UInt8](repeating: 0, count: inodeSize)
        let code = raw.withUnsafeMutableBytes { p in
            ext2fs_read_inode_full(fs, ino, p.baseAddress!.assumingMemoryBound(to: ext2_inode.self), Int32(p.count))
        }
        try ext2Call(code, "reading inode \(ino)", path: image.path)
        return raw
    }

    /// Writes inode `ino` in full (`ext2fs_write_inode_full`, which sets the inode checksum).
    func writeInode(_ ino: UInt32, _ raw: [UInt8]) throws(FSRescueError) {
        var copy = raw
        let code = copy.withUnsafeMutableBytes { p in
            ext2fs_write_inode_full(fs, ino, p.baseAddress!.assumingMemoryBound(to: ext2_inode.self), Int32(p.count))
        }
        try ext2Call(code, "writing inode \(ino)", path: image.path)
    }

    /// Reads a directory block (`ext2fs_read_dir_block4`), checksum errors tolerated.
    func readDirectoryBlock(_ block: UInt64, dir: UInt32) throws(FSRescueError) -> [UInt8] {
        var buf = [UInt8](repeating: 0, count: blockSize)
        let code = buf.withUnsafeMutableBytes { ext2fs_read_dir_block4(fs, block, $0.baseAddress, 0, dir) }
        if code != 0 && code != errcode_t(EXT2_ET_DIR_CSUM_INVALID) {
            try ext2Call(code, "reading directory block \(block)", path: image.path)
        }
        return buf
    }

    /// Writes a directory block (`ext2fs_write_dir_block4`, which sets its checksum tail).
    func writeDirectoryBlock(_ block: UInt64, dir: UInt32, _ bytes: [UInt8]) throws(FSRescueError) {
        var buf = bytes
        let code = buf.withUnsafeMutableBytes { ext2fs_write_dir_block4(fs, block, $0.baseAddress, 0, dir) }
        try ext2Call(code, "writing directory block \(block)", path: image.path)
    }
}
