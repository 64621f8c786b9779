// The fsrescue.progress/1 event stream of scan, salvage and extract as a script reads it; SIGINT mid-scan.
import Foundation
import Testing
import FSRescue
import FSRescueTestSupport

@Suite("progress events at the command line", .serialized)
struct ProgressStreamCLITests {
    /// Runs fsrescue with its events sent to descriptor 3, a file, as `3>events.ndjson` does.
    static func runWithEventsOnFD3(_ arguments: [String], in dir: TemporaryDirectory) throws -> (ToolResult, [[String: Any]]) {
        let events = dir.file("events.ndjson")
        let r = try Tool.run("/bin/sh", ["-c", "events=$1; shift; exec \"$@\" 3>\"$events\"", "sh", events, FSRescueBinary.path]
                             + arguments + ["--progress", "json", "--progress-fd", "3"])
        let text = (try? String(contentsOfFile: events, encoding: .utf8)) ?? ""
        return (r, progressEvents(text.split(separator: "\n").map(String.init)))
    }

    @Test("scan, salvage and extract: a well-formed stream on --progress-fd, nothing on stderr")
    func streams() throws {
        let dir = TemporaryDirectory()
        let f = try ScoringFixtures.make(nil, in: dir)
        let someDir = try #require(f.truth.entries.first { $0.type == "dir" && $0.parentInode == 2 && $0.name != "lost+found" })
        let jobs: [(String, [String])] = [
            ("scan", ["scan", f.path]),
            ("salvage", ["salvage", f.path, "--out", dir.file("salvaged")]),
            ("extract", ["extract", f.path, someDir.path, "--out", dir.file("extracted")]),
        ]
        for (name, arguments) in jobs {
            let (r, events) = try expectUnchanged(f.path) { try Self.runWithEventsOnFD3(arguments, in: dir) }
            #expect(r.status == 0, "\(name): \(r.stderr)")
            #expect(!r.stderr.contains("{"), "\(name) wrote events to stderr as well")
            ProgressStream.check(events, completed: true, job: name)
            let passes = Set(events.compactMap { $0["pass"] as? String })
            switch name {
            case "scan": #expect(passes.isSuperset(of: ["inodes", "directories", "connectivity", "references", "summary"]))
            case "salvage": #expect(passes.isSuperset(of: ["inodes", "summary", "copy"]))
            default: #expect(passes == ["copy"])
            }
        }
    }

    @Test("--progress none and a non-terminal stderr: no events at all")
    func none() throws {
        let dir = TemporaryDirectory()
        let f = try ScoringFixtures.make(nil, in: dir)
        for arguments in [["scan", f.path, "--progress", "none"], ["scan", f.path],
                          ["salvage", f.path, "--out", dir.file("a"), "--progress", "none"]] {
            let r = try FSRescueBinary.run(arguments)
            #expect(r.status == 0)
            #expect(r.stderr.isEmpty, "\(arguments): \(r.stderr.prefix(300))")
            #expect(!r.stdout.contains("fsrescue.progress/1"))
        }
    }

    @Test("SIGINT during a scan pass: exit 32, the partial report up to that pass, a last event with completed false",
          arguments: ["inodes", "summary"])
    func interruptedScan(pass: String) throws {
        let dir = TemporaryDirectory()
        let img = dir.file("many-inodes.img")
        // Six million inodes in a sparse ext2 (no uninit_bg: pass 1 reads every inode table, pass 5 checks
        // every bit of 192 groups): about a second in pass 1 on an idle machine. Two million took a third
        // of a second, and the signal sometimes landed after the scan had ended.
        try TestImages.make(img, type: "ext2", blockSize: 4096, sizeMiB: 24576, extra: ["-N", "6000000", "-I", "128"])
        // Hashing 24 GiB of holes twice would dominate the test: an unchanged size and mtime prove no write here
        // (the other scan tests hash their images).
        var before = stat()
        #expect(stat(img, &before) == 0)
        let run = try LiveProcess(FSRescueBinary.path, ["scan", img, "--json", "--progress", "json"])
        let started = run.waitForLine { $0.contains("\"event\":\"pass_start\"") && $0.contains("\"pass\":\"\(pass)\"") }
        #expect(started != nil)
        run.send(SIGINT)
        let (status, stdout, stderr) = run.finish()
        #expect(status == 32, "\(stderr.suffix(5))")
        let events = progressEvents(stderr)
        ProgressStream.check(events, completed: false, job: "scan")
        #expect(stderr.contains { $0.hasPrefix("fsrescue: ") && $0.contains("cancelled") })
        let doc = try #require(try JSONSerialization.jsonObject(with: stdout) as? [String: Any])
        #expect(doc["completed"] as? Bool == false)
        let timings = (doc["timings"] as? [[String: Any]]) ?? []
        // The report covers the passes that ran and ends with the one running when the signal landed:
        // the last pass_start of the stream (pass 5's units are whole groups, so it must check for
        // cancellation at each). That is the signalled pass, or a later one when it finished first.
        let order = ((events.first?["passes"] as? [[String: Any]]) ?? []).compactMap { $0["name"] as? String }
        let running = events.last { $0["event"] as? String == "pass_start" }?["pass"] as? String
        #expect(timings.last?["name"] as? String == running, "\(timings)")
        let signalled = order.firstIndex(of: pass), stopped = running.flatMap { order.firstIndex(of: $0) }
        #expect(signalled != nil && stopped != nil && stopped! >= signalled!, "stopped in \(running ?? "?") after signalling in \(pass)")
        var after = stat()
        #expect(stat(img, &after) == 0)
        #expect(after.st_size == before.st_size && after.st_mtim.tv_sec == before.st_mtim.tv_sec && after.st_mtim.tv_nsec == before.st_mtim.tv_nsec)
    }
}

/// Checks a `fsrescue.progress/1` stream as the README describes it.
enum ProgressStream {
    static func check(_ events: [[String: Any]], completed: Bool, job: String) {
        guard let first = events.first, let last = events.last else {
            Issue.record("\(job): no events")
            return
        }
        #expect(events.allSatisfy { $0["schema"] as? String == "fsrescue.progress/1" }, "\(job)")
        #expect(first["event"] as? String == "start", "\(job)")
        let plan = (first["passes"] as? [[String: Any]]) ?? []
        let count = first["pass_count"] as? Int ?? 0
        #expect(count > 0 && plan.count == count, "\(job): pass_count \(count), plan of \(plan.count)")
        #expect(events.filter { $0["event"] as? String == "start" }.count == 1)
        #expect(last["event"] as? String == "done", "\(job)")
        #expect(events.filter { $0["event"] as? String == "done" }.count == 1, "\(job): more than one done event")
        #expect(last["completed"] as? Bool == completed, "\(job)")

        var fraction = 0.0
        var openPass: Int?
        var lastStarted = 0
        var done = 0
        for (i, event) in events.enumerated() {
            let kind = event["event"] as? String ?? ""
            #expect(event["pass_count"] as? Int == count, "\(job) event \(i)")
            let f = event["fraction"] as? Double ?? -1
            #expect(f >= fraction && f <= 1, "\(job) event \(i) (\(kind)): fraction \(f) after \(fraction)")
            #expect(f < 1 || (kind == "done" && completed), "\(job) event \(i) (\(kind)): fraction 1 before the end")
            fraction = max(fraction, f)
            let passFraction = event["pass_fraction"] as? Double ?? -1
            #expect(passFraction >= 0 && passFraction <= 1, "\(job) event \(i): pass_fraction \(passFraction)")
            guard kind != "start" else { continue }
            let index = event["pass_index"] as? Int ?? 0
            #expect(index >= 1 && index <= count, "\(job) event \(i): pass_index \(index)")
            if plan.indices.contains(index - 1) { #expect(event["pass"] as? String == plan[index - 1]["name"] as? String) }
            let d = event["done"] as? Int ?? -1, total = event["total"] as? Int ?? -1
            switch kind {
            case "pass_start":
                #expect(openPass == nil && index > lastStarted, "\(job) event \(i): pass \(index) starts out of order")
                openPass = index
                lastStarted = index
                done = 0
                #expect(d == 0)
            case "update":
                #expect(openPass == index, "\(job) event \(i): update outside its pass")
                #expect(d >= done, "\(job) event \(i): done went back from \(done) to \(d)")
                #expect(d <= total, "\(job) event \(i): done \(d) past the pass's total \(total)")
                done = d
            case "pass_end":
                #expect(openPass == index, "\(job) event \(i): pass \(index) ends without starting")
                #expect(d >= done, "\(job) event \(i): done went back")
                if completed { #expect(d == total, "\(job) event \(i): pass \(event["pass"] ?? "") ended at \(d) of \(total)") }
                openPass = nil
                done = d
            case "done":
                #expect(d >= done || openPass == nil)
                if completed {
                    #expect(f == 1 && lastStarted == count, "\(job): the job ended at pass \(lastStarted) of \(count)")
                } else {
                    #expect(event["eta_seconds"] is NSNull || event["eta_seconds"] == nil)
                }
            default:
                Issue.record("\(job) event \(i): unknown event \(kind)")
            }
        }
    }
}
