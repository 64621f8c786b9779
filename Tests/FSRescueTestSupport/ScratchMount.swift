// A small tmpfs mounted for one test (read-only, or tiny to run out of space); needs root and mount(8).
import Foundation

/// A tmpfs mounted on a fresh folder, unmounted (lazily) and removed on deinit.
public final class ScratchMount: @unchecked Sendable {
    public let path: String

    /// Mounts a tmpfs with `options` (`ro,size=64k`, `size=64k`), or returns nil when mounting is not allowed.
    public init?(options: String) {
        guard let path = mountOnFreshFolder(prefix: "fsrescue-mount", { ["-t", "tmpfs", "-o", options, "tmpfs", $0] }) else { return nil }
        self.path = path
    }

    deinit {
        _ = try? Tool.run("umount", ["-l", path])
        rmdir(path)
    }

    /// Whether tmpfs mounts work here (root with CAP_SYS_ADMIN); tests that need one are skipped otherwise.
    public static let available: Bool = ScratchMount(options: "size=64k") != nil
}

/// An ext2/3/4 image loop-mounted read-only by the kernel for one test, unmounted on deinit: the
/// kernel as the oracle of what an image holds. Needs root and `mount -o loop`.
public final class KernelMount: @unchecked Sendable {
    public let path: String

    /// Mounts `image` read-only (`-o ro,loop`), or returns nil when mounting is not allowed here.
    public init?(image: String) {
        guard let path = mountOnFreshFolder(prefix: "fsrescue-kernel", { ["-o", "ro,loop", image, $0] }) else { return nil }
        self.path = path
    }

    deinit {
        _ = try? Tool.run("umount", [path])
        rmdir(path)
    }

    /// Whether loop mounts work here: a 1 MiB ext2 image made and mounted once.
    public static let available: Bool = {
        let dir = TemporaryDirectory()
        let img = dir.file("probe.img")
        guard (try? TestImages.make(img, type: "ext2", blockSize: 1024, sizeMiB: 1)) != nil else { return false }
        return KernelMount(image: img) != nil
    }()
}

/// Makes a fresh folder under the temporary directory and runs `mount` with the arguments
/// `arguments(folder)` gives; the folder, or nil (and no folder) when not root or mount fails.
private func mountOnFreshFolder(prefix: String, _ arguments: (String) -> [String]) -> String? {
    var template = Array((NSTemporaryDirectory() + "/\(prefix).XXXXXX").utf8CString)
    guard template.withUnsafeMutableBufferPointer({ mkdtemp($0.baseAddress!) }) != nil else { return nil }
    let path = String(decoding: template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    guard geteuid() == 0, Tool.exists("mount"), let r = try? Tool.run("mount", arguments(path)), r.status == 0 else {
        rmdir(path)
        return nil
    }
    return path
}
