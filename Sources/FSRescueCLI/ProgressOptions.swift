// Options shared by every long-running command: how to show progress.
import ArgumentParser
import FSRescue

extension ProgressStyle: ExpressibleByArgument {}

/// `--progress bar|json|none` and `--progress-fd N`. A command adds `@OptionGroup var progressOptions:
/// ProgressOptions`, then `let engine = try progressOptions.makeEngine()` and passes the engine to its
/// job; `SignalHandling.install(for: engine)` makes SIGINT/SIGTERM/SIGUSR1 work.
struct ProgressOptions: ParsableArguments {
    @Option(help: ArgumentHelp(
        "How to show progress: a bar on stderr, NDJSON events (schema fsrescue.progress/1), or none. Default: bar when stderr is a terminal, none otherwise.",
        valueName: "bar|json|none"))
    var progress: ProgressStyle?

    @Option(name: .customLong("progress-fd"),
            help: ArgumentHelp("Write the NDJSON progress events to this open file descriptor instead of stderr (implies --progress json).", valueName: "n"))
    var progressFD: Int32?

    func validate() throws {
        guard let fd = progressFD else { return }
        if let progress, progress != .json {
            throw ValidationError("--progress-fd carries NDJSON events; use it with --progress json (or alone).")
        }
        do {
            try FileDescriptorWriter.checkWritable(fd)
        } catch {
            throw ValidationError("--progress-fd: \(error.message)")
        }
    }

    /// The style asked for, or the default for where stderr goes.
    var style: ProgressStyle {
        progress ?? (progressFD != nil ? .json : .automatic())
    }

    /// The engine these options describe. Throws a usage error if the event descriptor is not writable
    /// (``validate()`` already checked it; it is checked again because it could have been closed since).
    func makeEngine() throws(FSRescueError) -> ProgressEngine {
        if let progressFD { try FileDescriptorWriter.checkWritable(progressFD) }
        return ProgressEngine(style: style, eventFD: progressFD ?? 2)
    }
}

extension ImageOptions {
    /// Opens the filesystem and scans it with `progress`'s engine, SIGINT and SIGTERM cancelling the
    /// scan (`scan`, `domain`); the engine is returned for the caller's later passes.
    func scanned(_ progress: ProgressOptions, writing outputs: [String?] = []) throws -> (fs: Filesystem, report: ScanReport, engine: ProgressEngine) {
        let fs = try openFilesystem(writing: outputs)
        let engine = try progress.makeEngine()
        let signals = SignalHandling.install(for: engine)
        defer { signals.uninstall() }
        return (fs, fs.scan(progress: engine), engine)
    }
}
