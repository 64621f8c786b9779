// The renderers' output: NDJSON lines of schema fsrescue.progress/1, the bar's line, the status line.
import Foundation
import Testing
import FSRescue

private func event(_ kind: ProgressEvent.Kind = .update, eta: Double? = 12.34, fraction: Double = 0.25) -> ProgressEvent {
    ProgressEvent(kind: kind, pass: threePassPlan[1], passIndex: 1, passCount: 3, done: 50, total: 200,
                  estimate: ETAEstimate(elapsedSeconds: 4.5, etaSeconds: eta, fraction: fraction,
                                        passFraction: 0.25, unitsPerSecond: 1234.5))
}

private func object(_ line: String) throws -> [String: Any] {
    try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
}

@Suite("Progress renderers")
struct ProgressRendererTests {
    @Test func jsonLineHasEveryKey() throws {
        let o = try object(event().jsonLine)
        #expect(o["schema"] as? String == "fsrescue.progress/1")
        #expect(o["event"] as? String == "update")
        #expect(o["pass"] as? String == "directories")
        #expect(o["pass_title"] as? String == "Pass 2: directories")
        #expect(o["pass_index"] as? Int == 2)
        #expect(o["pass_count"] as? Int == 3)
        #expect(o["done"] as? Int == 50)
        #expect(o["total"] as? Int == 200)
        #expect(o["pass_fraction"] as? Double == 0.25)
        #expect(o["fraction"] as? Double == 0.25)
        #expect(o["elapsed_seconds"] as? Double == 4.5)
        #expect(o["eta_seconds"] as? Double == 12.3)
        #expect(o["eta_uncertain"] as? Bool == false)
        #expect(o["units_per_second"] as? Double == 1234.5)
        #expect(o["completed"] == nil)
    }

    @Test func uncertainEtaIsNull() throws {
        let o = try object(event(eta: nil).jsonLine)
        #expect(o["eta_seconds"] is NSNull)
        #expect(o["eta_uncertain"] as? Bool == true)
    }

    @Test func startCarriesThePlanAndDoneCarriesTheOutcome() throws {
        var start = event(.start)
        start.pass = nil
        start.passIndex = nil
        start.plan = threePassPlan
        let s = try object(start.jsonLine)
        #expect(s["pass"] is NSNull)
        #expect(s["pass_index"] is NSNull)
        let passes = try #require(s["passes"] as? [[String: Any]])
        #expect(passes.map { $0["name"] as? String } == ["inodes", "directories", "summary"])
        #expect(passes[1]["bytes_per_unit"] as? Double == 4096)

        var done = event(.done, eta: 0, fraction: 1)
        done.completed = true
        #expect(try object(done.jsonLine)["completed"] as? Bool == true)
    }

    @Test func namesAreEscaped() throws {
        var e = event()
        e.pass = PassPlan(name: "a\"b\\c\n\u{1}", title: "t", units: 1, bytesPerUnit: 0, entriesPerUnit: 0)
        #expect(try object(e.jsonLine)["pass"] as? String == "a\"b\\c\n\u{1}")
    }

    @Test(arguments: [40, 60, 80, 120, 200])
    func barFitsTheTerminal(columns: Int) {
        let line = TerminalProgressBar.line(for: event(), columns: columns)
        #expect(line.count <= max(20, columns - 1))
        #expect(line.hasPrefix("[2/3] Pass 2: directories"))
        if columns >= 120 {
            #expect(line.contains("[=======>"))
            #expect(line.contains("25.0%"))
            #expect(line.contains("job 25.0%"))
            #expect(line.contains("1.2k/s"))
            #expect(line.contains("ETA 0:12"))
        }
    }

    @Test func barRedrawsInPlaceAndClearsAtTheEnd() {
        let pipe = DrainedPipe()
        var bar = TerminalProgressBar(fd: pipe.writeFD)
        var start = event(.start)
        start.pass = nil
        bar.render(start)
        bar.render(event(.passStart))
        bar.render(event())
        bar.render(event(.done, eta: 0, fraction: 1))
        let text = pipe.finish()
        let clear = "\u{1B}[K"
        #expect(!text.contains("\n"))
        #expect(text.components(separatedBy: "\r").count == 4)     // two redraws and the final clear
        #expect(text.hasSuffix("\r" + clear))
        #expect(text.hasPrefix("\r[2/3] Pass 2: directories"))
    }

    @Test func barSaysWhenItIsEstimating() {
        #expect(TerminalProgressBar.line(for: event(eta: nil), columns: 200).hasSuffix("ETA estimating"))
    }

    @Test func statusLineIsOneLineLikeDd() {
        #expect(ProgressFormat.statusLine(event()) ==
            "fsrescue: [2/3] Pass 2: directories: 50 of 200 (25.0%), job 25.0%, 1.2k/s, 0:05 elapsed, ETA 0:12")
    }

    @Test(arguments: [(0.0, "0:00"), (59.4, "0:59"), (61, "1:01"), (3600, "1:00:00"), (90061, "25:01:01")])
    func durations(seconds: Double, text: String) {
        #expect(ProgressFormat.duration(seconds) == text)
    }

    @Test func throttleLimitsAndBeats() {
        var throttle = UpdateThrottle(minimumInterval: 0.1, heartbeatInterval: 1)
        #expect(throttle.shouldRender(done: 1, at: 0))
        throttle.rendered(done: 1, at: 0)
        #expect(!throttle.shouldRender(done: 2, at: 0.05))   // too soon
        #expect(throttle.shouldRender(done: 2, at: 0.1))
        #expect(!throttle.shouldRender(done: 1, at: 0.5))    // nothing new
        #expect(throttle.shouldRender(done: 1, at: 1.0))     // heartbeat
    }

    @Test func writableDescriptorsAreChecked() throws {
        #expect(throws: FSRescueError.self) { try FileDescriptorWriter.checkWritable(-1) }
        #expect(throws: FSRescueError.self) { try FileDescriptorWriter.checkWritable(987) }
        let pipe = DrainedPipe()
        try FileDescriptorWriter.checkWritable(pipe.writeFD)
        #expect(throws: FSRescueError.self) { try FileDescriptorWriter.checkWritable(pipe.readFD) }
        _ = pipe.finish()
    }

    @Test func defaultStyleFollowsTheTerminal() {
        #expect(ProgressStyle.automatic(standardErrorIsTerminal: true) == .bar)
        #expect(ProgressStyle.automatic(standardErrorIsTerminal: false) == .none)
    }
}
