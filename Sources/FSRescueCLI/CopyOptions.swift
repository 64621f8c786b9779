// Options shared by the commands that copy files out (salvage, extract).
import ArgumentParser
import FSRescue

/// `--preserve-owner` and `--max-output-bytes`, applied to a ``SalvageOptions``.
struct CopyOptions: ParsableArguments {
    @Flag(name: .customLong("preserve-owner"), help: "Restore file owners (only when running as root).")
    var preserveOwner = false

    @Option(name: .customLong("max-output-bytes"), help: ArgumentHelp("Stop cleanly once this many data bytes are written.", valueName: "bytes"))
    var maxOutputBytes: UInt64?

    /// Salvage options with these applied.
    var salvageOptions: SalvageOptions {
        var options = SalvageOptions()
        options.preserveOwner = preserveOwner
        options.maxOutputBytes = maxOutputBytes
        return options
    }
}
