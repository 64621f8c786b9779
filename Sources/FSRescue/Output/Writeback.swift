// Sending written output data to the disk early, then dropping it from the page cache once it is there.
import CFSRescueLinux
#if canImport(Glibc)
import Glibc
#endif

/// Write-behind for output files (`sync_file_range`, then `posix_fadvise` `POSIX_FADV_DONTNEED`).
///
/// A salvage writes each byte once and never reads it back. Left to the kernel, its output piles up
/// as dirty page cache until the dirty limit (gigabytes on a large machine), then the copy stalls
/// while writeback catches up: the rate is fast, then slow, and the ETA wrong both times. Memory is
/// also slow to grow on a VM (measured here: 2.5–3 GB/s for the first gigabytes of fresh page cache,
/// then 0.35–0.4 GB/s). Writing behind (start writeback as data is written, wait for it a window
/// later, then drop the now clean pages) keeps the output's share of the cache to a few windows,
/// reuses the same pages, and makes the copy run at the disk's pace from the start: a 6 GB file
/// written this way took 2.6–3.7 s instead of 14.7–15.4 s on the development VM, `fdatasync` included.
/// It also surfaces writeback errors (EIO) while the item can still be recorded as failed.
enum Writeback {
    /// Data written but not yet waited for, per file (a big file is sent in windows this long).
    static let window: UInt64 = 8 << 20

    /// Starts writing back bytes `[offset, offset + count)` of `fd` (`count` 0: to the end of the
    /// file) without waiting (`sync_file_range` `SYNC_FILE_RANGE_WRITE`).
    static func start(_ fd: Int32, offset: UInt64, count: UInt64) {
        _ = fsr_sync_file_range(fd, Int64(offset), Int64(count), UInt32(FSR_SYNC_FILE_RANGE_WRITE))
    }

    /// Writes back bytes `[offset, offset + count)` of `fd` (`count` 0: to the end) and waits until
    /// they are on the disk (`sync_file_range` with `WAIT_BEFORE | WRITE | WAIT_AFTER`), then drops
    /// those clean pages from the page cache (`POSIX_FADV_DONTNEED`). Returns 0, or the `errno` of a
    /// failed writeback. Not a durability guarantee (metadata and the disk's cache are not flushed):
    /// ``Manifest/close(summary:completed:)`` commits the output with `syncfs` before the end line.
    static func settle(_ fd: Int32, offset: UInt64, count: UInt64) -> Int32 {
        let flags = FSR_SYNC_FILE_RANGE_WAIT_BEFORE | FSR_SYNC_FILE_RANGE_WRITE
            | FSR_SYNC_FILE_RANGE_WAIT_AFTER
        while fsr_sync_file_range(fd, Int64(offset), Int64(count), UInt32(flags)) != 0 {
            if errno == EINTR { continue }
            // Not a regular file on a filesystem that writes back (a pipe, some FUSE mounts): nothing to wait for.
            if errno == ESPIPE || errno == EINVAL || errno == ENOSYS { break }
            return errno
        }
        _ = posix_fadvise(fd, off_t(offset), off_t(count), POSIX_FADV_DONTNEED)
        return 0
    }

    /// Commits the filesystem holding `fd` to its disk (`syncfs`). Returns 0 or the `errno`.
    static func commitFilesystem(of fd: Int32) -> Int32 {
        while fsr_syncfs(fd) != 0 {
            if errno == EINTR { continue }
            return errno
        }
        return 0
    }
}
