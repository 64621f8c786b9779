// SHA-256 for manifests and ground truth, over OpenSSL's EVP interface (libcrypto loaded at the first hash).
internal import CFSRescueCrypto
#if canImport(Glibc)
import Glibc
#endif

/// An incremental SHA-256 (`EVP_DigestInit_ex` / `EVP_DigestUpdate` / `EVP_DigestFinal_ex` with `EVP_sha256`).
///
/// libcrypto (`libcrypto.so.3`, else `.so.1.1`) is loaded with `dlopen` when the first hash starts,
/// so processes that never hash do not map it; without it, the first hash stops the process with one
/// sentence on stderr and exit status 8 (an operational error), not a trap.
public struct SHA256: ~Copyable {
    private let context: OpaquePointer
    private let api: UnsafePointer<fsr_crypto_api>

    /// A fresh hash (`EVP_MD_CTX_new`, `EVP_DigestInit_ex` with SHA-256 as `EVP_MD_fetch` found it once).
    public init() {
        var why: UnsafePointer<CChar>?
        var code: Int32 = 0
        guard let api = fsr_crypto(&why, &code) else {
            Self.stop(Self.unavailable(why: why.map { String(cString: $0) } ?? "not found", code: code))
        }
        guard let context = api.pointee.ctx_new() else {
            Self.stop("OpenSSL could not make a SHA-256 context (out of memory?); free some memory and run again.")
        }
        self.api = api
        self.context = context
        _ = api.pointee.`init`(context, api.pointee.md, nil)
    }

    deinit { api.pointee.ctx_free(context) }

    /// The sentence for a libcrypto that did not load: what `dlopen` said, and the advice that fits
    /// it. Descriptors running out (EMFILE) is told apart from a missing library: `dlopen` cannot
    /// open a file then either, and "install libssl3" would send the user the wrong way.
    static func unavailable(why: String, code: Int32) -> String {
        let shortage = ShortageAdvice.forErrno(code)
            ?? (ShortageAdvice.descriptorsExhausted() ? ShortageAdvice.forErrno(EMFILE) : nil)
        return "SHA-256 needs OpenSSL's libcrypto, which could not be loaded (\(why)); \(shortage ?? "install libssl3")."
    }

    /// Nothing can be hashed: says why on stderr and exits 8, as for any operational error.
    private static func stop(_ sentence: String) -> Never {
        let line = Array("fsrescue: \(sentence)\n".utf8)
        _ = line.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
        exit(8)
    }

    /// Adds `bytes` to the hash.
    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        if let base = bytes.baseAddress, !bytes.isEmpty { _ = api.pointee.update(context, base, bytes.count) }
    }

    /// Adds the bytes of an array to the hash.
    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Finishes and returns the digest as 64 lowercase hex digits.
    public consuming func finalizeHex() -> String {
        var digest: (UInt64, UInt64, UInt64, UInt64) = (0, 0, 0, 0)
        var length: UInt32 = 0
        withUnsafeMutableBytes(of: &digest) { _ = api.pointee.final(context, $0.bindMemory(to: UInt8.self).baseAddress, &length) }
        return withUnsafeBytes(of: digest) { SHA256.hex($0) }
    }

    /// The SHA-256 of `bytes`, as hex.
    public static func hex(of bytes: [UInt8]) -> String {
        var h = SHA256()
        h.update(bytes)
        return h.finalizeHex()
    }

    /// Lowercase hex of `digest`, written straight into the string's storage (one allocation).
    static func hex(_ digest: UnsafeRawBufferPointer) -> String {
        String(unsafeUninitializedCapacity: digest.count * 2) { out in
            for (i, b) in digest.enumerated() {
                out[2 * i] = hexDigit(b >> 4)
                out[2 * i + 1] = hexDigit(b & 15)
            }
            return digest.count * 2
        }
    }

    private static func hexDigit(_ v: UInt8) -> UInt8 { v < 10 ? 0x30 + v : 0x57 + v }
}
