// A running fsrescue whose stderr is read line by line as it comes, so a test can wait for an event and signal it.
import Foundation

/// A child process with stdout collected and stderr split into lines as they arrive.
/// Tests wait for a line (a progress event) instead of sleeping, then signal the process.
public final class LiveProcess: @unchecked Sendable {
    private let process = Process()
    private let condition = NSCondition()
    private var stderrLines: [String] = []
    private var stderrPartial = Data()
    private var stderrClosed = false
    private var stdoutData = Data()
    private let readers = DispatchGroup()

    /// Starts `executable` with `arguments`.
    public init(_ executable: String, _ arguments: [String]) throws {
        process.executableURL = URL(fileURLWithPath: executable)
        process.arguments = arguments
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        process.standardInput = FileHandle.nullDevice
        try process.run()
        readers.enter()
        DispatchQueue.global().async { [self] in
            let data = out.fileHandleForReading.readDataToEndOfFile()
            condition.lock(); stdoutData = data; condition.unlock()
            readers.leave()
        }
        readers.enter()
        DispatchQueue.global().async { [self] in
            let handle = err.fileHandleForReading
            while true {
                let chunk = handle.availableData
                condition.lock()
                if chunk.isEmpty {
                    if !stderrPartial.isEmpty { stderrLines.append(String(decoding: stderrPartial, as: UTF8.self)) }
                    stderrClosed = true
                } else {
                    stderrPartial.append(chunk)
                    while let newline = stderrPartial.firstIndex(of: 0x0A) {
                        stderrLines.append(String(decoding: stderrPartial[stderrPartial.startIndex..<newline], as: UTF8.self))
                        stderrPartial = Data(stderrPartial[(newline + 1)...])
                    }
                }
                condition.broadcast()
                condition.unlock()
                if chunk.isEmpty { break }
            }
            readers.leave()
        }
    }

    /// Waits up to `timeout` seconds for a stderr line satisfying `predicate`; returns it, or nil
    /// when stderr closed (the process ended) or time ran out first.
    public func waitForLine(timeout: Double = 60, _ predicate: (String) -> Bool) -> String? {
        let deadline = Date(timeIntervalSinceNow: timeout)
        var checked = 0
        condition.lock()
        defer { condition.unlock() }
        while true {
            while checked < stderrLines.count {
                if predicate(stderrLines[checked]) { return stderrLines[checked] }
                checked += 1
            }
            if stderrClosed || !condition.wait(until: deadline) { return nil }
        }
    }

    /// Sends `signal` to the process.
    public func send(_ signal: Int32) { kill(process.processIdentifier, signal) }

    /// Waits for the process to end and returns its status, stdout and stderr lines.
    public func finish() -> (status: Int32, stdout: Data, stderr: [String]) {
        process.waitUntilExit()
        readers.wait()
        condition.lock()
        defer { condition.unlock() }
        return (process.terminationStatus, stdoutData, stderrLines)
    }
}

/// The progress events (`fsrescue.progress/1`) among lines: lines that start with `{`.
public func progressEvents(_ lines: [String]) -> [[String: Any]] {
    lines.filter { $0.hasPrefix("{") }.compactMap { try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any] }
}
