// SIGINT/SIGTERM ask the job to stop; a second SIGINT quits at once; SIGUSR1 prints a status line.
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The write end of the active ``SignalHandling``'s pipe, or -1. A `let` of a trivially initialised
/// atomic: once set up (before any handler is installed) reading it in a signal handler is one load.
private let signalPipeWriteFD = Atomic<Int32>(-1)

/// The thread running the active ``SignalHandling``'s event handler while it runs, else 0. Releasing
/// the last reference inside that handler uninstalls from the sources' own queue, where waiting for
/// the cancel handler (queued behind the running one) could only time out.
private let signalHandlerThread = Atomic<UInt>(0)

/// The process-level handler: writes the signal's number to the pipe and nothing else (`write` is
/// async-signal-safe; `errno` is preserved for the code the signal interrupted).
private let forwardSignal: @convention(c) (Int32) -> Void = { signo in
    let saved = errno
    var byte = UInt8(truncatingIfNeeded: signo)
    _ = write(signalPipeWriteFD.load(ordering: .relaxed), &byte, 1)
    errno = saved
}

/// The signals a long job answers, routed to a ``ProgressEngine``:
///
/// - **SIGINT, SIGTERM**: ``ProgressEngine/requestCancellation()``. The job stops at its next check,
///   the command prints the partial report and exits 32 (``ExitStatus/cancelled``).
/// - **A second SIGINT**: exit 32 at once (the user does not want to wait for the unit to finish).
/// - **SIGUSR1**: one status line on stderr, like dd.
///
/// Signal-safe by construction: the `sigaction` handler only writes the signal number to a pipe
/// (the self-pipe pattern); a Dispatch read source on the other end does the real work on an
/// ordinary thread, where it may lock, allocate and write freely. One handling is active in a process
/// at a time; ``uninstall()`` (or releasing the value) restores the previous handlers.
///
/// ```swift
/// let engine = try progressOptions.makeEngine()
/// let signals = SignalHandling.install(for: engine)
/// defer { signals.uninstall() }
/// ```
public final class SignalHandling: Sendable {
    /// The signals handled.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGUSR1]

    private struct Installed {
        var previous: [(signal: Int32, action: sigaction)]
        var source: any DispatchSourceRead
        var readFD: Int32
        var writeFD: Int32
        /// Signalled by the source's cancel handler once it has closed the pipe's read end.
        var readEndClosed: DispatchSemaphore
    }

    private let engine: ProgressEngine
    private let exitNow: @Sendable (Int32) -> Void
    private let interrupts = Atomic<Int>(0)
    private let installed = Mutex<Installed?>(nil)

    /// Handling for `engine`, not yet installed; `exitNow` ends the process on a second SIGINT
    /// (tests pass a closure that records the call instead).
    public init(engine: ProgressEngine, exitNow: @escaping @Sendable (Int32) -> Void = { _exit($0) }) {
        self.engine = engine
        self.exitNow = exitNow
    }

    /// Installs handling of SIGINT, SIGTERM and SIGUSR1 for `engine` and returns it.
    /// The calling thread also unblocks them: a signal mask survives exec, and a parent that spawns from a
    /// thread with SIGINT blocked (a Dispatch worker, many supervisors) would otherwise leave Ctrl-C pending for ever.
    public static func install(for engine: ProgressEngine) -> SignalHandling {
        var mask = sigset_t()
        sigemptyset(&mask)
        for signo in signals { sigaddset(&mask, signo) }
        pthread_sigmask(SIG_UNBLOCK, &mask, nil)
        let handling = SignalHandling(engine: engine)
        handling.install()
        return handling
    }

    /// Starts answering the signals (nothing happens if this handling is already installed). Signals
    /// that arrive once this returns are answered.
    public func install() {
        installed.withLock { state in
            guard state == nil else { return }
            var fds: [Int32] = [-1, -1]
            guard pipe(&fds) == 0 else { return }
            let (readFD, writeFD) = (fds[0], fds[1])
            // Close-on-exec both; the write end non-blocking so a flood of signals never blocks a handler.
            for fd in fds { _ = fcntl(fd, F_SETFD, FD_CLOEXEC) }
            _ = fcntl(writeFD, F_SETFL, fcntl(writeFD, F_GETFL) | O_NONBLOCK)
            let queue = DispatchQueue(label: "fsrescue.signals")
            let source = DispatchSource.makeReadSource(fileDescriptor: readFD, queue: queue)
            source.setEventHandler { [weak self] in
                signalHandlerThread.store(pthread_self(), ordering: .relaxed)
                defer { signalHandlerThread.store(0, ordering: .relaxed) }
                var bytes = [UInt8](repeating: 0, count: 64)
                let n = read(readFD, &bytes, bytes.count)
                for signo in bytes.prefix(max(0, n)) { self?.handle(Int32(signo)) }
            }
            let readEndClosed = DispatchSemaphore(value: 0)
            source.setCancelHandler {
                close(readFD)
                readEndClosed.signal()
            }
            source.resume()
            signalPipeWriteFD.store(writeFD, ordering: .relaxed)
            var previous: [(Int32, sigaction)] = []
            for signo in Self.signals {
                var action = sigaction()
                action.__sigaction_handler.sa_handler = forwardSignal
                action.sa_flags = SA_RESTART
                sigemptyset(&action.sa_mask)
                var old = sigaction()
                sigaction(signo, &action, &old)
                previous.append((signo, old))
            }
            state = Installed(previous: previous, source: source, readFD: readFD, writeFD: writeFD,
                              readEndClosed: readEndClosed)
        }
    }

    /// Stops answering the signals and restores the handlers that were there before. Returns once the
    /// pipe is closed at both ends: the source's cancel handler closes the read end (Dispatch forbids
    /// closing a descriptor a source still watches), and this waits for it, up to a second, unless it
    /// is itself running on the sources' queue. A teardown that finishes before the call returns
    /// leaves no descriptor behind and runs the same code every time.
    public func uninstall() {
        let cancelled: DispatchSemaphore? = installed.withLock { state in
            guard let s = state else { return nil }
            for entry in s.previous {
                var old = entry.action
                sigaction(entry.signal, &old, nil)
            }
            _ = signalPipeWriteFD.compareExchange(expected: s.writeFD, desired: -1, ordering: .relaxed)
            close(s.writeFD)
            s.source.cancel()
            state = nil
            return s.readEndClosed
        }
        if let cancelled, signalHandlerThread.load(ordering: .relaxed) != pthread_self() {
            _ = cancelled.wait(timeout: .now() + 1)
        }
    }

    deinit {
        uninstall()
    }

    /// The pipe's two descriptors while installed (for tests).
    var pipeDescriptors: (read: Int32, write: Int32)? {
        installed.withLock { state in state.map { ($0.readFD, $0.writeFD) } }
    }

    /// What receiving `signo` does. The installed sources call it; tests may call it directly.
    public func handle(_ signo: Int32) {
        switch signo {
        case SIGINT:
            if interrupts.add(1, ordering: .relaxed).newValue > 1 {
                engine.writeLine("fsrescue: interrupted again; quitting at once.")
                exitNow(ExitStatus.cancelled.rawValue)
                return
            }
            engine.requestCancellation()
            engine.writeLine("fsrescue: stopping after the current step and writing a partial report; interrupt again to quit at once.")
        case SIGTERM:
            engine.requestCancellation()
            engine.writeLine("fsrescue: terminating: stopping after the current step and writing a partial report.")
        case SIGUSR1:
            engine.reportStatus()
        default:
            break
        }
    }
}
