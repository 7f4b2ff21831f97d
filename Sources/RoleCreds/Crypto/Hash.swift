import COpenSSL

// SHA-256 and HMAC-SHA-256 come from the operating system's libcrypto (through the COpenSSL shim):
// nothing cryptographic is written here. Both one-shot calls only fail when libcrypto cannot allocate,
// which is treated like any other allocation failure.

/// SHA-256 digests.
public enum SHA256 {
    /// The 32-byte SHA-256 digest of `bytes`.
    public static func hash(_ bytes: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = bytes.withUnsafeBytes { input in
            out.withUnsafeMutableBufferPointer { wrc_sha256(input.baseAddress, input.count, $0.baseAddress) }
        }
        precondition(ok == 1, "libcrypto failed to compute SHA-256")
        return out
    }

    /// The lowercase hex SHA-256 digest of `bytes`.
    public static func hex(_ bytes: [UInt8]) -> String { Hex.lowercase(hash(bytes)) }
}

/// HMAC with SHA-256.
public enum HMAC256 {
    /// The 32-byte HMAC-SHA-256 of `message` under `key`.
    public static func mac(key: [UInt8], _ message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        let ok = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                out.withUnsafeMutableBufferPointer { wrc_hmac_sha256(k.baseAddress, k.count, m.baseAddress, m.count, $0.baseAddress) }
            }
        }
        precondition(ok == 1, "libcrypto failed to compute HMAC-SHA-256")
        return out
    }
}
