// Batched block writes: consecutive blocks gathered in memory and written with one call.
internal import CFSRescueExt2fs
import FSRescue

/// Gathers blocks that are written in ascending, mostly consecutive order into one buffer and
/// writes each consecutive stretch with a single `io_channel_write_blk64` (many blocks per call
/// instead of one syscall, and no detour through the one-block cache of unix_io).
final class BlockWriter {
    private let io: io_channel
    private let path: String
    let blockSize: Int
    private let capacity: Int
    private let buffer: UnsafeMutableRawBufferPointer
    private var first: UInt64 = 0
    private var count = 0

    init(_ wfs: WritableFilesystem, bufferBytes: Int = 8 << 20) {
        io = fsr_io(wfs.fs)
        path = wfs.image.path
        blockSize = wfs.blockSize
        capacity = Swift.max(1, bufferBytes / blockSize)
        buffer = .allocate(byteCount: capacity * blockSize, alignment: 4096)
    }

    deinit { buffer.deallocate() }

    /// The buffer for `block`, to fill completely; it is written at the next ``flush()`` at the latest.
    func slot(_ block: UInt64) throws(FSRescueError) -> UnsafeMutableRawBufferPointer {
        if count > 0 && (block != first + UInt64(count) || count == capacity) { try flush() }
        if count == 0 { first = block }
        let offset = count * blockSize
        count += 1
        return UnsafeMutableRawBufferPointer(rebasing: buffer[offset..<(offset + blockSize)])
    }

    /// Writes what is gathered.
    func flush() throws(FSRescueError) {
        guard count > 0 else { return }
        let n = count
        count = 0
        try ext2Call(io_channel_write_blk64(io, first, Int32(n), buffer.baseAddress), "writing blocks \(first)-\(first + UInt64(n) - 1)", path: path)
    }
}
