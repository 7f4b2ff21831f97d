/// The JSON a `credential_process` helper prints, checked as the SDKs specify (botocore's
/// `ProcessProvider`, the SDKs' "Sourcing credentials with an external process"): `Version` 1,
/// `AccessKeyId`, `SecretAccessKey`, optional `SessionToken`, `Expiration` (RFC 3339) and `AccountId`.
/// Pure. Errors name fields, never values: the output holds secrets.
public enum ProcessOutput {
    /// Credentials without `Expiration` are never refreshed (as in the SDKs); they get this far-off one,
    /// as static keys do, so every schedule stays sane.
    public static let noExpirationSeconds: Int64 = 365 * 86_400

    /// The decoded credentials, and whether the helper gave an `Expiration`.
    public static func decode(_ bytes: [UInt8], now: Int64) throws(CredentialError) -> (Credentials, expires: Bool) {
        func bad(_ why: String) -> CredentialError { CredentialError("credential_process output \(why)") }
        guard String(validating: bytes, as: UTF8.self) != nil else { throw bad("is not valid UTF-8") }
        let json: JSON
        do { json = try JSON.parse(bytes) } catch { throw bad("is not valid JSON") }
        guard case .object = json else { throw bad("is not a JSON object") }
        guard case .number(let version)? = json["Version"] else { throw bad("has no numeric Version (it must be 1)") }
        guard Double(version) == 1 else { throw bad("has an unsupported Version (it must be 1)") }
        let keyId = try string(json, "AccessKeyId", required: true)!
        let secret = try string(json, "SecretAccessKey", required: true)!
        let token = try string(json, "SessionToken", required: false)
        guard keyId.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), keyId.count <= 128 else {
            throw bad("field AccessKeyId has invalid characters")
        }
        for (name, value) in [("SecretAccessKey", secret), ("SessionToken", token ?? "")]
        where value.utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) {
            throw bad("field \(name) has control characters")
        }
        var expiration = now + noExpirationSeconds
        let expirationText = try string(json, "Expiration", required: false)
        if let expirationText {
            guard let parsed = Timestamp.parse(expirationText) else { throw bad("field Expiration is not an RFC 3339 time") }
            guard parsed > now else { throw CredentialError("credential_process gave credentials that expired at \(Timestamp.format(parsed))", transient: true) }
            expiration = parsed
        }
        var account = try string(json, "AccountId", required: false)
        if let a = account, a.count != 12 || !a.allSatisfy({ $0.isASCII && $0.isNumber }) { account = nil }
        return (Credentials(accessKeyId: keyId, secretAccessKey: Secret(secret), sessionToken: Secret(token ?? ""),
                            expiration: expiration, accountId: account), expirationText != nil)
    }

    private static func string(_ json: JSON, _ key: String, required: Bool) throws(CredentialError) -> String? {
        guard let value = json[key], value != .null else {
            if required { throw CredentialError("credential_process output has no \(key)") }
            return nil
        }
        guard case .string(let text) = value else { throw CredentialError("credential_process output field \(key) is not a string") }
        guard !text.isEmpty else {
            if required { throw CredentialError("credential_process output field \(key) is empty") }
            return nil
        }
        return text
    }
}
