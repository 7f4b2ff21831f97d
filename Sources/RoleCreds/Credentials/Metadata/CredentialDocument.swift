/// Decodes and validates the JSON credential documents of IMDS and the container endpoints.
public enum CredentialDocument {
    /// Decodes `body` (at most 64 KiB, already bounded by the HTTP reader) and checks every rule of
    /// spec §2: `Code` absent or `Success`; the four fields non-empty strings; `Expiration` RFC 3339 and
    /// after `now` (Unix seconds) unless `allowExpired` (IMDS static stability). Errors name fields, never values.
    public static func decode(_ body: [UInt8], now: Int64, allowExpired: Bool = false) throws(CredentialError) -> Credentials {
        guard String(validating: body, as: UTF8.self) != nil else { throw CredentialError("credential document is not valid UTF-8") }
        let json: JSON
        do { json = try JSON.parse(body) } catch { throw CredentialError(.provider, "credential document is not valid JSON (\(error))", underlying: error) }
        guard case .object = json else { throw CredentialError("credential document is not a JSON object") }
        if let code = json["Code"] {
            guard case .string(let text) = code else { throw CredentialError("credential document field Code is not a string") }
            if text != "Success" {
                // A refusal may still carry the keys, and a confused proxy or a hostile endpoint may echo
                // them in Code or Message: never quote them (scripts/fuzz checks this).
                let secrets = ["SecretAccessKey", "Token"].compactMap { key -> String? in
                    if case .string(let s)? = json[key] { return s } else { return nil }
                }
                var message = ""
                if case .string(let m)? = json["Message"] { message = ": " + m.quotable(hiding: secrets) }
                throw CredentialError("metadata service answered Code \(text.quotable(limit: 40, hiding: secrets))\(message)", transient: true)
            }
        }
        let keyId = try string(json, "AccessKeyId")
        let secret = try string(json, "SecretAccessKey")
        let token = try string(json, "Token")
        let expirationText = try string(json, "Expiration")
        guard let expiration = Timestamp.parse(expirationText) else {
            throw CredentialError("credential document field Expiration is not an RFC 3339 time")
        }
        guard expiration > now || allowExpired else {
            throw CredentialError("credentials from the metadata service expired at \(Timestamp.format(expiration))", transient: true)
        }
        if let problem = CredentialText.keyIdProblem(keyId) {
            throw CredentialError("credential document field AccessKeyId \(problem)")
        }
        for (name, value) in [("SecretAccessKey", secret), ("Token", token)] {
            if let problem = CredentialText.secretProblem(value) { throw CredentialError("credential document field \(name) \(problem)") }
        }
        var account = optionalString(json, "AccountId")
        if let a = account, !(a.allSatisfy { $0.isASCII && $0.isNumber }) || a.count != 12 { account = nil }
        var roleArn = optionalString(json, "RoleArn")
        if let r = roleArn, !r.hasPrefix("arn:") || r.count > 2048 || r.unicodeScalars.contains(where: \.isNonPrinting) { roleArn = nil }
        // `--check` prints the ARN: one that carries the secret or the token (an endpoint echoing them)
        // is dropped like a malformed one. Bytes, not characters: a combining mark must not hide them.
        if let r = roleArn, Substring(r).containsBytes(of: secret) || Substring(r).containsBytes(of: token) { roleArn = nil }
        if account == nil, let arn = roleArn {
            // arn:aws:iam::123456789012:role/name
            let parts = arn.split(separator: ":", omittingEmptySubsequences: false)
            if parts.count >= 6, parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }) { account = String(parts[4]) }
        }
        return Credentials(accessKeyId: keyId, secretAccessKey: Secret(secret), sessionToken: Secret(token),
                           expiration: expiration, accountId: account, roleArn: roleArn)
    }

    private static func string(_ json: JSON, _ key: String) throws(CredentialError) -> String {
        guard let value = json[key] else { throw CredentialError("credential document has no \(key)") }
        guard case .string(let text) = value else { throw CredentialError("credential document field \(key) is not a string") }
        guard !text.isEmpty else { throw CredentialError("credential document field \(key) is empty") }
        return text
    }

    private static func optionalString(_ json: JSON, _ key: String) -> String? {
        if case .string(let text)? = json[key], !text.isEmpty { return text }
        return nil
    }

    /// The `{AccessKeyId, SecretAccessKey, Token, Expiration, AccountId?}` JSON the credential endpoint serves.
    public static func encode(_ c: Credentials) -> String {
        var members = [("AccessKeyId", c.accessKeyId), ("SecretAccessKey", c.secretAccessKey.reveal()),
                       ("Token", c.sessionToken.reveal()), ("Expiration", Timestamp.format(c.expiration))]
        if let account = c.accountId { members.append(("AccountId", account)) }
        return JSON.encode(members)
    }
}
