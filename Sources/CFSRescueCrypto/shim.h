// Swift-facing view of OpenSSL's libcrypto: SHA-256 only (EVP, hardware-accelerated where the CPU allows).
#ifndef CFSRESCUE_CRYPTO_SHIM_H
#define CFSRESCUE_CRYPTO_SHIM_H
#include <openssl/evp.h>
static inline const EVP_MD *fsr_sha256(void) { return EVP_sha256(); }
#endif
