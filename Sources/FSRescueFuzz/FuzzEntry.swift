// The entry points: libFuzzer's callback, and a main that fuzzes (libFuzzer build) or replays files.
import Foundation
import FSRescueFixtures
#if FSRESCUE_LIBFUZZER
internal import CFSRescueFuzzer
#endif

/// The harness every input goes through; libFuzzer calls in from one thread.
nonisolated(unsafe) private let harness = FuzzHarness()

/// libFuzzer's callback: one input image per call. Always returns 0 (a broken invariant aborts instead).
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> Int32 {
    harness.run(UnsafeRawBufferPointer(start: data, count: data == nil ? 0 : size))
    return 0
}

#if FSRESCUE_LIBFUZZER
/// libFuzzer's mutation hook: half the time its own byte mutations; otherwise one superblock or
/// group-descriptor field set to a boundary value with the checksums recomputed (``FieldMutation``),
/// which byte flips almost never produce and which the strict open then accepts as it is.
@_cdecl("LLVMFuzzerCustomMutator")
public func fuzzCustomMutator(_ data: UnsafeMutablePointer<UInt8>?, _ size: Int, _ maxSize: Int, _ seed: UInt32) -> Int {
    guard let data else { return 0 }
    var random = SeededRandom(seed: UInt64(seed))
    if random.next() % 2 == 0 { return LLVMFuzzerMutate(data, size, maxSize) }
    let image = UnsafeMutableRawBufferPointer(start: data, count: size)
    return FieldMutation.apply(to: image, random: &random) == nil ? LLVMFuzzerMutate(data, size, maxSize) : size
}
#endif

/// Built by `scripts/fuzz-smoke.sh` (`-sanitize=fuzzer,address -DFSRESCUE_LIBFUZZER`), hands the command
/// line to libFuzzer (`LLVMFuzzerRunDriver`), because SwiftPM names the target's own `main` as the entry.
/// Built plainly (`swift build`), replays the files and folders of files named on the command line
/// through the same harness: `FSRescueFuzz crash-… Fixtures/regressions`.
@main
enum FuzzMain {
    static func main() {
        #if FSRESCUE_LIBFUZZER
        var argc = CommandLine.argc
        var argv: UnsafeMutablePointer<UnsafeMutablePointer<CChar>?>? = CommandLine.unsafeArgv
        exit(LLVMFuzzerRunDriver(&argc, &argv) { data, size in fuzzTestOneInput(data, size) })
        #else
        replay(Array(CommandLine.arguments.dropFirst()))
        #endif
    }

    static func replay(_ paths: [String]) {
        if paths.isEmpty {
            FuzzFailure.say("usage: FSRescueFuzz FILE-OR-FOLDER... (replays inputs; scripts/fuzz-smoke.sh builds it to fuzz)")
            exit(16)
        }
        for path in paths {
            for file in files(at: path) {
                guard let data = FileManager.default.contents(atPath: file) else {
                    FuzzFailure.say("cannot read \(file)")
                    exit(8)
                }
                data.withUnsafeBytes { harness.run($0) }
                print("ok \(file)")
            }
        }
        let refused = harness.refusals.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
        print("\(harness.inputs) input(s) replayed, every invariant held; refused: \(refused.isEmpty ? "none" : refused)")
    }

    private static func files(at path: String) -> [String] {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else { return [path] }
        let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
        return names.sorted().map { "\(path)/\($0)" }.filter { !$0.hasSuffix(".md") }
    }
}
