// Reading and writing truth files.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif
import FSRescue
import Glibc

extension FixtureTruth {
    /// Where the truth of `image` goes by default: `IMG.truth.json`.
    public static func defaultPath(for image: String) -> String { image + ".truth.json" }

    /// Writes the truth as JSON (snake_case keys, sorted; one top-level key and one entry per line).
    public func write(to path: String) throws(FSRescueError) {
        let data: Data
        do {
            data = try TruthJSON.encode(self)
        } catch {
            throw FSRescueError(.outputFailed, "cannot encode the ground truth for \(path) (\(error)).", path: path)
        }
        let fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        let written = fd >= 0 && writeAll(fd, data)
        let code = errno
        if fd >= 0 { close(fd) }
        if !written {
            throw FSRescueError(.outputFailed, "cannot write the ground truth to \(path) (\(String(cString: strerror(code)))); check the folder is writable.", path: path)
        }
    }

    /// Reads a truth file, checking its schema.
    public static func read(from path: String) throws(FSRescueError) -> FixtureTruth {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw FSRescueError(.notFound, "no ground truth at \(path); fixture corrupt needs the .truth.json that fixture create wrote (or pass --in-truth PATH).", path: path)
        }
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        do {
            let truth = try decoder.decode(FixtureTruth.self, from: data)
            guard truth.schema == schemaName else {
                throw FSRescueError(.usage, "\(path) has schema \(truth.schema), not \(schemaName); regenerate it with this version of fsrescue.", path: path)
            }
            return truth
        } catch let error as FSRescueError {
            throw error
        } catch {
            throw FSRescueError(.usage, "\(path) is not an fsrescue.truth/1 document (\(error)); pass the .truth.json fixture create wrote.", path: path)
        }
    }
}

/// Names as JSON carries them: the text, plus hex when the text would not be exact or safe.
enum NameText {
    static func text(_ bytes: [UInt8]) -> String { String(decoding: bytes, as: UTF8.self) }

    /// Hex of the bytes when they are not valid UTF-8, or hold `/`, control bytes or DEL.
    static func hexIfNeeded(_ bytes: [UInt8]) -> String? {
        let exact = Array(String(decoding: bytes, as: UTF8.self).utf8) == bytes
        let plain = !bytes.contains { $0 < 0x20 || $0 == 0x7F || $0 == UInt8(ascii: "/") }
        return exact && plain ? nil : hex(bytes)
    }

    static func hex(_ bytes: [UInt8]) -> String {
        let digits = Array("0123456789abcdef".utf8)
        return String(decoding: bytes.flatMap { [digits[Int($0 >> 4)], digits[Int($0 & 15)]] }, as: UTF8.self)
    }
}
