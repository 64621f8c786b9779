// What to tell the user when a call failed because something ran out, not because a part is missing.
#if canImport(Glibc)
import Glibc
#endif

/// Advice for an `errno` that says the process or the system ran short of something. The fix is then
/// a limit or a free resource, not the package a missing part would point to ("install e2fsprogs").
public enum ShortageAdvice {
    /// For EMFILE and ENFILE, descriptors; for ENOMEM and EAGAIN, memory or processes; nil for any other.
    public static func forErrno(_ code: Int32) -> String? {
        switch code {
        case EMFILE: "this process may open no more files: raise its limit (ulimit -n) and run again"
        case ENFILE: "the system has no file descriptor left: close some programs and run again"
        case ENOMEM, EAGAIN: "free some memory, or raise the process limits (ulimit -u, -v), and run again"
        default: nil
        }
    }

    /// Whether this process can open no more descriptors right now (`fcntl` `F_DUPFD_CLOEXEC` fails
    /// with EMFILE): for a failure whose own error code is lost, such as `dlopen`'s.
    public static func descriptorsExhausted() -> Bool {
        DescriptorBudget.openable(upTo: 1).failure == EMFILE
    }
}
