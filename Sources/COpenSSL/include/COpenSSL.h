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

// ---- TLS ----

#endif
