// SIGINT/SIGTERM ask the job to stop; a second SIGINT quits at once; SIGUSR1 prints a status line.
import Dispatch
import Synchronization
#if canImport(Glibc)
import Glibc
#endif

/// The signals a long job answers, routed to a ``ProgressEngine``:
///
/// - **SIGINT, SIGTERM**: ``ProgressEngine/requestCancellation()``. The job stops at its next check,
///   the command prints the partial report and exits 32 (``ExitStatus/cancelled``).
/// - **A second SIGINT**: exit 32 at once (the user does not want to wait for the unit to finish).
/// - **SIGUSR1**: one status line on stderr, like dd.
///
/// The signals are ignored at the process level and delivered through Dispatch signal sources, so
/// nothing runs in signal-handler context: the handling code may lock, allocate and write freely.
/// ``uninstall()`` (or releasing the value) restores the previous dispositions.
///
/// ```swift
/// let engine = try progressOptions.makeEngine()
/// let signals = SignalHandling.install(for: engine)
/// defer { signals.uninstall() }
/// ```
public final class SignalHandling: Sendable {
    /// The signals handled.
    public static let signals: [Int32] = [SIGINT, SIGTERM, SIGUSR1]

    private let engine: ProgressEngine
    private let exitNow: @Sendable (Int32) -> Void
    private let interrupts = Atomic<Int>(0)
    private let installed = Mutex<[(signal: Int32, source: any DispatchSourceSignal, previous: sigaction)]>([])

    /// Handling for `engine` that is not yet installed; `exitNow` ends the process on a second SIGINT
    /// (tests pass a closure that records the call instead).
    public init(engine: ProgressEngine, exitNow: @escaping @Sendable (Int32) -> Void = { _exit($0) }) {
        self.engine = engine
        self.exitNow = exitNow
    }

    /// Installs handling of SIGINT, SIGTERM and SIGUSR1 for `engine` and returns it.
    public static func install(for engine: ProgressEngine) -> SignalHandling {
        let handling = SignalHandling(engine: engine)
        handling.install()
        return handling
    }

    /// Starts answering the signals (idempotent).
    public func install() {
        installed.withLock { list in
            guard list.isEmpty else { return }
            let queue = DispatchQueue(label: "fsrescue.signals")
            for signo in Self.signals {
                var ignore = sigaction()
                ignore.__sigaction_handler.sa_handler = SIG_IGN
                sigemptyset(&ignore.sa_mask)
                var previous = sigaction()
                sigaction(signo, &ignore, &previous)
                let source = DispatchSource.makeSignalSource(signal: signo, queue: queue)
                source.setEventHandler { [weak self] in self?.handle(signo) }
                source.resume()
                list.append((signo, source, previous))
            }
        }
    }

    /// Stops answering the signals and restores what was there before.
    public func uninstall() {
        installed.withLock { list in
            for entry in list {
                entry.source.cancel()
                var previous = entry.previous
                sigaction(entry.signal, &previous, nil)
            }
            list.removeAll()
        }
    }

    deinit {
        uninstall()
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
