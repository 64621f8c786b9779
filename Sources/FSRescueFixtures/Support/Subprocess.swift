// Running a helper program (mke2fs) without a shell and without Foundation's Process: posix_spawn, stderr captured.
import Glibc

/// One run of a program: `posix_spawn` with an explicit argv and environment (no shell, no PATH
/// search), stdin and stdout on /dev/null, stderr captured through a pipe, then `waitpid`.
struct Subprocess {
    /// How the program ended and what it wrote to stderr.
    struct Outcome {
        /// The exit status; nil when a signal ended it.
        let status: Int32?
        let standardError: [UInt8]
    }

    let executable: String
    let arguments: [String]
    /// The whole environment, as `NAME=value`, exactly as the child sees it.
    let environment: [String: String]

    /// The current process's environment (`environ`).
    static var currentEnvironment: [String: String] {
        var result: [String: String] = [:]
        var p = environ
        while let entry = p.pointee {
            let text = String(cString: entry)
            if let eq = text.firstIndex(of: "=") { result[String(text[..<eq])] = String(text[text.index(after: eq)...]) }
            p += 1
        }
        return result
    }

    /// Runs the program to its end; the `errno` of a failed spawn when it could not start.
    func run() -> Result<Outcome, Errno> {
        var pipeFDs: [Int32] = [-1, -1]
        guard pipe(&pipeFDs) == 0 else { return .failure(Errno(errno)) }
        let (readEnd, writeEnd) = (pipeFDs[0], pipeFDs[1])
        // Close-on-exec: a child spawned by another thread must not hold the write end open.
        _ = fcntl(readEnd, F_SETFD, FD_CLOEXEC)
        _ = fcntl(writeEnd, F_SETFD, FD_CLOEXEC)
        defer { close(readEnd) }

        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_adddup2(&actions, writeEnd, 2)

        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        let envp = environment.sorted { $0.key < $1.key }.map { strdup("\($0.key)=\($0.value)") } + [nil]
        defer { for p in argv + envp { free(p) } }
        var pid: pid_t = 0
        let rc = posix_spawn(&pid, executable, &actions, nil, argv, envp)
        close(writeEnd)
        guard rc == 0 else { return .failure(Errno(rc)) }

        var captured: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 4096)
        while true {
            let n = chunk.withUnsafeMutableBytes { read(readEnd, $0.baseAddress!, $0.count) }
            if n < 0 && errno == EINTR { continue }
            if n <= 0 { break }
            captured += chunk[..<n]
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) < 0 && errno == EINTR {}
        // WIFEXITED / WEXITSTATUS are macros Swift does not import.
        let exited = status & 0x7F == 0
        return .success(Outcome(status: exited ? (status >> 8) & 0xFF : nil, standardError: captured))
    }

    /// An `errno` value from a failed spawn.
    struct Errno: Error {
        let code: Int32
        init(_ code: Int32) { self.code = code }
        var message: String { String(cString: strerror(code)) }
    }
}
