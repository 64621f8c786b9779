// The scratch folders one fuzz process reuses for every input: the image and one output root per operation.
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Where an input is written and where operations put their output.
///
/// The image and the output roots sit two folders below the workspace's own folder
/// (`BASE/a/b/image.img`, `BASE/a/b/out-NAME`), so a name that climbs out of an output root
/// (`..`, `../..`) lands somewhere the harness looks, and is caught.
final class FuzzWorkspace {
    /// The folder made with `mkdtemp`; removed when the workspace goes away.
    let base: String
    /// The folder holding the image and the output roots.
    let nest: String
    /// The input image, written read-only (mode 0444) for each input.
    let image: String

    /// Makes a workspace under `$FSRESCUE_FUZZ_TMP`, else `/dev/shm` (fast), else the temporary folder.
    init() {
        let env = ProcessInfo.processInfo.environment["FSRESCUE_FUZZ_TMP"]
        let parent = env ?? (FileManager.default.isWritableFile(atPath: "/dev/shm") ? "/dev/shm" : NSTemporaryDirectory())
        var template = Array("\(parent)/fsrescue-fuzz.XXXXXX".utf8CString)
        guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else {
            FuzzFailure.stop("cannot make a workspace under \(parent): \(String(cString: strerror(errno)))")
        }
        base = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        nest = base + "/a/b"
        image = nest + "/image.img"
        do {
            try FileManager.default.createDirectory(atPath: nest, withIntermediateDirectories: true)
        } catch {
            FuzzFailure.stop("cannot make \(nest): \(error)")
        }
    }

    deinit { try? FileManager.default.removeItem(atPath: base) }

    /// The output root of operation `name` (not created).
    func output(_ name: String) -> String { nest + "/out-" + name }

    /// Replaces the image with `bytes`, mode 0444.
    func writeImage(_ bytes: UnsafeRawBufferPointer) {
        unlink(image)
        let fd = open(image, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o444)
        guard fd >= 0 else { FuzzFailure.stop("cannot create \(image): \(String(cString: strerror(errno)))") }
        defer { close(fd) }
        var done = 0
        while done < bytes.count {
            let n = write(fd, bytes.baseAddress! + done, bytes.count - done)
            guard n > 0 else { FuzzFailure.stop("cannot write \(image): \(String(cString: strerror(errno)))") }
            done += n
        }
    }

    /// Whether the image still holds exactly `bytes`.
    func imageEquals(_ bytes: UnsafeRawBufferPointer) -> Bool {
        guard let data = FileManager.default.contents(atPath: image), data.count == bytes.count else { return false }
        return data.withUnsafeBytes { bytes.count == 0 || memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }
    }

    /// Removes every output root (the sandbox leaves folders owner-writable, so this needs no chmod).
    func clearOutputs(_ names: [String]) {
        for name in names {
            let root = output(name)
            guard FileManager.default.fileExists(atPath: root) else { continue }
            do {
                try FileManager.default.removeItem(atPath: root)
            } catch {
                FuzzFailure.stop("cannot remove \(root): \(error)")
            }
        }
    }
}
