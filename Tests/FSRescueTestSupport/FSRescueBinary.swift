// Locating and running the built `fsrescue` executable from CLI tests.
import Foundation

public enum FSRescueBinary {
    /// The `fsrescue` built beside the test bundle (or `$FSRESCUE_BIN`).
    public static var path: String {
        if let env = ProcessInfo.processInfo.environment["FSRESCUE_BIN"] { return env }
        var dir = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
        for _ in 0..<4 {
            let candidate = dir.appendingPathComponent("fsrescue").path
            if FileManager.default.isExecutableFile(atPath: candidate) { return candidate }
            dir.deleteLastPathComponent()
        }
        return URL(fileURLWithPath: FileManager.default.currentDirectoryPath).appendingPathComponent(".build/debug/fsrescue").path
    }

    /// Runs `fsrescue` with `arguments`; `environment` adds variables to the test's own.
    @discardableResult
    public static func run(_ arguments: [String], stdin: Data? = nil, environment: [String: String] = [:]) throws -> ToolResult {
        let merged = environment.isEmpty ? nil : ProcessInfo.processInfo.environment.merging(environment) { $1 }
        return try Tool.run(path, arguments, stdin: stdin, environment: merged)
    }
}
