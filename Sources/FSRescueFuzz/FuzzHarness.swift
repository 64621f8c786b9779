// One input through every operation, then the invariants that must hold whatever the bytes were.
import Foundation
import FSRescueTestSupport

/// Runs each input image through ``FuzzOperation/all`` and checks, after each operation:
/// the image is byte-for-byte unchanged; nothing was created beside the image and the output roots
/// (up to two folders above them); no device node, FIFO, socket, setuid or setgid bit is in the
/// output; and the output takes no more disk than the data limit plus a small allowance per entry
/// (a sparse file expanded, or the limit ignored, breaks this). A broken invariant aborts.
final class FuzzHarness {
    private let workspace = FuzzWorkspace()
    private let operations: [FuzzOperation]
    /// Inputs run so far, and operations that threw (refused the image) among them.
    private(set) var inputs = 0
    private(set) var refusals: [String: Int] = [:]

    /// Disk allowed per output entry beyond the data limit: a block or page of a small file or folder,
    /// and its share of the manifest.
    static let allowancePerEntry: UInt64 = 16 << 10

    init(operations: [FuzzOperation] = FuzzOperation.all) {
        self.operations = operations
    }

    /// Runs every operation on `bytes` and checks the invariants.
    func run(_ bytes: UnsafeRawBufferPointer) {
        inputs += 1
        workspace.writeImage(bytes)
        let names = operations.map(\.name)
        for operation in operations {
            let output = workspace.output(operation.name)
            do {
                try operation.body(workspace.image, output)
            } catch {
                refusals[operation.name, default: 0] += 1
            }
            check(operation, output: output, bytes: bytes, names: names)
        }
        workspace.clearOutputs(names)
    }

    private func check(_ operation: FuzzOperation, output: String, bytes: UnsafeRawBufferPointer, names: [String]) {
        if !workspace.imageEquals(bytes) { FuzzFailure.stop("\(operation.name) changed the image") }
        let expected = Set(["image.img"] + names.map { "out-\($0)" })
        var strangers = OutputAudit.strangers(in: workspace.nest, expected: expected)
        strangers += OutputAudit.strangers(in: workspace.base + "/a", expected: ["b"])
        strangers += OutputAudit.strangers(in: workspace.base, expected: ["a"])
        if !strangers.isEmpty { FuzzFailure.stop("\(operation.name) wrote outside its output root: \(strangers)") }
        guard operation.writesOutput, FileManager.default.fileExists(atPath: output) else { return }
        let audit = OutputAudit(root: output)
        if !audit.violations.isEmpty { FuzzFailure.stop("\(operation.name) output breaks the sandbox rules: \(audit.violations.prefix(8))") }
        let allowed = FuzzOperation.maxOutputBytes + UInt64(audit.entries + 1) * Self.allowancePerEntry
        if audit.allocatedBytes > allowed {
            FuzzFailure.stop("\(operation.name) output takes \(audit.allocatedBytes) bytes of disk, over \(allowed) allowed")
        }
    }
}
