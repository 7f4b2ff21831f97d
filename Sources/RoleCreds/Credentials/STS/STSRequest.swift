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
    /// The MFA device (`mfa_serial`) and the code its user typed; both or neither.
    public var mfa: (serial: String, code: Secret)?

    /// Validates every value (spec §7, the limits of the STS API); the first bad one is a `UsageError`
    /// that names the setting.
    /// The settings were checked where they were read (`Settings.resolve`); this checks again with
    /// the same rules (`IAMValues`), for a caller that builds parameters itself.
    public init(roleArn: String, roleSessionName: String, externalId: String? = nil, durationSeconds: Int? = nil,
                policy: String? = nil, mfa: (serial: String, code: Secret)? = nil) throws(UsageError) {
        try IAMValues.checkRoleArn(roleArn, from: "RoleArn")
        try IAMValues.checkSessionName(roleSessionName, from: "RoleSessionName")
        if let externalId { try IAMValues.checkExternalId(externalId, from: "ExternalId") }
        if let durationSeconds { try IAMValues.checkDuration(durationSeconds, from: "DurationSeconds") }
        if let policy, policy.isEmpty || policy.count > SessionPolicy.maxLength {
            throw UsageError("the session policy must be 1 to \(SessionPolicy.maxLength) characters once compacted")
        }
        if let mfa {
            try IAMValues.checkMFASerial(mfa.serial, from: "SerialNumber")
            guard IAMValues.isMFACode(mfa.code.reveal()) else { throw UsageError("the MFA code must be 6 digits") }
        }
        self.roleArn = roleArn; self.roleSessionName = roleSessionName; self.externalId = externalId
        self.durationSeconds = durationSeconds; self.policy = policy; self.mfa = mfa
    }

    public static func == (a: AssumeRoleParameters, b: AssumeRoleParameters) -> Bool {
        a.roleArn == b.roleArn && a.roleSessionName == b.roleSessionName && a.externalId == b.externalId
            && a.durationSeconds == b.durationSeconds && a.policy == b.policy
            && a.mfa?.serial == b.mfa?.serial && a.mfa?.code == b.mfa?.code
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
        if let mfa = p.mfa { pairs += [("SerialNumber", mfa.serial), ("TokenCode", mfa.code.reveal())] }
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
}
