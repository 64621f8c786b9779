// The I/O manager beneath libext2fs when the journal is replayed or a ddrescue mapfile is given:
// unix_io's reads, patched with the journal's copies, refused where the disk was never read, and
// every write refused.
internal import CFSRescueExt2fs
#if canImport(Glibc)
import Glibc
#endif

/// What a channel of ``OverlayIOManager`` serves: the journal's copies over the image, and the
/// image's unread areas (a ddrescue mapfile), either or both.
struct ReadView {
    let overlay: JournalOverlay?
    let mapfile: Mapfile?
    let source: ImageSource
    /// Where the filesystem starts in the image (the channel's block numbers count from there).
    let base: UInt64
}

/// An `io_manager` that wraps `unix_io_manager`: each read (`read_blk64`) is refused with `EIO`
/// when a block of it lies where the mapfile says the disk was never read (the zeros ddrescue left
/// there are not structures), else passed down, then the blocks a ``JournalOverlay`` replays are
/// overwritten with their journal copies. Writes, discards and zero-outs return `EXT2_ET_RO_FILSYS`:
/// the handle stays read-only whatever libext2fs tries.
///
/// libext2fs opens the channel inside `ext2fs_open2`; the view for that open is handed over
/// through ``withView(_:_:)``, which holds a lock for the open's duration.
enum OverlayIOManager {
    /// The state behind one channel: the unix_io channel below, and the view.
    final class State {
        let inner: io_channel
        let view: ReadView
        init(inner: io_channel, view: ReadView) { self.inner = inner; self.view = view }
    }

    /// Guards ``pending`` (a pthread mutex: Foundation's locks would link all of Foundation in).
    nonisolated(unsafe) private static let lock: UnsafeMutablePointer<pthread_mutex_t> = {
        let m = UnsafeMutablePointer<pthread_mutex_t>.allocate(capacity: 1)
        pthread_mutex_init(m, nil)
        return m
    }()
    nonisolated(unsafe) private static var pending: ReadView?

    /// Runs `body` (an `ext2fs_open2` with ``manager``) with `view` as the one its channel gets.
    static func withView<T>(_ view: ReadView, _ body: () -> T) -> T {
        pthread_mutex_lock(lock)
        pending = view
        defer { pending = nil; pthread_mutex_unlock(lock) }
        return body()
    }

    private static func state(_ channel: io_channel?) -> State? {
        guard let raw = channel?.pointee.private_data else { return nil }
        return Unmanaged<State>.fromOpaque(raw).takeUnretainedValue()
    }

    /// The manager, made once. Its name says what it is in libext2fs's messages.
    nonisolated(unsafe) static let manager: io_manager = {
        let m = UnsafeMutablePointer<struct_io_manager>.allocate(capacity: 1)
        m.initialize(to: struct_io_manager())
        m.pointee.magic = errcode_t(EXT2_ET_MAGIC_IO_MANAGER)
        m.pointee.name = UnsafePointer(strdup("fsrescue read view"))
        m.pointee.open = { name, flags, out in
            guard let out, let view = OverlayIOManager.pending else { return errcode_t(EXT2_ET_BAD_DEVICE_NAME) }
            let unix = fsr_unix_io_manager()!
            var inner: io_channel?
            let rc = unix.pointee.open(name, flags & ~Int32(IO_FLAG_RW), &inner)
            guard rc == 0, let inner else { return rc }
            let channel = UnsafeMutablePointer<struct_io_channel>.allocate(capacity: 1)
            channel.initialize(to: struct_io_channel())
            channel.pointee.magic = errcode_t(EXT2_ET_MAGIC_IO_CHANNEL)
            channel.pointee.manager = OverlayIOManager.manager
            channel.pointee.name = name.flatMap { strdup($0) }
            channel.pointee.block_size = inner.pointee.block_size
            channel.pointee.refcount = 1
            channel.pointee.flags = inner.pointee.flags
            channel.pointee.private_data = Unmanaged.passRetained(State(inner: inner, view: view)).toOpaque()
            out.pointee = channel
            return 0
        }
        m.pointee.close = { channel in
            guard let channel else { return 0 }
            channel.pointee.refcount -= 1
            if channel.pointee.refcount > 0 { return 0 }
            var rc: errcode_t = 0
            if let raw = channel.pointee.private_data {
                let state = Unmanaged<State>.fromOpaque(raw)
                rc = state.takeUnretainedValue().inner.pointee.manager.pointee.close(state.takeUnretainedValue().inner)
                state.release()
            }
            free(channel.pointee.name)
            channel.deinitialize(count: 1)
            channel.deallocate()
            return rc
        }
        m.pointee.set_blksize = { channel, size in
            guard let channel, let state = OverlayIOManager.state(channel) else { return errcode_t(EXT2_ET_BAD_MAGIC) }
            let rc = state.inner.pointee.manager.pointee.set_blksize(state.inner, size)
            if rc == 0 { channel.pointee.block_size = size }
            return rc
        }
        m.pointee.read_blk = { channel, block, count, data in
            OverlayIOManager.read(channel, UInt64(block), count, data)
        }
        m.pointee.read_blk64 = { channel, block, count, data in
            OverlayIOManager.read(channel, UInt64(block), count, data)
        }
        m.pointee.write_blk = { _, _, _, _ in errcode_t(EXT2_ET_RO_FILSYS) }
        m.pointee.write_blk64 = { _, _, _, _ in errcode_t(EXT2_ET_RO_FILSYS) }
        m.pointee.write_byte = { _, _, _, _ in errcode_t(EXT2_ET_RO_FILSYS) }
        m.pointee.discard = { _, _, _ in errcode_t(EXT2_ET_RO_FILSYS) }
        m.pointee.zeroout = { _, _, _ in errcode_t(EXT2_ET_RO_FILSYS) }
        m.pointee.flush = { _ in 0 }
        m.pointee.set_option = { channel, option, arg in
            guard let state = OverlayIOManager.state(channel), let set = state.inner.pointee.manager.pointee.set_option else {
                return errcode_t(EXT2_ET_INVALID_ARGUMENT)
            }
            return set(state.inner, option, arg)
        }
        m.pointee.get_stats = { channel, stats in
            guard let state = OverlayIOManager.state(channel), let get = state.inner.pointee.manager.pointee.get_stats else {
                return errcode_t(EXT2_ET_OP_NOT_SUPPORTED)
            }
            return get(state.inner, stats)
        }
        m.pointee.cache_readahead = { channel, block, count in
            guard let state = OverlayIOManager.state(channel), let ahead = state.inner.pointee.manager.pointee.cache_readahead else {
                return errcode_t(EXT2_ET_OP_NOT_SUPPORTED)
            }
            return ahead(state.inner, block, count)
        }
        return m
    }()

    /// A read through the channel below, then the overlay. `count` < 0 is a byte count (libext2fs's convention).
    private static func read(_ channel: io_channel?, _ block: UInt64, _ count: Int32, _ data: UnsafeMutableRawPointer?) -> errcode_t {
        guard let channel, let data, let state = state(channel) else { return errcode_t(EXT2_ET_BAD_MAGIC) }
        let inner = state.inner
        let blockSize = UInt64(channel.pointee.block_size)
        let bytes = count < 0 ? Int(-Int64(count)) : Int(count) * Int(blockSize)
        let (start, overflow) = block.multipliedReportingOverflow(by: blockSize)
        if let mapfile = state.view.mapfile, !overflow, bytes > 0, start <= UInt64.max - UInt64(bytes) {
            let unread = UnreadView(mapfile: mapfile, overlay: state.view.overlay, source: state.view.source,
                                    base: state.view.base, blockSize: blockSize)
            if !unread.unread(start..<(start + UInt64(bytes))).isEmpty { return errcode_t(EIO) }
        }
        // A block past what 64-bit byte offsets reach (a hostile pointer) is simply not there.
        guard !overflow, start <= UInt64.max - UInt64(bytes), state.view.base <= UInt64.max - start - UInt64(bytes) else {
            return errcode_t(EXT2_ET_LLSEEK_FAILED)
        }
        func readBelow(_ block: UInt64, _ count: Int32, _ data: UnsafeMutableRawPointer) -> errcode_t {
            let length = count < 0 ? UInt64(-Int64(count)) : UInt64(count) * blockSize
            let image = state.view.base + block * blockSize
            if let faults = state.view.source.faults, faults.fails(image..<(image + length)) { return errcode_t(EIO) }
            if let read64 = inner.pointee.manager.pointee.read_blk64 { return read64(inner, block, count, data) }
            return inner.pointee.manager.pointee.read_blk(inner, UInt(block), count, data)
        }
        var rc = readBelow(block, count, data)
        // A failing disk often gives a sector on the second try: one retry; then each block alone, so
        // that exactly the unreadable ones are recorded (for the report and --mapfile-out).
        if rc == errcode_t(EIO) { rc = readBelow(block, count, data) }
        if rc == errcode_t(EIO) {
            guard count > 0 else {
                state.view.source.readErrors.record((state.view.base + start)..<(state.view.base + start + UInt64(bytes)))
                return rc
            }
            var failed = false
            for i in 0..<UInt64(count) {
                let one = data + Int(i * blockSize)
                if readBelow(block + i, 1, one) == errcode_t(EIO) && readBelow(block + i, 1, one) == errcode_t(EIO) {
                    let image = state.view.base + (block + i) * blockSize
                    state.view.source.readErrors.record(image..<(image + blockSize))
                    failed = true
                }
            }
            // Every block read alone: the data is there after all.
            if failed { return rc }
            rc = 0
        }
        if !overflow && bytes > 0, let overlay = state.view.overlay {
            overlay.apply(to: UnsafeMutableRawBufferPointer(start: data, count: bytes), fromFilesystemByte: start)
        }
        return rc
    }
}
