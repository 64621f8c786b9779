// A problem (or fact worth knowing) met while opening or checking a filesystem.

/// How much a finding matters. `info` findings never make a filesystem "damaged".
public enum Severity: String, Sendable, Codable, Comparable, CaseIterable {
    case info, warning, error

    private var rank: Int { self == .info ? 0 : self == .warning ? 1 : 2 }
    public static func < (a: Severity, b: Severity) -> Bool { a.rank < b.rank }
}

/// The stage of the work that produced a finding.
public enum Pass: Int, Sendable, Codable, CaseIterable, Comparable {
    case open = 0, inodes = 1, directories = 2, connectivity = 3, references = 4, summary = 5

    /// The pass's name as the README and the JSON give it (`open`, `inodes`, …).
    public var name: String {
        switch self {
        case .open: "open"
        case .inodes: "inodes"
        case .directories: "directories"
        case .connectivity: "connectivity"
        case .references: "references"
        case .summary: "summary"
        }
    }
    public static func < (a: Pass, b: Pass) -> Bool { a.rawValue < b.rawValue }
}

/// One finding: a stable code, a severity, the pass, what it concerns, and a message.
/// The text report and the JSON document are both rendered from this value.
public struct Finding: Sendable, Codable, Equatable {
    /// The stable code.
    public let code: FindingCode
    /// Its severity (the code's default unless raised or lowered for this case).
    public let severity: Severity
    /// The pass that made it (the code's pass).
    public let pass: Pass
    /// The inode concerned, if any.
    public var inode: UInt32?
    /// The block concerned, if any.
    public var block: UInt64?
    /// The block group concerned, if any.
    public var group: UInt32?
    /// The path inside the filesystem, when known.
    public var path: String?
    /// One sentence on this case: what is wrong, with numbers.
    public let message: String

    /// A finding with `code`'s severity unless `severity` is given.
    public init(_ code: FindingCode, _ message: String, severity: Severity? = nil,
                inode: UInt32? = nil, block: UInt64? = nil, group: UInt32? = nil, path: String? = nil) {
        self.code = code
        self.severity = severity ?? code.severity
        self.pass = code.pass
        self.inode = inode
        self.block = block
        self.group = group
        self.path = path
        self.message = message
    }

    /// The same finding at `info` severity with `note` appended: for differences a known cause explains.
    public func downgraded(_ note: String) -> Finding {
        Finding(code, message + " " + note, severity: .info, inode: inode, block: block, group: group, path: path)
    }

    private enum CodingKeys: String, CodingKey { case code, severity, pass, passName = "pass_name", inode, block, group, path, message }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let raw = try c.decode(String.self, forKey: .code)
        guard let known = FindingCode.all.first(where: { $0.id == raw }) else {
            throw DecodingError.dataCorruptedError(forKey: .code, in: c, debugDescription: "unknown finding code \(raw)")
        }
        code = known
        severity = try c.decode(Severity.self, forKey: .severity)
        pass = try c.decode(Pass.self, forKey: .pass)
        inode = try c.decodeIfPresent(UInt32.self, forKey: .inode)
        block = try c.decodeIfPresent(UInt64.self, forKey: .block)
        group = try c.decodeIfPresent(UInt32.self, forKey: .group)
        path = try c.decodeIfPresent(String.self, forKey: .path)
        message = try c.decode(String.self, forKey: .message)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(code.id, forKey: .code)
        try c.encode(severity, forKey: .severity)
        try c.encode(pass, forKey: .pass)
        try c.encode(pass.name, forKey: .passName)
        try c.encodeIfPresent(inode, forKey: .inode)
        try c.encodeIfPresent(block, forKey: .block)
        try c.encodeIfPresent(group, forKey: .group)
        try c.encodeIfPresent(path, forKey: .path)
        try c.encode(message, forKey: .message)
    }
}
