/// The two STS calls this tool makes.
public enum STSCall: String, Sendable, Equatable {
    case assumeRole = "AssumeRole"
    case assumeRoleWithWebIdentity = "AssumeRoleWithWebIdentity"
}

/// What an `AssumeRole` or `AssumeRoleWithWebIdentity` call asks for, checked as STS would check it.
public struct AssumeRoleParameters: Sendable, Equatable {
    public var roleArn: String
    public var roleSessionName: String
    public var externalId: String?
    public var durationSeconds: Int?
    /// A session policy as compact JSON text (`SessionPolicy.compact`).
    public var policy: String?

    /// Validates every value (spec §7, the limits of the STS API); the first bad one is a `UsageError`
    /// that names the setting.
    public init(roleArn: String, roleSessionName: String, externalId: String? = nil, durationSeconds: Int? = nil,
                policy: String? = nil) throws(UsageError) {
        try STSRequest.validateRoleArn(roleArn)
        try STSRequest.validateSessionName(roleSessionName)
        if let externalId { try STSRequest.validateExternalId(externalId) }
        if let durationSeconds { try STSRequest.validateDuration(durationSeconds) }
        if let policy, policy.isEmpty || policy.count > SessionPolicy.maxLength {
            throw UsageError("the session policy must be 1 to \(SessionPolicy.maxLength) characters once compacted")
        }
        self.roleArn = roleArn; self.roleSessionName = roleSessionName; self.externalId = externalId
        self.durationSeconds = durationSeconds; self.policy = policy
    }
}

/// Builds STS query-protocol requests (`POST`, form body, `Version=2011-06-15`), as botocore does.
public enum STSRequest {
    public static let apiVersion = "2011-06-15"
    /// botocore's Content-Type for the query protocol.
    public static let contentType = "application/x-www-form-urlencoded; charset=utf-8"

    /// The form body of `AssumeRole`, parameters in the order of the STS model (botocore's order).
    public static func assumeRoleBody(_ p: AssumeRoleParameters) -> [UInt8] {
        var pairs = [("Action", STSCall.assumeRole.rawValue), ("Version", apiVersion),
                     ("RoleArn", p.roleArn), ("RoleSessionName", p.roleSessionName)]
        if let policy = p.policy { pairs.append(("Policy", policy)) }
        if let duration = p.durationSeconds { pairs.append(("DurationSeconds", String(duration))) }
        if let externalId = p.externalId { pairs.append(("ExternalId", externalId)) }
        return Array(formEncode(pairs).utf8)
    }

    /// The form body of `AssumeRoleWithWebIdentity` (no `ExternalId`: the call has none).
    public static func assumeRoleWithWebIdentityBody(_ p: AssumeRoleParameters, token: Secret) -> [UInt8] {
        var pairs = [("Action", STSCall.assumeRoleWithWebIdentity.rawValue), ("Version", apiVersion),
                     ("RoleArn", p.roleArn), ("RoleSessionName", p.roleSessionName), ("WebIdentityToken", token.reveal())]
        if let policy = p.policy { pairs.append(("Policy", policy)) }
        if let duration = p.durationSeconds { pairs.append(("DurationSeconds", String(duration))) }
        return Array(formEncode(pairs).utf8)
    }

    /// `AssumeRole` to `endpoint`, signed with SigV4 by `credentials` at `time` (Unix seconds).
    public static func assumeRole(_ p: AssumeRoleParameters, endpoint: STSEndpoint, credentials: Credentials, time: Int64) -> HTTPRequest {
        let request = HTTPRequest(method: "POST", path: endpoint.path, headers: HTTPHeaders([("Content-Type", contentType)]),
                                  body: assumeRoleBody(p))
        return SigV4.sign(request, authority: endpoint.authority, credentials: credentials, region: endpoint.signingRegion,
                          service: "sts", time: time)
    }

    /// `AssumeRoleWithWebIdentity` to `endpoint`: unsigned, the token is the proof.
    public static func assumeRoleWithWebIdentity(_ p: AssumeRoleParameters, token: Secret, endpoint: STSEndpoint) -> HTTPRequest {
        HTTPRequest(method: "POST", path: endpoint.path, headers: HTTPHeaders([("Content-Type", contentType)]),
                    body: assumeRoleWithWebIdentityBody(p, token: token))
    }

    /// `application/x-www-form-urlencoded` as Python's `urlencode` (botocore) writes it: letters, digits
    /// and `_.-~` as they are, space as `+`, every other UTF-8 byte `%XX`.
    public static func formEncode(_ pairs: [(String, String)]) -> String {
        pairs.map { "\(formEscape($0.0))=\(formEscape($0.1))" }.joined(separator: "&")
    }

    static func formEscape(_ text: String) -> String {
        var out: [UInt8] = []
        for b in text.utf8 {
            switch b {
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "0")...UInt8(ascii: "9"),
                 UInt8(ascii: "_"), UInt8(ascii: "."), UInt8(ascii: "-"), UInt8(ascii: "~"):
                out.append(b)
            case UInt8(ascii: " "):
                out.append(UInt8(ascii: "+"))
            default:
                out += Hex.percentEscape(b)
            }
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// `with-role-creds-<unix time>`, the session name when none is given.
    public static func defaultSessionName(now: Int64) -> String { "with-role-creds-\(now)" }

    /// The shortest and longest `DurationSeconds` STS accepts: 15 minutes and 12 hours.
    public static let durationRange = 900...43_200

    static func isWord(_ c: Character) -> Bool { c.isASCII && (c.isLetter || c.isNumber || c == "_") }

    /// `RoleSessionName`: 2 to 64 of letters, digits and `_+=,.@-`.
    public static func validateSessionName(_ name: String) throws(UsageError) {
        guard (2...64).contains(name.count), name.allSatisfy({ isWord($0) || "+=,.@-".contains($0) }) else {
            throw UsageError("role session name '\(name.quotable(limit: 80))' must be 2 to 64 letters, digits or _+=,.@-")
        }
    }

    /// `ExternalId`: 2 to 1224 of letters, digits and `_+=,.@:/-`. The value is not quoted back: it is
    /// a shared secret of sorts between the role's owner and its users.
    public static func validateExternalId(_ id: String) throws(UsageError) {
        guard (2...1224).contains(id.count), id.allSatisfy({ isWord($0) || "+=,.@:/-".contains($0) }) else {
            throw UsageError("external id must be 2 to 1224 letters, digits or _+=,.@:/-")
        }
    }

    /// `DurationSeconds`: 15 minutes to 12 hours (the role's own maximum may be lower; STS says so).
    public static func validateDuration(_ seconds: Int) throws(UsageError) {
        guard durationRange.contains(seconds) else {
            throw UsageError("duration \(seconds)s is outside 15m to 12h, what STS accepts")
        }
    }

    /// A role ARN: 20 to 2048 characters starting with `arn:`, no control characters (STS's own rule).
    public static func validateRoleArn(_ arn: String) throws(UsageError) {
        guard arn.hasPrefix("arn:"), (20...2048).contains(arn.count),
              !arn.unicodeScalars.contains(where: { $0.value < 0x20 || $0.value == 0x7F }) else {
            throw UsageError("role ARN '\(arn.quotable(limit: 100))' is not an ARN (arn:aws:iam::ACCOUNT:role/NAME)")
        }
    }
}
