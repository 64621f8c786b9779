// printf-style numbers and unbuffered writes without Foundation (FoundationEssentials has no String(format:) or FileHandle).
import Glibc

/// `format` filled in as printf(3) does (`vsnprintf`), for the fixed-point and zero-padded numbers reports print.
package func cFormat(_ format: String, _ arguments: any CVarArg...) -> String {
    var capacity = 64
    while true {
        var buffer = [CChar](repeating: 0, count: capacity)
        let needed = withVaList(arguments) { vsnprintf(&buffer, capacity, format, $0) }
        guard needed >= 0 else { return "" }
        if Int(needed) < capacity {
            return String(decoding: buffer[..<Int(needed)].map { UInt8(bitPattern: $0) }, as: UTF8.self)
        }
        capacity = Int(needed) + 1
    }
}

/// Writes all of `bytes` to `fd` (`write(2)`, retried on EINTR and short writes); false on an error.
@discardableResult
package func writeAll<Bytes: Sequence>(_ fd: Int32, _ bytes: Bytes) -> Bool where Bytes.Element == UInt8 {
    let array = Array(bytes)
    return array.withUnsafeBytes { raw in
        var off = 0
        while off < raw.count {
            let n = write(fd, raw.baseAddress! + off, raw.count - off)
            if n < 0 { if errno == EINTR { continue }; return false }
            if n == 0 { return false }
            off += n
        }
        return true
    }
}

extension String {
    /// The string followed by spaces up to `width` UTF-16 units, as NSString's `padding(toLength:withPad:" ",startingAt:0)`
    /// (only ever used to pad, never to cut).
    package func padded(to width: Int) -> String {
        let n = utf16.count
        return n >= width ? self : self + String(repeating: " ", count: width - n)
    }
}
