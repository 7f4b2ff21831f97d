#ifndef COPENSSL_H
#define COPENSSL_H

// The operating system's OpenSSL (libssl, libcrypto), for TLS and hashing. Nothing cryptographic is
// written here: each function below is a thin, non-variadic wrapper (or a macro made callable) that the
// Swift code needs. The static release binary links libssl.a and libcrypto.a from libssl-dev.

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

// ---- hashing (SHA-256, HMAC-SHA-256) ----

/// SHA-256 of `count` bytes at `data` into `out` (32 bytes). 1 on success, 0 on failure.
static inline int wrc_sha256(const void *data, size_t count, unsigned char *out) {
    unsigned int length = 0;
    return EVP_Digest(data, count, out, &length, EVP_sha256(), NULL) == 1 && length == 32;
}

/// HMAC-SHA-256 of `count` bytes at `data` under the `keyCount`-byte key into `out` (32 bytes).
/// 1 on success, 0 on failure (including a key longer than an `int` can say).
static inline int wrc_hmac_sha256(const void *key, size_t keyCount, const void *data, size_t count, unsigned char *out) {
    unsigned int length = 0;
    if (keyCount > 0x7fffffff) return 0;
    return HMAC(EVP_sha256(), key, (int)keyCount, (const unsigned char *)data, count, out, &length) != NULL && length == 32;
}

// ---- TLS ----

#endif
