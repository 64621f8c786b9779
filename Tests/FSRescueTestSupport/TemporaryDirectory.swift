// A scratch folder for one test, removed when the value goes away.
import Foundation

/// A fresh folder under the system temporary directory (`mkdtemp`), deleted with its contents on deinit.
public final class TemporaryDirectory: @unchecked Sendable {
    public let url: URL
    public var path: String { url.path }

    /// A new folder under `base` (the temporary folder when nil).
    public init(_ label: String = "fsrescue-test", under base: String? = nil) {
        var template = Array(((base ?? NSTemporaryDirectory()) + "/\(label).XXXXXX").utf8CString)
        let made = template.withUnsafeMutableBufferPointer { mkdtemp($0.baseAddress!) }
        precondition(made != nil, "mkdtemp failed")
        let bytes = template.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
        url = URL(fileURLWithPath: String(decoding: bytes, as: UTF8.self))
    }

    /// The path of `name` inside the folder.
    public func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    deinit { try? FileManager.default.removeItem(at: url) }
}
