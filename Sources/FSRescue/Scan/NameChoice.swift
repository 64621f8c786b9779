// Choosing one name among the candidates for an inode: confidence, then recency, then disk order.

/// The name chosen for an inode from its evidence, and how sure the choice is.
///
/// Candidates are ranked by ``NameEvidence/confidence`` (the source, with file-type agreement
/// folded in), then by ``NameEvidence/recency`` (the newer directory wins), then by disk order.
/// `..` evidence never names (it only gives the parent). When the two best naming candidates are
/// equally sure and equally recent but disagree (another name, or another directory), the first
/// is kept, deterministically, but with confidence ``ambiguousConfidence``, below the naming
/// threshold: an ambiguous name is reported, never used to name a file. The others stay in the
/// evidence list as alternates. For a directory whose `..` names its parent, only candidates found
/// in that parent agree with it; a name found elsewhere (an older location) is ambiguous.
public struct NameChoice: Sendable, Equatable {
    /// Confidence given to a choice between equal candidates that disagree.
    public static let ambiguousConfidence = 0.4

    /// The best naming candidate (nil when the evidence holds no name).
    public let evidence: NameEvidence?
    /// Its confidence, lowered to ``ambiguousConfidence`` when ``ambiguous``.
    public let confidence: Double
    /// Another candidate was as sure, as recent, and different.
    public let ambiguous: Bool

    /// Chooses among `ranked` (best first, as ``NameEvidence/ranked(_:)`` orders them); with
    /// `parent` (a directory's `..`), among the candidates found in that directory.
    public init(_ ranked: [NameEvidence], parent: UInt32? = nil) {
        let all = ranked.filter { $0.source != .dotdot && $0.source != .none && !$0.name.isEmpty }
        let naming = parent.map { p in all.filter { $0.directory == p } } ?? all
        if naming.isEmpty, let other = all.first {
            evidence = other
            confidence = min(other.confidence, Self.ambiguousConfidence)
            ambiguous = true
            return
        }
        guard let best = naming.first else {
            evidence = nil
            confidence = 0
            ambiguous = false
            return
        }
        let rival = naming.dropFirst().first {
            $0.confidence == best.confidence && $0.recency == best.recency && ($0.name != best.name || $0.directory != best.directory)
        }
        evidence = best
        ambiguous = rival != nil
        confidence = rival == nil ? best.confidence : min(best.confidence, Self.ambiguousConfidence)
    }

    /// The directory the `..` evidence names, if any (a lost directory's parent).
    public static func dotdot(_ evidence: [NameEvidence]) -> UInt32? {
        evidence.first { $0.source == .dotdot }?.directory
    }
}

extension NameEvidence {
    /// `list` best first: higher confidence, then more recent, then in the order found (disk order).
    public static func ranked(_ list: [NameEvidence]) -> [NameEvidence] {
        list.enumerated().sorted { a, b in
            if a.element.confidence != b.element.confidence { return a.element.confidence > b.element.confidence }
            if a.element.recency != b.element.recency { return a.element.recency > b.element.recency }
            return a.offset < b.offset
        }.map(\.element)
    }
}
