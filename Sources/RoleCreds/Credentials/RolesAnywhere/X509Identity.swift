#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// An X.509 certificate parsed by libcrypto, with the facts `--check` and the signer need.
public final class X509Certificate {
    let pointer: OpaquePointer
    /// The DER encoding, sent base64 in `X-Amz-X509`.
    public let der: [UInt8]
    /// The serial number in decimal: the "access key" of the X.509 SigV4 `Credential=`.
    public let serial: String
    /// RFC 2253 form (`CN=host,O=Example`).
    public let subject: String
    /// Unix seconds.
    public let notBefore: Int64
    public let notAfter: Int64

    init?(taking pointer: OpaquePointer) {
        self.pointer = pointer
        var raw: UnsafeMutablePointer<UInt8>?
        let count = wrc_certificate_der(pointer, &raw)
        guard count > 0, let raw else { X509_free(pointer); return nil }
        der = Array(UnsafeBufferPointer(start: raw, count: Int(count)))
        wrc_free(raw)
        var serialText = [CChar](repeating: 0, count: 128)
        var subjectText = [CChar](repeating: 0, count: 1024)
        guard wrc_certificate_serial(pointer, &serialText, serialText.count) == 1,
              wrc_certificate_subject(pointer, &subjectText, Int32(subjectText.count)) >= 0,
              let before = Self.time(pointer, 0), let after = Self.time(pointer, 1) else { X509_free(pointer); return nil }
        serial = String(decoding: serialText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        subject = String(decoding: subjectText.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        notBefore = before; notAfter = after
    }
    deinit { X509_free(pointer) }

    static func time(_ pointer: OpaquePointer, _ which: Int32) -> Int64? {
        var f = [Int32](repeating: 0, count: 6)
        guard wrc_certificate_time(pointer, which, &f) == 1 else { return nil }
        let days = Timestamp.daysFromCivil(year: Int(f[0]), month: Int(f[1]), day: Int(f[2]))
        return Int64(days) * 86_400 + Int64(f[3]) * 3600 + Int64(f[4]) * 60 + Int64(f[5])
    }

    /// Every certificate of a PEM file, in order; at least one.
    public static func load(path: String, what: String) throws(CredentialError) -> [X509Certificate] {
        let bytes: [UInt8]
        do { bytes = try readRequiredFile(path, limit: 256 * 1024) } catch {
            throw CredentialError(.provider, "cannot read the \(what) \(path.quotable(limit: 200)) (\(error))", underlying: error)
        }
        var result: [X509Certificate] = []
        let ok = bytes.withUnsafeBytes { buffer -> Bool in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return false }
            defer { BIO_free(bio) }
            while let raw = wrc_pem_read_certificate(bio) {
                guard let certificate = X509Certificate(taking: raw) else { return false }
                result.append(certificate)
            }
            return true
        }
        ERR_clear_error()   // the end of the file reads as a "no start line" error
        guard ok, !result.isEmpty else {
            throw CredentialError("the \(what) \(path.quotable(limit: 200)) holds no PEM certificate")
        }
        return result
    }
}

/// A private key held by libcrypto only: it never becomes a Swift string, and the file's bytes are
/// overwritten once parsed.
public final class X509PrivateKey {
    let pointer: OpaquePointer
    /// `AWS4-X509-RSA-SHA256` or `AWS4-X509-ECDSA-SHA256`.
    public let algorithm: String

    /// The key of a PEM file (PKCS#8 or the traditional RSA/EC forms, not encrypted): RSA of at least
    /// 2048 bits, or EC on P-256 or P-384. The file must not be accessible by group or others.
    public static func load(path: String) throws(CredentialError) -> X509PrivateKey {
        let shown = path.quotable(limit: 200)
        var bytes: [UInt8]
        do { bytes = try readRequiredFile(path, limit: 64 * 1024, refusing: 0o077) } catch {
            throw CredentialError(.provider, "cannot use the private key file \(shown): \(error)", underlying: error)
        }
        defer { for i in bytes.indices { bytes[i] = 0 } }
        let key = bytes.withUnsafeBytes { buffer -> OpaquePointer? in
            guard let bio = BIO_new_mem_buf(buffer.baseAddress, Int32(buffer.count)) else { return nil }
            defer { BIO_free(bio) }
            return wrc_pem_read_private_key(bio)
        }
        ERR_clear_error()
        guard let key else {
            throw CredentialError("the private key file \(shown) holds no unencrypted PEM private key (PKCS#8, RSA or EC)")
        }
        let type = wrc_key_type(key)
        if type == wrc_key_type_rsa() {
            guard wrc_key_bits(key) >= 2048 else { EVP_PKEY_free(key); throw CredentialError("the RSA key in \(shown) is shorter than 2048 bits") }
            return X509PrivateKey(key, algorithm: "AWS4-X509-RSA-SHA256")
        }
        if type == wrc_key_type_ec() {
            var group = [CChar](repeating: 0, count: 64)
            let name = wrc_key_group(key, &group, group.count) == 1
                ? String(decoding: group.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self) : ""
            guard name == "prime256v1" || name == "secp384r1" else {
                EVP_PKEY_free(key)
                throw CredentialError("the EC key in \(shown) is not on P-256 or P-384")
            }
            return X509PrivateKey(key, algorithm: "AWS4-X509-ECDSA-SHA256")
        }
        EVP_PKEY_free(key)
        throw CredentialError("the key in \(shown) is neither RSA nor EC")
    }

    private init(_ pointer: OpaquePointer, algorithm: String) { self.pointer = pointer; self.algorithm = algorithm }
    deinit { EVP_PKEY_free(pointer) }

    /// Whether `certificate` carries this key's public half.
    public func matches(_ certificate: X509Certificate) -> Bool { wrc_certificate_matches_key(certificate.pointer, pointer) == 1 }

    /// The signature of SHA-256(`message`): PKCS#1 v1.5 (RSA) or DER ECDSA (EC).
    public func sign(_ message: [UInt8]) throws(CredentialError) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 1024)
        var length = out.count
        let ok = message.withUnsafeBytes { m in wrc_sign_sha256(pointer, m.baseAddress, m.count, &out, &length) }
        ERR_clear_error()
        guard ok == 1 else { throw CredentialError("libcrypto could not sign with the private key") }
        return Array(out[0..<length])
    }
}
