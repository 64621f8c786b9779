// The fsrescue executable: everything lives in FSRescueCLI.
import FSRescueCLI
#if canImport(Glibc)
import Glibc
#endif

exit(FSRescueCommand.runMain())
