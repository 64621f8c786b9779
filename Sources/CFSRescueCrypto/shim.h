// Swift-facing view of OpenSSL's libcrypto: SHA-256 only (EVP, hardware-accelerated where the CPU allows).
// libcrypto is loaded with dlopen at the first hash instead of being linked: most runs (scan, info)
// never hash, and mapping and relocating libcrypto costs every process about 1.4 MB of resident memory.
#ifndef CFSRESCUE_CRYPTO_SHIM_H
#define CFSRESCUE_CRYPTO_SHIM_H
#include <openssl/evp.h>
#include <dlfcn.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <errno.h>

/// The EVP functions SHA-256 needs, with the prototypes of <openssl/evp.h>.
typedef struct {
    __typeof__(&EVP_MD_CTX_new) ctx_new;
    __typeof__(&EVP_MD_CTX_free) ctx_free;
    __typeof__(&EVP_DigestInit_ex) init;
    __typeof__(&EVP_DigestUpdate) update;
    __typeof__(&EVP_DigestFinal_ex) final;
    __typeof__(&EVP_sha256) sha256;
    /// SHA-256 fetched once (`EVP_MD_fetch`, OpenSSL 3): `EVP_sha256()` makes every
    /// `EVP_DigestInit_ex` look the algorithm up again, about half the cost of hashing a small file.
    /// `EVP_sha256()` where there is no `EVP_MD_fetch` (OpenSSL 1.1).
    const EVP_MD *md;
} fsr_crypto_api;

/// Fills `api` from the first libcrypto that loads and has every function; 0 when none does, with
/// the first `dlopen` error (`dlerror`) in `why` and the `errno` it left in `*code`.
static inline int fsr_crypto_fill(fsr_crypto_api *api, char *why, size_t why_size, int *code) {
    static const char *const names[] = { "libcrypto.so.3", "libcrypto.so.1.1", "libcrypto.so" };
    why[0] = 0;
    *code = 0;
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        errno = 0;
        void *lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
        if (!lib) {
            if (i == 0) {
                *code = errno;
                const char *message = dlerror();
                snprintf(why, why_size, "%s", message ? message : "not found");
            }
            continue;
        }
        api->ctx_new = (__typeof__(&EVP_MD_CTX_new))dlsym(lib, "EVP_MD_CTX_new");
        api->ctx_free = (__typeof__(&EVP_MD_CTX_free))dlsym(lib, "EVP_MD_CTX_free");
        api->init = (__typeof__(&EVP_DigestInit_ex))dlsym(lib, "EVP_DigestInit_ex");
        api->update = (__typeof__(&EVP_DigestUpdate))dlsym(lib, "EVP_DigestUpdate");
        api->final = (__typeof__(&EVP_DigestFinal_ex))dlsym(lib, "EVP_DigestFinal_ex");
        api->sha256 = (__typeof__(&EVP_sha256))dlsym(lib, "EVP_sha256");
        if (api->ctx_new && api->ctx_free && api->init && api->update && api->final && api->sha256) {
            EVP_MD *(*fetch)(void *, const char *, const char *) =
                (EVP_MD *(*)(void *, const char *, const char *))dlsym(lib, "EVP_MD_fetch");
            api->md = fetch ? fetch(NULL, "SHA256", NULL) : NULL;
            if (!api->md) api->md = api->sha256();
            return 1;
        }
        if (!why[0]) snprintf(why, why_size, "%s lacks the EVP SHA-256 functions", names[i]);
        dlclose(lib);
    }
    return 0;
}

/// libcrypto's SHA-256 functions, loaded at the first call (thread-safe); NULL when no libcrypto
/// loads, with why in `*why` (a static string) and the `errno` of the first `dlopen` in `*code`.
/// The state lives in function-local statics: Swift emits this function, not a header's file-scope statics.
static inline const fsr_crypto_api *fsr_crypto(const char **why, int *code) {
    static fsr_crypto_api api;
    static char reason[256];
    static int reason_code;
    static int state;  // 0 not tried, 1 loaded, 2 unavailable
    static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
    int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE);
    if (s == 0) {
        pthread_mutex_lock(&lock);
        s = state;
        if (s == 0) {
            s = fsr_crypto_fill(&api, reason, sizeof reason, &reason_code) ? 1 : 2;
            __atomic_store_n(&state, s, __ATOMIC_RELEASE);
        }
        pthread_mutex_unlock(&lock);
    }
    *why = reason;
    *code = reason_code;
    return s == 1 ? &api : NULL;
}
#endif
