// Writing a small text file the user asked for (a domain mapfile), never over the image being read.
import FSRescue
#if canImport(Glibc)
import Glibc
#endif

enum OutputText {
    /// Writes `text` to `path` (created, or replaced when it is a regular file), refusing the image
    /// itself and anything but a regular file. Errors are one sentence (exit 8).
    static func write(_ text: String, to path: String, notOver image: ImageSource) throws(FSRescueError) {
        try check(path, notOver: image)
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0o644)
        guard fd >= 0 else {
            throw FSRescueError(.outputFailed, "\(path) cannot be written (\(String(cString: strerror(errno)))); give a writable file name.", path: path)
        }
        defer { close(fd) }
        try writeAll(text, to: fd, path: path)
    }

    /// Refuses, before any work, a `path` that ``write(_:to:notOver:)`` would refuse at the end: a
    /// folder or other non-file, the image itself, a folder that does not exist or cannot be written.
    static func check(_ path: String, notOver image: ImageSource) throws(FSRescueError) {
        var st = stat()
        if lstat(path, &st) == 0 {
            guard st.st_mode & S_IFMT == S_IFREG else {
                throw FSRescueError(.outputFailed, "\(path) exists and is not a regular file; give a new file name.", path: path)
            }
            var source = stat()
            if stat(image.path, &source) == 0, source.st_dev == st.st_dev, source.st_ino == st.st_ino {
                throw FSRescueError(.outputFailed, "\(path) is the image being read; fsrescue never writes to it. Give another file name.", path: path)
            }
            return
        }
        let folder = path.contains("/") ? String(path[..<path.lastIndex(of: "/")!]) : "."
        guard access(folder.isEmpty ? "/" : folder, W_OK) == 0 else {
            throw FSRescueError(.outputFailed, "\(path) cannot be written (\(String(cString: strerror(errno)))); give a writable file name.", path: path)
        }
    }

    private static func writeAll(_ text: String, to fd: Int32, path: String) throws(FSRescueError) {
        var writer = FileDescriptorWriter(fd: fd)
        writer.write(text)
        guard writer.isWorking, fsync(fd) == 0 else {
            throw FSRescueError(.outputFailed, "\(path) could not be written in full (\(String(cString: strerror(errno)))); check the space on its filesystem.", path: path)
        }
    }
}
