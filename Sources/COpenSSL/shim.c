// Empty: every wrapper is static inline in include/COpenSSL.h.
