// `fixture corrupt`: copy, damage the copy, record what was done.
import FSRescue
#if canImport(Glibc)
import Glibc
#endif

/// Applies named corruptions to a copy of a fixture image.
public enum FixtureCorruptor {
    /// Copies `input` to a new file `output` (the input is opened read-only and stays
    /// byte-identical), applies `kinds` to the copy in ``CorruptionKind`` order, and writes the
    /// input's truth plus the corruptions and the recovery expectation to `outputTruth`
    /// (default `OUT.truth.json`).
    ///
    /// Kinds that edit structures go through libext2fs on the copy (``WritableFilesystem``, so
    /// checksums stay valid and only the intended damage shows); raw overwrites come after it is
    /// closed. Each kind draws its targets and noise from its own stream of `seed` and avoids
    /// inodes and blocks an earlier kind already touched, so the truth stays exact.
    public static func corrupt(input: String, output: String, kinds: [CorruptionKind], seed: UInt64 = 1, count: Int = 1,
                               inputTruth: String? = nil, outputTruth: String? = nil,
                               replace: Bool = false) throws(FSRescueError) -> FixtureImage {
        guard !kinds.isEmpty else { throw FSRescueError(.usage, "no corruption kind given; pass --kind (see fixture kinds).") }
        var truth = try FixtureTruth.read(from: inputTruth ?? FixtureTruth.defaultPath(for: input))
        let ordered = CorruptionKind.allCases.filter(kinds.contains)
        let truthPath = outputTruth ?? FixtureTruth.defaultPath(for: output)
        let copy = try ImageCopy.copy(input, to: output, replace: replace)
        do throws(FSRescueError) {
            var context = CorruptionContext(truth: truth, seed: seed, count: count, hashing: DirectoryHashing(superblock: superblock(of: input)))
            let structural = ordered.filter(\.usesLibext2fs)
            if !structural.isEmpty {
                let wfs = try WritableFilesystem(copy)
                wfs.setNow(truth.filesystem.createdAt)
                for kind in structural { try context.apply(kind, wfs: wfs) }
                try wfs.close()
            }
            for kind in ordered where !kind.usesLibext2fs { try context.applyRaw(kind, image: copy) }
            truth = context.finish()
            try truth.write(to: truthPath)
            return FixtureImage(imagePath: output, truthPath: truthPath, truth: truth, counts: Dictionary(grouping: truth.entries, by: \.type).mapValues(\.count))
        } catch {
            unlink(output)
            throw error
        }
    }

    /// The 1024 bytes of the input's primary superblock (read-only `pread`; empty when unreadable).
    private static func superblock(of path: String) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return [] }
        defer { close(fd) }
        var raw = [UInt8](repeating: 0, count: 1024)
        let n = raw.withUnsafeMutableBytes { pread(fd, $0.baseAddress, 1024, 1024) }
        return n == 1024 ? raw : []
    }
}
