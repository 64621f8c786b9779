// Proof that an image file was created by the fixture factory itself, the only files it may write.
import FSRescue
#if canImport(Glibc)
import Glibc
#endif

/// An image file this process created (`open(O_CREAT|O_EXCL)`), identified by device and inode
/// number. ``WritableFilesystem`` accepts nothing else, so no code path can open a user's image
/// (a fixture's input included) with `EXT2_FLAG_RW`.
struct CreatedImageFile: Sendable {
    let path: String
    private let device: UInt64
    private let inode: UInt64

    /// Creates `path` as a new empty file of `size` bytes (sparse: `ftruncate`). An existing file is
    /// refused unless `replace` is set, in which case it is unlinked first and a new file made.
    static func create(_ path: String, size: UInt64, replace: Bool) throws(FSRescueError) -> CreatedImageFile {
        if replace { try removeExisting(path) }
        let fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            let e = errno
            if e == EEXIST {
                throw FSRescueError(.outputFailed, "\(path) already exists; remove it or pass --force to replace it.", path: path)
            }
            throw FSRescueError(.outputFailed, "cannot create \(path): \(String(cString: strerror(e))); check the folder exists and is writable.",
                                path: path, cause: SystemError(errno: e, function: "open"))
        }
        defer { close(fd) }
        if ftruncate(fd, off_t(size)) != 0 {
            let e = errno
            unlink(path)
            throw FSRescueError(.outputFailed, "cannot size \(path) to \(size) bytes: \(String(cString: strerror(e))); choose a smaller --size or another folder.",
                                path: path, cause: SystemError(errno: e, function: "ftruncate"))
        }
        var st = stat()
        fstat(fd, &st)
        return CreatedImageFile(path: path, device: UInt64(st.st_dev), inode: UInt64(st.st_ino))
    }

    private init(path: String, device: UInt64, inode: UInt64) {
        self.path = path
        self.device = device
        self.inode = inode
    }

    /// Whether `path` is still the file this process created (not replaced behind its back).
    func isStillOurs() -> Bool {
        var st = stat()
        guard lstat(path, &st) == 0, (st.st_mode & S_IFMT) == S_IFREG else { return false }
        return UInt64(st.st_dev) == device && UInt64(st.st_ino) == inode
    }

    static func removeExisting(_ path: String) throws(FSRescueError) {
        var st = stat()
        guard lstat(path, &st) == 0 else { return }
        guard (st.st_mode & S_IFMT) == S_IFREG else {
            throw FSRescueError(.outputFailed, "\(path) exists and is not a regular file; choose another output path.", path: path)
        }
        if unlink(path) != 0 {
            let e = errno
            throw FSRescueError(.outputFailed, "cannot replace \(path): \(String(cString: strerror(e))).", path: path,
                                cause: SystemError(errno: e, function: "unlink"))
        }
    }
}
