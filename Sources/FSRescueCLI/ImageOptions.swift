// Options shared by every command that reads an image.
import ArgumentParser
import FSRescue

/// The image to read and how to locate the filesystem in it.
struct ImageOptions: ParsableArguments {
    @Argument(help: ArgumentHelp("The image file or block device (opened read-only).", valueName: "image"))
    var image: String

    @Option(help: ArgumentHelp("Open partition N of a whole-disk image (as sfdisk and blkid number them).", valueName: "n"))
    var partition: Int?

    @Option(help: ArgumentHelp("Byte offset of the filesystem in the image; overrides partition probing.", valueName: "bytes"))
    var offset: UInt64?

    @Option(help: ArgumentHelp("Open from the superblock at block N, like e2fsck -b (needs --block-size).", valueName: "n"))
    var superblock: UInt64?

    @Option(name: .customLong("block-size"),
            help: ArgumentHelp("Block size for --superblock (1024, 2048, 4096 … 65536).", valueName: "n"))
    var blockSize: UInt32?

    @Flag(name: .customLong("no-replay"),
          help: "Read the image as it is on disk, without replaying the journal's committed transactions in memory.")
    var noReplay = false

    @Option(help: ArgumentHelp("The external journal device (or an image of it) of a filesystem whose journal is not inside it; replayed in memory with the image.", valueName: "file"))
    var journal: String?

    @Option(help: ArgumentHelp("A GNU ddrescue mapfile of the image: bytes it does not mark finished (+) were never read from the disk and are never trusted (files touching them are partial).", valueName: "file"))
    var mapfile: String?

    @Option(name: .customLong("mapfile-out"),
            help: ArgumentHelp("After the run, write a GNU ddrescue mapfile of the image: - where reads failed twice, ? where --mapfile had not rescued yet, + elsewhere, for ddrescue -r to go after.", valueName: "file"))
    var mapfileOut: String?

    func validate() throws {
        if (superblock == nil) != (blockSize == nil) {
            throw ValidationError("--superblock and --block-size go together; give both, as with e2fsck -b N -B SIZE.")
        }
        if partition != nil && offset != nil {
            throw ValidationError("--partition and --offset both choose where the filesystem is; give one.")
        }
    }

    var openOptions: OpenOptions {
        var options = OpenOptions(partition: partition, offsetBytes: offset, superblock: superblock, blockSize: blockSize)
        options.replayJournal = !noReplay
        options.journalPath = journal
        return options
    }

    /// Writes `--mapfile-out` (when given) for `fs`'s image after a run, and says on stderr how many
    /// areas could not be read. Call it before the command's exit status is decided.
    func finish(_ fs: Filesystem) throws(FSRescueError) {
        let failed = fs.source.readErrors.all
        if !failed.isEmpty {
            let bytes = failed.reduce(UInt64(0)) { $0 + ($1.upperBound - $1.lowerBound) }
            Diagnostics.note("\(failed.count) area(s) of \(fs.source.path) (\(bytes) bytes) could not be read (input/output errors, each retried once)\(mapfileOut == nil ? "; --mapfile-out FILE writes them for ddrescue" : "").")
        }
        guard let mapfileOut else { return }
        let text = Mapfile.text(size: fs.source.sizeBytes, failed: failed, given: fs.mapfile, comment: "read errors of \(fs.source.path)")
        try OutputText.write(text, to: mapfileOut, notOver: fs.source)
    }

    /// Opens the filesystem read-only as these options say. A `--journal` that cannot be opened (no
    /// such file, a folder) is refused at once, with the same sentence and exit status as a bad image,
    /// whether or not the journal turns out to be needed; so are `--mapfile-out` and the command's own
    /// `outputs` (written at the end) when they cannot be written.
    func openFilesystem(writing outputs: [String?] = []) throws(FSRescueError) -> Filesystem {
        let outputs = (outputs + [mapfileOut]).compactMap { $0 }
        if let journal { _ = try ImageSource(path: journal) }
        var options = openOptions
        if let mapfile { options.mapfile = try Mapfile.load(path: mapfile, image: try ImageSource(path: image)) }
        let fs = try Filesystem.open(path: image, options: options)
        // A file to write at the end is checked now: a long run must not end in an error it could have said first.
        for output in outputs { try OutputText.check(output, notOver: fs.source) }
        return fs
    }
}
