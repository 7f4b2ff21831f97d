#ifndef COPENSSL_H
#define COPENSSL_H

// The operating system's OpenSSL (libssl, libcrypto), for TLS and hashing. Nothing cryptographic is
// written here: each function below is a thin, non-variadic wrapper (or a macro made callable) that the
// Swift code needs. The static release binary links libssl.a and libcrypto.a from libssl-dev.

#include <openssl/crypto.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/pem.h>
#include <openssl/sha.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <string.h>

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

/// 1 when the `count` bytes at `a` and `b` are equal, compared in time that does not depend on where
/// they differ (libcrypto's CRYPTO_memcmp).
static inline int wrc_equal_constant_time(const void *a, const void *b, size_t count) {
    return CRYPTO_memcmp(a, b, count) == 0;
}

// ---- TLS ----

// Loads libssl's and libcrypto's error strings; called once, on the first https request only.
static inline int cssl_init(void) {
    return OPENSSL_init_ssl(OPENSSL_INIT_LOAD_SSL_STRINGS | OPENSSL_INIT_LOAD_CRYPTO_STRINGS, NULL);
}

// TLS 1.2 is the oldest version offered (SSL_CTX_set_min_proto_version is a macro).
static inline int cssl_ctx_require_tls12(SSL_CTX *ctx) {
    return (int)SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION);
}

// No compression (CRIME), no renegotiation.
static inline void cssl_ctx_set_safe_options(SSL_CTX *ctx) {
    SSL_CTX_set_options(ctx, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION);
}

// A retried SSL_write may come from a Swift array at another address (SSL_write(3)).
static inline void cssl_set_moving_write_buffer(SSL *ssl) {
    SSL_set_mode(ssl, SSL_MODE_ACCEPT_MOVING_WRITE_BUFFER);
}

// SNI (SSL_set_tlsext_host_name is a macro).
static inline int cssl_set_sni(SSL *ssl, const char *name) {
    return (int)SSL_set_tlsext_host_name(ssl, name);
}

// The peer certificate must match this IP address (text form); IPs are checked as addresses, not names.
static inline int cssl_set_expected_ip(SSL *ssl, const char *address) {
    return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), address);
}

// Adds every certificate (and CRL) of a PEM bundle already read into memory to the context's trust
// store, so the file is opened once, by our own bounded, non-blocking read. Returns the number of
// certificates found, or -1 when the bytes could not be parsed.
static inline int cssl_ctx_add_pem_bundle(SSL_CTX *ctx, const void *data, int length) {
    BIO *bio = BIO_new_mem_buf(data, length);
    if (bio == NULL) return -1;
    STACK_OF(X509_INFO) *infos = PEM_X509_INFO_read_bio(bio, NULL, NULL, NULL);
    BIO_free(bio);
    if (infos == NULL) return -1;
    X509_STORE *store = SSL_CTX_get_cert_store(ctx);
    int count = 0;
    for (int i = 0; i < sk_X509_INFO_num(infos); i++) {
        X509_INFO *info = sk_X509_INFO_value(infos, i);
        if (info->x509 != NULL && X509_STORE_add_cert(store, info->x509) == 1) count++;
        if (info->crl != NULL) X509_STORE_add_crl(store, info->crl);
    }
    sk_X509_INFO_pop_free(infos, X509_INFO_free);
    return count;
}

// Host names are matched against subjectAltName only, never the subject's Common Name (as browsers
// and Go do), and a wildcard must be a whole label.
static inline void cssl_set_strict_host_flags(SSL *ssl) {
    SSL_set_hostflags(ssl, X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS | X509_CHECK_FLAG_NEVER_CHECK_SUBJECT);
}

// The reason text of an error code from ERR_get_error, or NULL.
static inline const char *cssl_error_reason(unsigned long code) {
    return ERR_reason_error_string(code);
}

// The constants Swift cannot import as plain integers on every OpenSSL version.
static inline int cssl_verify_peer(void) { return SSL_VERIFY_PEER; }
static inline int cssl_error_want_read(void) { return SSL_ERROR_WANT_READ; }
static inline int cssl_error_want_write(void) { return SSL_ERROR_WANT_WRITE; }
static inline int cssl_error_zero_return(void) { return SSL_ERROR_ZERO_RETURN; }
static inline int cssl_error_ssl(void) { return SSL_ERROR_SSL; }
static inline long cssl_verify_ok(void) { return X509_V_OK; }

// Standard base64 of `length` bytes into `out` (4 * ceil(length / 3) + 1 bytes); returns the text length.
static inline int cssl_base64(unsigned char *out, const unsigned char *in, int length) {
    return EVP_EncodeBlock(out, in, length);
}

// ---- X.509 certificates and private keys (IAM Roles Anywhere) ----

#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/pem.h>

// The next PEM certificate in `bio`, or NULL at the end or on an error.
static inline X509 *wrc_pem_read_certificate(BIO *bio) {
    return PEM_read_bio_X509(bio, NULL, NULL, NULL);
}

// Refuses to ask for a pass phrase: the default callback would prompt on the terminal.
static inline int wrc_no_passphrase(char *buf, int size, int rwflag, void *u) {
    (void)buf; (void)size; (void)rwflag; (void)u;
    return -1;
}

// A PEM private key (PKCS#8 or the traditional RSA/EC forms), never an encrypted one; NULL on failure.
static inline EVP_PKEY *wrc_pem_read_private_key(BIO *bio) {
    return PEM_read_bio_PrivateKey(bio, NULL, wrc_no_passphrase, NULL);
}

// The DER form of `cert` into a new buffer the caller frees with wrc_free; its length, or -1.
static inline int wrc_certificate_der(X509 *cert, unsigned char **out) {
    *out = NULL;
    return i2d_X509(cert, out);
}

static inline void wrc_free(void *p) { OPENSSL_free(p); }

// The certificate's serial number in decimal into `out` (`size` bytes, NUL-terminated); 1 or 0.
static inline int wrc_certificate_serial(X509 *cert, char *out, size_t size) {
    BIGNUM *bn = ASN1_INTEGER_to_BN(X509_get0_serialNumber(cert), NULL);
    if (bn == NULL) return 0;
    char *text = BN_bn2dec(bn);
    BN_free(bn);
    if (text == NULL) return 0;
    int ok = strlen(text) < size;
    if (ok) strcpy(out, text);
    OPENSSL_free(text);
    return ok;
}

// The subject in RFC 2253 form into `out` (`size` bytes, NUL-terminated); its length, or -1.
static inline int wrc_certificate_subject(X509 *cert, char *out, int size) {
    BIO *bio = BIO_new(BIO_s_mem());
    if (bio == NULL) return -1;
    int n = -1;
    if (X509_NAME_print_ex(bio, X509_get_subject_name(cert), 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) >= 0) {
        n = BIO_read(bio, out, size - 1);
        if (n >= 0) out[n] = 0;
    }
    BIO_free(bio);
    return n;
}

// notBefore (which 0) or notAfter (which 1) in UTC as year, month (1-12), day, hour, minute, second
// into `out[6]`; 1 or 0.
static inline int wrc_certificate_time(X509 *cert, int which, int *out) {
    const ASN1_TIME *t = which ? X509_get0_notAfter(cert) : X509_get0_notBefore(cert);
    struct tm tm;
    if (t == NULL || ASN1_TIME_to_tm(t, &tm) != 1) return 0;
    out[0] = tm.tm_year + 1900; out[1] = tm.tm_mon + 1; out[2] = tm.tm_mday;
    out[3] = tm.tm_hour; out[4] = tm.tm_min; out[5] = tm.tm_sec;
    return 1;
}

// 1 when `key` is the private half of the certificate's public key.
static inline int wrc_certificate_matches_key(X509 *cert, EVP_PKEY *key) {
    return X509_check_private_key(cert, key) == 1;
}

// EVP_PKEY_RSA, EVP_PKEY_EC or another type.
static inline int wrc_key_type(EVP_PKEY *key) { return EVP_PKEY_get_base_id(key); }
static inline int wrc_key_type_rsa(void) { return EVP_PKEY_RSA; }
static inline int wrc_key_type_ec(void) { return EVP_PKEY_EC; }
static inline int wrc_key_bits(EVP_PKEY *key) { return EVP_PKEY_get_bits(key); }

// An EC key's curve name (`prime256v1`, `secp384r1`) into `out`; 1 or 0.
static inline int wrc_key_group(EVP_PKEY *key, char *out, size_t size) {
    size_t length = 0;
    return EVP_PKEY_get_group_name(key, out, size, &length) == 1;
}

// Signs SHA-256(`data`) with `key`: PKCS#1 v1.5 for RSA, DER-encoded ECDSA for EC (what
// AWS4-X509-RSA-SHA256 / AWS4-X509-ECDSA-SHA256 expect). `*length` is the room in `out` on entry,
// the signature's length after. 1 or 0.
static inline int wrc_sign_sha256(EVP_PKEY *key, const void *data, size_t count, unsigned char *out, size_t *length) {
    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    if (ctx == NULL) return 0;
    int ok = EVP_DigestSignInit(ctx, NULL, EVP_sha256(), NULL, key) == 1
        && EVP_DigestSign(ctx, out, length, (const unsigned char *)data, count) == 1;
    EVP_MD_CTX_free(ctx);
    return ok;
}

#endif
