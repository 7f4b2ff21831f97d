/// EC2 instance metadata, IMDSv2 with session tokens (spec §2). Instance-only facts (role name,
/// region, IMDSv1 posture) are asked of this provider directly.
public final class IMDSProvider: CredentialProvider {
    public let name = "imds"
    let config: IMDSConfig
    let http: MetadataClient
    let clock: any Clock
    let log: Log

    private var token: (value: Secret, refreshAt: Int64)?
    /// Set once the token call said IMDSv2 is not available and v1 is allowed.
    private var useV1 = false
    /// Cleared when the extended path answers 404: older IMDS versions and mocks lack it.
    private var useExtended = true
    /// The role in use: `--role`, or the one discovered.
    public private(set) var roleName: String?

    static let tokenTTL = 21600
    static let rolePath = "/latest/meta-data/iam/security-credentials/"
    static let extendedPath = "/latest/meta-data/iam/security-credentials-extended/"
    static let regionPath = "/latest/meta-data/placement/region"
    static let tokenPath = "/latest/api/token"
    static let metadataPath = "/latest/meta-data/"

    public init(config: IMDSConfig, clock: any Clock = SystemClock(), log: Log = Log()) {
        self.config = config
        self.clock = clock
        self.log = log
        self.http = MetadataClient(label: "IMDS", kind: "the instance metadata service", url: config.endpoint,
                                   retry: RetryPolicy(attempts: config.attempts, timeoutMillis: config.timeoutMillis),
                                   clock: clock, log: log)
        self.roleName = config.role
    }

    public var target: String { http.endpoint }
    public func close() { http.close() }

    public func fetch(_ wait: Wait) throws(CredentialError) -> Credentials {
        let discovered = config.role == nil
        let role = try self.role(wait)
        do {
            return try credentials(of: role, wait)
        } catch let error where error.isMissingRole && discovered && roleName != nil {
            // The instance profile was replaced since the role was discovered: list the roles once more.
            log.warn("IMDS no longer knows role \(role); asking which role is attached now")
            roleName = nil
            return try credentials(of: try self.role(wait), wait)
        }
    }

    /// The region of the instance (placement), or nil; a failure is a warning, not an error.
    public func region(_ wait: Wait) -> String? {
        do {
            let response = try get(Self.regionPath, wait)
            guard response.status == 200, let text = response.text?.trimmed(), !text.isEmpty, text.count <= 32,
                  text.utf8.allSatisfy({ ($0 >= 0x61 && $0 <= 0x7A) || ($0 >= 0x30 && $0 <= 0x39) || $0 == 0x2D }) else {
                log.warn("IMDS did not give a usable region (GET \(Self.regionPath) → \(response.status)); region variables not set")
                return nil
            }
            return text
        } catch {
            log.warn("IMDS did not give a region (\(error)); region variables not set")
            return nil
        }
    }

    /// Whether the instance still answers IMDSv1: one tokenless `GET /latest/meta-data/` (`--check` only).
    /// nil when the answer says neither.
    public func answersV1(_ wait: Wait) -> Bool? {
        guard let response = try? http.send("GET", Self.metadataPath, headers: HTTPHeaders(), wait: wait, retrying: false) else { return nil }
        switch response.status {
        case 200: return true
        case 401, 403: return false
        default: return nil
        }
    }

    // MARK: - Steps

    private func credentials(of role: String, _ wait: Wait) throws(CredentialError) -> Credentials {
        if useExtended {
            // One try, no retries: a 404 means the classic path from now on (older IMDS versions and mocks
            // lack the extended one); any other failure tries the classic path this time only.
            var extended: HTTPResponse?
            do { extended = try get(Self.extendedPath + role, wait, retrying: false) } catch {
                log.debug("imds: extended credentials path failed (\(error)); trying the classic path")
            }
            if let extended {
                if extended.status == 200 { return try decode(extended, path: Self.extendedPath + role) }
                if extended.status == 404 {
                    log.debug("imds: no extended credentials path (404); using the classic path from now on")
                    useExtended = false
                } else {
                    log.debug("imds: extended credentials path answered \(extended.status); the classic path this time")
                }
            }
        }
        let path = Self.rolePath + role
        let response = try get(path, wait)
        guard response.status == 200 else {
            if response.status == 404 {
                throw CredentialError("IMDS has no credentials for role \(role) (GET \(path) → 404)", missingRole: true)
            }
            throw http.statusError(response.status, "GET \(path)")
        }
        return try decode(response, path: path)
    }

    private func role(_ wait: Wait) throws(CredentialError) -> String {
        if let roleName { return roleName }
        let response = try get(Self.rolePath, wait)
        if response.status == 404 {
            throw CredentialError("no IAM role is attached to this instance (GET \(Self.rolePath) → 404)")
        }
        guard response.status == 200 else { throw http.statusError(response.status, "GET \(Self.rolePath)") }
        guard let text = response.text else { throw CredentialError("IMDS role list is not valid UTF-8") }
        let first = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first.map { String($0).trimmed() } ?? ""
        guard !first.isEmpty else { throw CredentialError("no IAM role is attached to this instance (GET \(Self.rolePath) is empty)") }
        guard IAMValues.isRoleName(first) else { throw CredentialError("IMDS role list does not hold a valid role name") }
        log.debug("imds: role \(first)")
        roleName = first
        return first
    }

    private func decode(_ response: HTTPResponse, path: String) throws(CredentialError) -> Credentials {
        // Static stability (spec §2): IMDS keeps serving the last credentials while its own refresh
        // fails; the SDKs use them and warn, and so do we. The rotator retries in 5–10 minutes.
        let credentials = try http.decode(response, what: "GET \(path)", allowExpired: true)
        if credentials.expiration <= clock.wallSeconds() {
            log.warn("IMDS served credentials that expired at \(Timestamp.format(credentials.expiration)); using them as the AWS SDKs do, and asking again in 5 to 10 minutes")
        }
        return credentials
    }

    /// GET with the session token; a 401 fetches a new token once and tries again.
    private func get(_ path: String, _ wait: Wait, retrying: Bool = true) throws(CredentialError) -> HTTPResponse {
        var response = try http.send("GET", path, headers: try tokenHeaders(wait), wait: wait, retrying: retrying)
        if response.status == 401 && !useV1 {
            log.debug("imds: token refused (401); fetching a new one")
            token = nil
            response = try http.send("GET", path, headers: try tokenHeaders(wait), wait: wait, retrying: retrying)
            if response.status == 401 { throw CredentialError("IMDS refused a fresh session token (GET \(path) → 401)") }
        }
        return response
    }

    private func tokenHeaders(_ wait: Wait) throws(CredentialError) -> HTTPHeaders {
        if useV1 { return HTTPHeaders() }
        if token == nil || clock.monotonicMillis() >= token!.refreshAt { try fetchToken(wait) }
        guard let token else { return HTTPHeaders() }
        return HTTPHeaders([("X-aws-ec2-metadata-token", token.value.reveal())])
    }

    private func fetchToken(_ wait: Wait) throws(CredentialError) {
        let headers = HTTPHeaders([("X-aws-ec2-metadata-token-ttl-seconds", String(Self.tokenTTL))])
        let response: HTTPResponse
        do {
            response = try http.send("PUT", Self.tokenPath, headers: headers, wait: wait)
        } catch {
            // The PUT connected but its answer never came: the classic hop-limit drop.
            guard http.lastFailureWasNoAnswer else { throw error }
            guard config.allowV1 && !config.v1Disabled else {
                throw CredentialError("IMDS at \(target) accepted the connection but never answered the token request: "
                    + "if this runs in a container, raise the instance's metadata hop limit "
                    + "(aws ec2 modify-instance-metadata-options --instance-id ID --http-put-response-hop-limit 2)", transient: true)
            }
            log.warn("IMDS did not answer the IMDSv2 token request (hop limit?); falling back to IMDSv1 as --allow-imdsv1 permits")
            useV1 = true
            return
        }
        switch response.status {
        case 200:
            guard let text = response.text?.trimmed(), !text.isEmpty, text.count <= 4096,
                  ContainerConfig.isValidToken(text) else {
                throw CredentialError("IMDS answered the token request with an unusable token")
            }
            var ttl = Self.tokenTTL
            if let header = response.headers["X-aws-ec2-metadata-token-ttl-seconds"], let value = Int(header.trimmed()), value > 0 {
                ttl = min(value, Self.tokenTTL)
            }
            // Renew shortly before the TTL ends so no request carries a token about to expire.
            let margin = min(Int64(ttl) * 1000 / 10, 60_000)
            token = (Secret(text), clock.monotonicMillis() + Int64(ttl) * 1000 - margin)
            log.debug("imds: session token for \(ttl)s")
        case 403, 404, 405:
            if config.v1Disabled {
                throw CredentialError("IMDS refused the IMDSv2 token request (PUT \(Self.tokenPath) → \(response.status)) and IMDSv1 is disabled by AWS_EC2_METADATA_V1_DISABLED=true")
            }
            guard config.allowV1 else {
                throw CredentialError("IMDS refused the IMDSv2 token request (PUT \(Self.tokenPath) → \(response.status)); unauthenticated IMDSv1 is refused unless you pass --allow-imdsv1")
            }
            log.warn("IMDSv2 is not available (PUT \(Self.tokenPath) → \(response.status)); using IMDSv1 as --allow-imdsv1 permits")
            useV1 = true
        case 400:
            throw CredentialError("IMDS rejected the token request as malformed (PUT \(Self.tokenPath) → 400)")
        default:
            // IMDS answers a token request with 200, 400, 403/404/405 or, overloaded, 429/5xx; anything
            // else (a 501 from another web server) means the endpoint is something else.
            let own = response.status == 429 || [500, 502, 503, 504].contains(response.status)
            throw http.statusError(response.status, "PUT \(Self.tokenPath)", foreign: !own)
        }
    }

}
