/// EC2 instance metadata, IMDSv2 with session tokens (spec §2).
public final class IMDSSource: CredentialSource {
    public let name = "imds"
    let config: IMDSConfig
    let client: HTTPClient
    let clock: any Clock
    let log: Log
    var retry: RetryPolicy

    private var token: (value: Secret, refreshAt: Int64)?
    /// Set once the token call said IMDSv2 is not available and v1 is allowed.
    private var useV1 = false
    /// Cleared when the extended path answers anything but 200: older IMDS versions and mocks lack it.
    private var useExtended = true
    public private(set) var roleName: String?

    static let tokenTTL = 21600
    static let rolePath = "/latest/meta-data/iam/security-credentials/"
    static let extendedPath = "/latest/meta-data/iam/security-credentials-extended/"
    static let regionPath = "/latest/meta-data/placement/region"
    static let tokenPath = "/latest/api/token"

    public init(config: IMDSConfig, clock: any Clock = SystemClock(), log: Log = Log(), interrupt: Interrupt? = nil) {
        self.config = config
        self.clock = clock
        self.log = log
        self.client = HTTPClient(host: config.endpoint.host, port: config.endpoint.port, clock: clock)
        self.client.interrupt = interrupt
        self.retry = RetryPolicy(attempts: config.attempts, timeoutMillis: config.timeoutMillis, clock: clock, interrupt: interrupt)
        self.roleName = config.role
    }

    public var endpointDescription: String { "http://\(config.endpoint.authority)" }
    /// TCP connections made so far.
    public var connectionsOpened: Int { client.connectionsOpened }

    public func close() { client.close() }
    public func dropInterrupt() { client.interrupt = nil; retry.interrupt = nil }

    public func fetch(deadline: Int64) throws(CredentialError) -> Credentials {
        let role = try self.role(deadline: deadline)
        if useExtended {
            // One try, no retries: anything but a 200 means the classic path from now on (older IMDS
            // versions and mocks lack the extended one); a transport failure tries the classic path now.
            var extended: HTTPResponse?
            do { extended = try get(Self.extendedPath + role, deadline: deadline, retrying: false) } catch {
                log.debug("imds: extended credentials path failed (\(error)); trying the classic path")
            }
            if let extended {
                if extended.status == 200 { return try decode(extended, path: Self.extendedPath + role) }
                log.debug("imds: extended credentials path answered \(extended.status); using the classic path from now on")
                useExtended = false
            }
        }
        let path = Self.rolePath + role
        let response = try get(path, deadline: deadline)
        guard response.status == 200 else {
            if response.status == 404 {
                throw CredentialError("IMDS has no credentials for role \(role) (GET \(path) → 404)")
            }
            throw statusError("GET \(path)", response.status)
        }
        return try decode(response, path: path)
    }

    public func region(deadline: Int64) -> String? {
        do {
            let response = try get(Self.regionPath, deadline: deadline)
            guard response.status == 200, let text = response.text?.trimmed(), !text.isEmpty, text.count <= 32,
                  text.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-") }) else {
                log.warn("IMDS did not give a usable region (GET \(Self.regionPath) → \(response.status)); region variables not set")
                return nil
            }
            return text
        } catch {
            log.warn("IMDS did not give a region (\(error)); region variables not set")
            return nil
        }
    }

    // MARK: - Steps

    private func role(deadline: Int64) throws(CredentialError) -> String {
        if let roleName { return roleName }
        let response = try get(Self.rolePath, deadline: deadline)
        if response.status == 404 {
            throw CredentialError("no IAM role is attached to this instance (GET \(Self.rolePath) → 404)")
        }
        guard response.status == 200 else { throw statusError("GET \(Self.rolePath)", response.status) }
        guard let text = response.text else { throw CredentialError("IMDS role list is not valid UTF-8") }
        let first = text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).first.map { String($0).trimmed() } ?? ""
        guard !first.isEmpty else { throw CredentialError("no IAM role is attached to this instance (GET \(Self.rolePath) is empty)") }
        guard Options.isValidRoleName(first) else { throw CredentialError("IMDS role list does not hold a valid role name") }
        log.debug("imds: role \(first)")
        roleName = first
        return first
    }

    private func decode(_ response: HTTPResponse, path: String) throws(CredentialError) -> Credentials {
        do {
            return try CredentialDocument.decode(response.body, now: clock.wallSeconds())
        } catch {
            throw CredentialError("\(error) (GET \(path))", transient: error.isTransient)
        }
    }

    /// GET with the session token; a 401 fetches a new token once and tries again.
    private func get(_ path: String, deadline: Int64, retrying: Bool = true) throws(CredentialError) -> HTTPResponse {
        var response = try send("GET", path, headers: try tokenHeaders(deadline: deadline), deadline: deadline, retrying: retrying)
        if response.status == 401 && !useV1 {
            log.debug("imds: token refused (401); fetching a new one")
            token = nil
            response = try send("GET", path, headers: try tokenHeaders(deadline: deadline), deadline: deadline, retrying: retrying)
            if response.status == 401 { throw CredentialError("IMDS refused a fresh session token (GET \(path) → 401)") }
        }
        return response
    }

    private func tokenHeaders(deadline: Int64) throws(CredentialError) -> HTTPHeaders {
        if useV1 { return HTTPHeaders() }
        if let token, clock.monotonicMillis() < token.refreshAt {
            return HTTPHeaders([("X-aws-ec2-metadata-token", token.value.reveal())])
        }
        try fetchToken(deadline: deadline)
        guard let token else { return HTTPHeaders() }
        return HTTPHeaders([("X-aws-ec2-metadata-token", token.value.reveal())])
    }

    private func fetchToken(deadline: Int64) throws(CredentialError) {
        let headers = HTTPHeaders([("X-aws-ec2-metadata-token-ttl-seconds", String(Self.tokenTTL))])
        let response: HTTPResponse
        do {
            response = try send("PUT", Self.tokenPath, headers: headers, deadline: deadline, retrying: true)
        } catch {
            // The PUT connected but its answer never came: the classic hop-limit drop.
            guard lastFailureWasNoAnswer else { throw error }
            guard config.allowV1 && !config.v1Disabled else {
                throw CredentialError("IMDS at \(endpointDescription) accepted the connection but never answered the token request: "
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
            throw statusError("PUT \(Self.tokenPath)", response.status)
        }
    }

    /// True when the last failed `send` only ever connected without getting an answer.
    private var lastFailureWasNoAnswer = false

    /// One request with retries (see `RetryPolicy.send`), failures in words.
    private func send(_ method: String, _ path: String, headers: HTTPHeaders, deadline: Int64, retrying: Bool) throws(CredentialError) -> HTTPResponse {
        let request = HTTPRequest(method: method, path: path, headers: headers)
        do {
            return try retry.send(request, client: client, deadline: deadline, retrying: retrying,
                                  onlyNoAnswer: &lastFailureWasNoAnswer, log: { log.debug("imds: \($0)") })
        } catch {
            switch error {
            case .transport(let error):
                throw CredentialError("cannot reach IMDS at \(endpointDescription) (\(method) \(path): \(error))", transient: true)
            case .outOfTime(let last):
                throw CredentialError("IMDS at \(endpointDescription) did not answer in time (\(method) \(path): \(last))", transient: true)
            }
        }
    }

    private func statusError(_ what: String, _ status: Int) -> CredentialError {
        CredentialError("IMDS answered \(status) (\(what))", transient: isRetryableStatus(status))
    }
}
