// The root command: subcommands and the fsck-style exit-status mapping.
import ArgumentParser
import FSRescue
#if canImport(Glibc)
import Glibc
#endif

/// `fsrescue`: the root of the command tree.
public struct FSRescueCommand: ParsableCommand {
    public static let configuration = CommandConfiguration(
        commandName: "fsrescue",
        abstract: "Read-only integrity checker and recovery toolkit for ext2/ext3/ext4 images.",
        discussion: """
            fsrescue never writes to the image or device it reads. Exit status follows fsck: \
            0 clean, 4 problems found (never fixed), 8 operational error, 16 usage error, 32 cancelled.
            """,
        version: FSRescueVersion.string,
        subcommands: [InfoCommand.self, ScanCommand.self, SalvageCommand.self, ExtractCommand.self, DomainCommand.self, FixtureCommand.self]
    )

    public init() {}

    /// Parses `arguments`, runs the command, prints any error as one sentence on stderr, and returns
    /// the fsck-style exit status. The executable's whole job is `exit(FSRescueCommand.runMain())`.
    public static func runMain(_ arguments: [String] = Array(CommandLine.arguments.dropFirst())) -> Int32 {
        // A parent may hand down a mask blocking signals (test runners, some supervisors): Ctrl-C,
        // SIGTERM and SIGUSR1 must reach fsrescue whatever it inherited, so every thread it starts
        // begins with none blocked.
        var none = sigset_t()
        sigemptyset(&none)
        pthread_sigmask(SIG_SETMASK, &none, nil)
        var command: any ParsableCommand
        do {
            command = try parseAsRoot(arguments)
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                return ExitStatus.clean.rawValue
            }
            Diagnostics.error(usageSentence(for: error, arguments: arguments))
            return ExitStatus.usage.rawValue
        }
        // Every command opens images and files: too few descriptors is told in one sentence up
        // front, not met as EMFILE halfway through (or as Dispatch's trap when its event loop cannot start).
        DescriptorBudget.raiseSoftLimit()
        if let shortage = DescriptorBudget.shortage() {
            Diagnostics.error(shortage)
            return ExitStatus.operationalError.rawValue
        }
        do {
            try command.run()
            return ExitStatus.clean.rawValue
        } catch let error as FSRescueError {
            Diagnostics.error(error.message)
            return error.exitStatus.rawValue
        } catch let error as ExitCode {
            return error.rawValue
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                // `--help` and `help CMD` arrive here as a clean exit thrown by the built-in help command.
                print(fullMessage(for: error))
                return ExitStatus.clean.rawValue
            }
            if code == .validationFailure {
                Diagnostics.error(usageSentence(for: error, arguments: arguments))
                return ExitStatus.usage.rawValue
            }
            Diagnostics.error(message(for: error))
            return ExitStatus.operationalError.rawValue
        }
    }

    /// argument-parser's error message alone (no usage block), pointing at the right `--help`.
    static func usageSentence(for error: any Error, arguments: [String]) -> String {
        var text = message(for: error).split(separator: "\n").first.map(String.init) ?? "invalid command line"
        while text.hasSuffix(".") { text.removeLast() }
        let sub = arguments.first.flatMap { name in configuration.subcommands.first { $0._commandName == name } }
        let help = sub.map { "fsrescue \($0._commandName) --help" } ?? "fsrescue --help"
        return "\(text) (see '\(help)')."
    }
}

enum FSRescueVersion {
    static let number = "0.1.0"
    /// The version and the C libraries it reads filesystems with ("0.1.0 (libext2fs 1.47.0, libblkid 2.38.1)").
    static var string: String { "\(number) (libext2fs \(LibraryVersions.ext2fs), libblkid \(LibraryVersions.blkid))" }
}
