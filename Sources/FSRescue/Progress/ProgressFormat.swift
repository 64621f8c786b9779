// Human-readable pieces of progress: durations, rates, percentages, the SIGUSR1 status line.
#if canImport(FoundationEssentials)
import FoundationEssentials
#else
import Foundation
#endif

/// Formatting shared by the terminal bar and the status line.
public enum ProgressFormat {
    /// `0:42`, `12:05`, `1:02:03`.
    public static func duration(_ seconds: Double) -> String {
        let s = Int(max(0, seconds).rounded())
        let (h, m, r) = (s / 3600, (s / 60) % 60, s % 60)
        return h > 0 ? cFormat("%ld:%02ld:%02ld", h, m, r) : cFormat("%ld:%02ld", m, r)
    }

    /// `950/s`, `12.3k/s`, `4.1M/s`.
    public static func rate(_ unitsPerSecond: Double?) -> String {
        guard let r = unitsPerSecond, r.isFinite else { return "-/s" }
        switch r {
        case ..<1_000: return cFormat("%.0f/s", r)
        case ..<1_000_000: return cFormat("%.1fk/s", r / 1_000)
        case ..<1_000_000_000: return cFormat("%.1fM/s", r / 1_000_000)
        default: return cFormat("%.1fG/s", r / 1_000_000_000)
        }
    }

    /// `42.1%`.
    public static func percent(_ fraction: Double) -> String {
        cFormat("%.1f%%", min(1, max(0, fraction)) * 100)
    }

    /// `ETA 1:10`, or `ETA estimating` while uncertain.
    public static func eta(_ estimate: ETAEstimate) -> String {
        estimate.etaSeconds.map { "ETA " + duration($0) } ?? "ETA estimating"
    }

    /// `[2/5] Pass 2: directories`, or `starting` before the first pass.
    public static func passLabel(_ event: ProgressEvent) -> String {
        guard let pass = event.pass, let index = event.passIndex else { return "starting" }
        return "[\(index + 1)/\(event.passCount)] \(pass.title)"
    }

    /// The one line SIGUSR1 prints, like dd's status line:
    /// `fsrescue: [2/5] Pass 2: directories: 1234 of 5678 (21.7%), job 43.0%, 1.2k/s, 0:12 elapsed, ETA 0:31`.
    public static func statusLine(_ event: ProgressEvent) -> String {
        let e = event.estimate
        var parts = [passLabel(event)]
        if event.pass != nil { parts[0] += ": \(event.done) of \(event.total) (\(percent(e.passFraction)))" }
        parts += ["job \(percent(e.fraction))", rate(e.unitsPerSecond), duration(e.elapsedSeconds) + " elapsed", eta(e)]
        return "fsrescue: " + parts.joined(separator: ", ")
    }
}
