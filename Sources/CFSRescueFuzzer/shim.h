// libFuzzer's driver entry (compiler-rt's FuzzerInterface.h), for a harness that keeps its own main.
// Declaration only: nothing is linked unless the harness is built with -sanitize=fuzzer.
#ifndef CFSRESCUE_FUZZER_SHIM_H
#define CFSRESCUE_FUZZER_SHIM_H
#include <stddef.h>
#include <stdint.h>

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
/// libFuzzer's own byte mutations, for a custom mutator to fall back on.
size_t LLVMFuzzerMutate(uint8_t *data, size_t size, size_t maxSize);

#endif
