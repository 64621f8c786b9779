// Linux system calls Swift's Glibc module does not declare (glibc puts them behind _GNU_SOURCE).
// Called through syscall(2), so no feature macro has to agree with how Glibc's module was built.
#ifndef CFSRESCUE_LINUX_SHIM_H
#define CFSRESCUE_LINUX_SHIM_H
#include <stdint.h>
#include <unistd.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <fcntl.h>
#include <errno.h>
#include <linux/openat2.h>

/// sync_file_range(2) flags (linux/fs.h values).
enum {
    FSR_SYNC_FILE_RANGE_WAIT_BEFORE = 1,
    FSR_SYNC_FILE_RANGE_WRITE = 2,
    FSR_SYNC_FILE_RANGE_WAIT_AFTER = 4,
};

/// sync_file_range(2): start writing back, or wait for, the dirty pages of a byte range of `fd`
/// (`count` 0: to the end of the file). Returns 0, or -1 with errno set (EIO: a writeback failed).
static inline int fsr_sync_file_range(int fd, int64_t offset, int64_t count, unsigned flags) {
#ifdef SYS_sync_file_range
    return (int)syscall(SYS_sync_file_range, fd, offset, count, flags);
#else
    (void)fd; (void)offset; (void)count; (void)flags;
    return 0;
#endif
}

/// syncfs(2): commit the filesystem holding `fd` (data, metadata and journal) to its disk.
static inline int fsr_syncfs(int fd) {
    return (int)syscall(SYS_syncfs, fd);
}
/// The filesystem type of `fd` (`fstatfs`'s `f_type`, e.g. 0x01021994 for tmpfs), or 0 when unknown.
static inline unsigned long fsr_filesystem_type(int fd) {
    struct statfs fs;
    return fstatfs(fd, &fs) == 0 ? (unsigned long)fs.f_type : 0;
}
/// Opens the directory `path` (several components) below `dirfd` in one call (`openat2` with
/// `RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS`: a symlink or `..` escape anywhere on the way fails it).
/// -1 with `errno` ENOSYS where the kernel (before 5.6) or a seccomp filter does not offer openat2.
static inline int fsr_open_directory_beneath(int dirfd, const char *path) {
#ifdef SYS_openat2
    struct open_how how = { .flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC, .mode = 0,
                            .resolve = RESOLVE_BENEATH | RESOLVE_NO_SYMLINKS | RESOLVE_NO_MAGICLINKS };
    return (int)syscall(SYS_openat2, dirfd, path, &how, sizeof how);
#else
    errno = ENOSYS;
    return -1;
#endif
}
#endif
