/// The `CreateSession` call of IAM Roles Anywhere (its REST-JSON API): the request and the answer's
/// decoding. Pure; the signature is `X509Signer`'s.
public enum CreateSession {
    /// `POST <path>/sessions?profileArn=…&roleArn=…&trustAnchorArn=…` with `{"durationSeconds": N}`.
    static func request(_ settings: RolesAnywhereSettings, basePath: String) -> HTTPRequest {
        let query = [("profileArn", settings.profileArn), ("roleArn", settings.roleArn), ("trustAnchorArn", settings.trustAnchorArn)]
            .map { "\($0.0)=\(SigV4.uriEncode(Array($0.1.utf8), keepSlash: false))" }.joined(separator: "&")
        var base = basePath
        if let q = base.firstIndex(of: "?") { base = String(base[..<q]) }
        while base.hasSuffix("/") { base.removeLast() }
        var body: [(String, JSON)] = [("durationSeconds", .number(String(settings.durationSeconds)))]
        if let name = settings.sessionName { body.append(("roleSessionName", .string(name))) }
        return HTTPRequest(method: "POST", path: "\(base)/sessions?\(query)",
                           headers: HTTPHeaders([("Content-Type", "application/json"), ("Accept", "application/json")]),
                           body: Array(JSON.object(body).compactText.utf8))
    }

    /// The first credential set of a 200/201 answer; any other status is one line with the service's
    /// `message` (429 and 5xx transient). Never quotes a key or token.
    static func decode(status: Int, body: [UInt8], now: Int64) throws(CredentialError) -> Credentials {
        let json = try? JSON.parse(body)
        guard status == 200 || status == 201 else {
            var message = ""
            if case .string(let text)? = json?["message"] ?? json?["Message"] { message = ": " + text.quotable() }
            throw CredentialError("IAM Roles Anywhere CreateSession answered \(status)\(message)", transient: isRetryableStatus(status))
        }
        guard let json, case .array(let sets)? = json["credentialSet"], let first = sets.first,
              let credentials = first["credentials"] else {
            throw CredentialError("IAM Roles Anywhere CreateSession answered without a credentialSet")
        }
        func field(_ name: String) throws(CredentialError) -> String {
            guard case .string(let text)? = credentials[name], !text.isEmpty else {
                throw CredentialError("IAM Roles Anywhere CreateSession answer has no \(name)")
            }
            return text
        }
        let keyId = try field("accessKeyId"), secret = try field("secretAccessKey"), token = try field("sessionToken")
        guard let expiration = Timestamp.parse(try field("expiration")) else {
            throw CredentialError("IAM Roles Anywhere CreateSession answer's expiration is not an RFC 3339 time")
        }
        guard expiration > now else { throw CredentialError("IAM Roles Anywhere gave credentials that expired at \(Timestamp.format(expiration))", transient: true) }
        guard keyId.utf8.allSatisfy({ $0 > 0x20 && $0 < 0x7F }), keyId.count <= 128,
              !(secret + token).utf8.contains(where: { $0 < 0x20 || $0 == 0x7F }) else {
            throw CredentialError("IAM Roles Anywhere CreateSession answer has invalid characters in its keys")
        }
        var roleArn: String?
        if case .string(let arn)? = first["roleArn"], arn.hasPrefix("arn:"), arn.count <= 2048,
           !arn.unicodeScalars.contains(where: \.isNonPrinting) { roleArn = arn }
        var account: String?
        if let parts = roleArn?.split(separator: ":", omittingEmptySubsequences: false), parts.count >= 6,
           parts[4].count == 12, parts[4].allSatisfy({ $0.isASCII && $0.isNumber }) { account = String(parts[4]) }
        return Credentials(accessKeyId: keyId, secretAccessKey: Secret(secret), sessionToken: Secret(token),
                           expiration: expiration, accountId: account, roleArn: roleArn)
    }
}
