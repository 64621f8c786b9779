// A directory inside the output sandbox, held open by descriptor.
import CFSRescueLinux
#if canImport(Glibc)
import Glibc
#endif

/// A directory under the output root, open as a descriptor. Names created in it are made unique
/// (`name~1.ext`, `name~2.ext`) when the same safe name comes up twice.
public final class OutputDirectory: @unchecked Sendable {
    let fd: Int32
    unowned let sandbox: OutputSandbox
    /// The path from the output root, for manifests (empty for the root itself).
    public let relativePath: String
    /// Made by this handle (`mkdirat`): every entry in it is this run's, so an existing name is never
    /// an earlier run's to replace, and `O_EXCL` alone keeps names unique (no ``used`` set to keep).
    private let madeByThisRun: Bool
    /// Names this run created or kept here, in a folder that existed before (a resumed run's).
    private var used: Set<String> = []

    init(fd: Int32, sandbox: OutputSandbox, relativePath: String, madeByThisRun: Bool = false) {
        self.fd = fd
        self.sandbox = sandbox
        self.relativePath = relativePath
        self.madeByThisRun = madeByThisRun
    }

    deinit { close(fd) }

    /// The relative path of `name` inside this directory.
    public func path(of name: String) -> String {
        guard !relativePath.isEmpty else { return name }
        var path = String()
        path.reserveCapacity(relativePath.utf8.count + 1 + name.utf8.count)
        path += relativePath
        path += "/"
        path += name
        return path
    }

    /// Creates (`mkdirat`, mode 0700 until ``finish(mode:accessTime:modificationTime:owner:)``) a subdirectory
    /// under a unique version of `name` and opens it (`openat` with `O_DIRECTORY | O_NOFOLLOW`).
    /// With `reuse`, an existing real directory of exactly that name is opened instead (resuming a run);
    /// a symlink or file of that name is never followed or reused.
    public func makeDirectory(_ name: SafeName, reuse: Bool = false) throws(FSRescueError) -> OutputDirectory {
        // A folder this run made rarely holds the name already: there the name is made first and an
        // existing folder reused only on EEXIST (one call where a failing open and a mkdir were two).
        if reuse && !madeByThisRun, let existing = openExistingDirectory(name.name) {
            remember(name.name)
            return existing
        }
        var n = 0
        while true {
            let candidate = n == 0 ? name.name : name.numbered(n)
            n += 1
            if !madeByThisRun && used.contains(candidate) { continue }
            if mkdirat(fd, candidate, 0o700) != 0 {
                guard errno == EEXIST else { throw OutputSandbox.error(errno, "create the folder", path(of: candidate)) }
                if reuse && madeByThisRun && n == 1, let existing = openExistingDirectory(candidate) { return existing }
                continue
            }
            remember(candidate)
            guard let dir = openExistingDirectory(candidate, madeByThisRun: true) else {
                throw OutputSandbox.error(errno, "open the folder", path(of: candidate))
            }
            return dir
        }
    }

    /// Reopens a directory below this one from its relative path (`a/b/c`): in one call where the
    /// kernel has `openat2` (``fsr_open_directory_beneath``), else one component at a time with
    /// `openat(O_DIRECTORY | O_NOFOLLOW)`. Either way a symlink anywhere on the way fails it, never followed.
    public func openDescendant(_ relative: String) -> OutputDirectory? {
        let dotted = relative.utf8.contains(0x2E)
            && relative.split(separator: "/").contains { $0 == "." || $0 == ".." }
        if !relative.isEmpty && !dotted {
            let child = fsr_open_directory_beneath(fd, relative)
            if child >= 0 { return OutputDirectory(fd: child, sandbox: sandbox, relativePath: path(of: relative)) }
            // Not offered (old kernel, seccomp): the walk below. Any other failure is the walk's too.
            if errno != ENOSYS && errno != EPERM && errno != EINVAL && errno != E2BIG { return nil }
        }
        var here: OutputDirectory? = self
        for component in relative.split(separator: "/") {
            guard component != ".", component != "..", let dir = here?.openExistingDirectory(String(component)) else { return nil }
            here = dir
        }
        return here
    }

    private func openExistingDirectory(_ name: String, madeByThisRun: Bool = false) -> OutputDirectory? {
        let child = openat(fd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC)
        guard child >= 0 else { return nil }
        return OutputDirectory(fd: child, sandbox: sandbox, relativePath: path(of: name), madeByThisRun: madeByThisRun)
    }

    /// Creates a new regular file (`openat` with `O_CREAT | O_EXCL | O_NOFOLLOW`) under a unique version
    /// of `name`, with permission bits `mode` (setuid, setgid and sticky dropped; the descriptor is
    /// writable whatever the mode). With `replace`, an existing entry of exactly that name left by an
    /// interrupted run (not one created in this run) is removed with `unlinkat`, which never follows a
    /// symlink, and the name tried again. `path`: ``path(of:)`` of `name` when the caller has it already.
    public func createFile(_ name: SafeName, mode: UInt16 = 0o600, replace: Bool = false,
                           path known: String? = nil) throws(FSRescueError) -> OutputFile {
        var file: Int32 = -1
        let permissions = mode_t(mode & 0o777)
        let chosen = try createUnique(name, replace: replace, what: "create") { candidate in
            file = openat(fd, candidate, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, permissions)
            return file >= 0
        }
        let relativePath = chosen == name.name ? known ?? path(of: chosen) : path(of: chosen)
        return OutputFile(fd: file, sandbox: sandbox, name: chosen, relativePath: relativePath, createdMode: permissions)
    }

    /// Creates a symlink (`symlinkat`) pointing at `target` (bytes as on disk; a NUL ends it).
    /// The target is never followed by fsrescue. Returns the name used.
    public func createSymlink(_ name: SafeName, target: [UInt8], replace: Bool = false) throws(FSRescueError) -> String {
        let targetString = target.prefix { $0 != 0 }.map { CChar(bitPattern: $0) } + [0]
        return try createUnique(name, replace: replace, what: "create the symlink") { symlinkat(targetString, fd, $0) == 0 }
    }

    /// Records that an entry named `name` exists here from an earlier run and is kept as it is,
    /// so later names in this run do not take or replace it.
    public func keep(_ name: String) { remember(name) }

    /// Adds `name` to ``used``, which only a folder that existed before this run needs.
    private func remember(_ name: String) {
        if !madeByThisRun { used.insert(name) }
    }

    /// Makes `name` a hard link to `existing` in `directory` (`linkat` without `AT_SYMLINK_FOLLOW`).
    /// Returns the name used. With `replace`, an existing `name` this run has not written (an earlier run's) is replaced.
    public func createHardLink(_ name: SafeName, to existing: String, in directory: OutputDirectory,
                               replace: Bool = false) throws(FSRescueError) -> String {
        try createUnique(name, replace: replace, what: "link") { linkat(directory.fd, existing, fd, $0, 0) == 0 }
    }

    /// Tries `make` with `name`, then `name~1`, `name~2`, … until it succeeds, skipping names this run
    /// already used and names that exist (`EEXIST`). With `replace`, when `name` itself exists and this
    /// run has not written it (an interrupted run's), it is removed with `unlinkat` (which never follows a
    /// symlink) and tried once more. Removing only after `EEXIST` keeps a fresh output folder free of
    /// `unlinkat` calls. Returns the name used.
    private func createUnique(_ name: SafeName, replace: Bool, what: String,
                              _ make: (String) -> Bool) throws(FSRescueError) -> String {
        var mayUnlink = replace
        var n = 0
        while true {
            let candidate = n == 0 ? name.name : name.numbered(n)
            if !madeByThisRun && used.contains(candidate) { n += 1; continue }
            if !make(candidate) {
                guard errno == EEXIST else { throw OutputSandbox.error(errno, what, path(of: candidate)) }
                if n == 0 && mayUnlink && !madeByThisRun {
                    mayUnlink = false
                    if unlinkat(fd, candidate, 0) == 0 { continue }
                }
                n += 1
                continue
            }
            remember(candidate)
            return candidate
        }
    }

    /// Whether an entry named exactly `name` exists here (`fstatat` without following symlinks).
    public func exists(_ name: String) -> Bool {
        var st = stat()
        return fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0
    }

    /// The length of the regular file named exactly `name` here (`fstatat` without following
    /// symlinks), or nil when there is none.
    public func regularFileSize(_ name: String) -> UInt64? {
        var st = stat()
        guard fstatat(fd, name, &st, AT_SYMLINK_NOFOLLOW) == 0, st.st_mode & S_IFMT == S_IFREG else { return nil }
        return UInt64(st.st_size)
    }

    /// Sets the times of the symlink `name` itself (`utimensat` with `AT_SYMLINK_NOFOLLOW`) and, when
    /// allowed, its owner (`fchownat` with `AT_SYMLINK_NOFOLLOW`).
    public func finishSymlink(_ name: String, accessTime: Int64, modificationTime: Int64, owner: (uid: UInt32, gid: UInt32)?) {
        var times = [timespec(tv_sec: Int(accessTime), tv_nsec: 0), timespec(tv_sec: Int(modificationTime), tv_nsec: 0)]
        _ = utimensat(fd, name, &times, AT_SYMLINK_NOFOLLOW)
        if sandbox.preserveOwner, let owner { _ = fchownat(fd, name, owner.uid, owner.gid, AT_SYMLINK_NOFOLLOW) }
    }

    /// Sets this directory's permissions (without setuid, setgid or sticky, and always owner-writable so a
    /// resumed run can add to it), times and, when allowed, owner. Call after its contents are written.
    public func finish(mode: UInt16, accessTime: Int64, modificationTime: Int64, owner: (uid: UInt32, gid: UInt32)?) {
        _ = fchmod(fd, mode_t(mode & 0o777) | 0o700)
        if sandbox.preserveOwner, let owner { _ = fchown(fd, owner.uid, owner.gid) }
        var times = [timespec(tv_sec: Int(accessTime), tv_nsec: 0), timespec(tv_sec: Int(modificationTime), tv_nsec: 0)]
        _ = futimens(fd, &times)
    }
}
