// A call that failed because something ran out is told as such, not as a missing package.
import Foundation
import Testing
@testable import FSRescue

@Suite("Shortage advice")
struct ShortageAdviceTests {
    @Test("EMFILE and ENFILE point at descriptors, ENOMEM and EAGAIN at memory and limits; a missing file gets no shortage advice")
    func errnoAdvice() {
        #expect(ShortageAdvice.forErrno(EMFILE)?.contains("ulimit -n") == true)
        #expect(ShortageAdvice.forErrno(ENFILE)?.contains("file descriptor") == true)
        #expect(ShortageAdvice.forErrno(ENOMEM)?.contains("memory") == true)
        #expect(ShortageAdvice.forErrno(EAGAIN)?.contains("memory") == true)
        #expect(ShortageAdvice.forErrno(ENOENT) == nil)
        #expect(ShortageAdvice.forErrno(EACCES) == nil)
    }

    @Test("a libcrypto that failed to load for want of descriptors says so and keeps dlopen's words; a missing one says install libssl3")
    func libcryptoSentence() {
        let exhausted = SHA256.unavailable(why: "libcrypto.so.3: cannot open shared object file: Too many open files", code: EMFILE)
        #expect(exhausted.contains("ulimit -n") && !exhausted.contains("libssl3"))
        #expect(exhausted.contains("Too many open files"))
        let missing = SHA256.unavailable(why: "libcrypto.so.3: cannot open shared object file: No such file or directory", code: ENOENT)
        #expect(missing.hasSuffix("install libssl3.") && missing.contains("No such file or directory"))
    }

    @Test("this test process has descriptors to spare, and the CLI's up-front check passes")
    func descriptorsAvailable() {
        #expect(!ShortageAdvice.descriptorsExhausted())
        #expect(DescriptorBudget.shortage() == nil)
    }
}
