// Test doubles for the progress engine: a clock set by hand, a renderer that records, a pipe to read events from.
import Foundation
import Synchronization
import FSRescue

/// A clock that only moves when the test says so.
final class ManualClock: ProgressClock {
    private let seconds = Mutex(1000.0)
    func now() -> Double { seconds.withLock { $0 } }
    func advance(_ delta: Double) { seconds.withLock { $0 += delta } }
}

/// Keeps every event a ``RecordingRenderer`` is given.
final class EventLog: Sendable {
    private let events = Mutex<[ProgressEvent]>([])
    func append(_ event: ProgressEvent) { events.withLock { $0.append(event) } }
    var all: [ProgressEvent] { events.withLock { $0 } }
    var kinds: [ProgressEvent.Kind] { all.map(\.kind) }
}

/// A renderer that records what it is given: at most 4 updates a second, and one a second when stalled.
struct RecordingRenderer: ProgressRenderer {
    let log: EventLog
    var throttle = UpdateThrottle(minimumInterval: 0.25, heartbeatInterval: 1)
    mutating func render(_ event: ProgressEvent) { log.append(event) }
}

/// A pipe whose read end is drained on a background thread, so writers never block.
final class DrainedPipe: Sendable {
    let readFD: Int32
    let writeFD: Int32
    private let collected = Mutex(Data())
    private let finished = DispatchSemaphore(value: 0)

    init() {
        var fds: [Int32] = [0, 0]
        precondition(pipe(&fds) == 0)
        readFD = fds[0]
        writeFD = fds[1]
        let fd = readFD
        Thread.detachNewThread { [self] in
            var buffer = [UInt8](repeating: 0, count: 65536)
            while true {
                let n = read(fd, &buffer, buffer.count)
                if n <= 0 { break }
                collected.withLock { $0.append(contentsOf: buffer[0..<n]) }
            }
            finished.signal()
        }
    }

    /// What has arrived so far.
    var textSoFar: String { String(decoding: collected.withLock { $0 }, as: UTF8.self) }

    /// Closes the write end and returns everything written.
    func finish() -> String {
        close(writeFD)
        finished.wait()
        close(readFD)
        return String(decoding: collected.withLock { $0 }, as: UTF8.self)
    }
}

/// A job of three passes with different cost hints.
let threePassPlan = [
    PassPlan(name: "inodes", title: "Pass 1: inodes", units: 400, bytesPerUnit: 256, entriesPerUnit: 1),
    PassPlan(name: "directories", title: "Pass 2: directories", units: 200, bytesPerUnit: 4096, entriesPerUnit: 20),
    PassPlan(name: "summary", title: "Pass 3: summary", units: 100, bytesPerUnit: 0, entriesPerUnit: 8),
]
