// Proof of read-only-ness: an image's hash before and after a body that reads it.
import Foundation

/// Runs `body`, then checks that every file in `paths` has the same SHA-256 as before.
/// Returns the body's result; throws ``ImageModified`` if any file changed.
public func expectUnchanged<T>(_ paths: String..., body: () throws -> T) throws -> T {
    let before = try paths.map(TestImages.sha256)
    let result = try body()
    let after = try paths.map(TestImages.sha256)
    for (i, path) in paths.enumerated() where before[i] != after[i] {
        throw ImageModified(path: path)
    }
    return result
}

public struct ImageModified: Error, CustomStringConvertible {
    public let path: String
    public var description: String { "\(path) was modified by a read-only command" }
}
