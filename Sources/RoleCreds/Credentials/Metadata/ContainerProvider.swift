/// The container credential endpoint of ECS tasks, CodeBuild and EKS Pod Identity (spec §2).
public final class ContainerProvider: CredentialProvider {
    public let name = "container"
    let config: ContainerConfig
    let http: MetadataClient
    let clock: any Clock

    /// A provider for `config`; an https endpoint needs `tls`, the trust its certificate is verified
    /// against (the system's and `AWS_CA_BUNDLE`, as for STS).
    public init(config: ContainerConfig, tls: TLSContext? = nil, clock: any Clock = SystemClock(), log: Log = Log()) {
        self.config = config
        self.clock = clock
        // The plain-http rule of STS and GitHub's token service, with the agents' link-local addresses
        // also allowed (botocore's list).
        self.http = MetadataClient(label: "the container credential endpoint", kind: "a container credential endpoint", url: config.url,
                                   tls: tls, allowed: ContainerConfig.isAllowedAddress,
                                   retry: RetryPolicy(attempts: config.attempts, timeoutMillis: config.timeoutMillis),
                                   clock: clock, log: log)
    }

    public var target: String { http.endpoint + (config.url.path.split(separator: "?").first.map(String.init) ?? "") }
    public func close() { http.close() }

    public func fetch(_ wait: Wait) throws(CredentialError) -> Credentials {
        var headers = HTTPHeaders([("Accept", "application/json")])
        if let authorization = try authorizationValue() { headers.add("Authorization", authorization.reveal()) }
        let response = try http.send("GET", config.url.path, headers: headers, wait: wait)
        guard response.status == 200 else {
            throw CredentialError("the container credential endpoint answered \(response.status)\(Self.errorDetail(response.body)) (GET \(target))",
                                  transient: isRetryableStatus(response.status))
        }
        return try http.decode(response, what: "GET \(target)")
    }

    /// The `Authorization` value: the token file's content (re-read now, the kubelet rotates it) or the token.
    func authorizationValue() throws(CredentialError) -> Secret? {
        switch config.authorization {
        case .none: return nil
        case .token(let token): return token
        case .tokenFile(let path):
            let bytes: [UInt8]
            do { bytes = try readRequiredFile(path) } catch {
                throw CredentialError(.provider, "cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path.quotable(limit: 200)) (\(error))", underlying: error)
            }
            return try Self.token(fromFile: bytes)
        }
    }

    /// A token file's content as a header value: one trailing newline (LF or CRLF) is how files end and
    /// is dropped; any other control character would inject a header and is refused.
    static func token(fromFile bytes: [UInt8]) throws(CredentialError) -> Secret {
        var content = bytes[...]
        if content.last == 0x0A {
            content.removeLast()
            if content.last == 0x0D { content.removeLast() }
        }
        guard let text = String(validating: content, as: UTF8.self) else {
            throw CredentialError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE does not hold UTF-8 text")
        }
        guard !text.isEmpty else { throw CredentialError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE is empty") }
        guard ContainerConfig.isValidToken(text) else {
            throw CredentialError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE holds a line break or control character")
        }
        return Secret(text)
    }

    /// ` ("code": "message")` from the endpoint's error document, quoted safely; never a credential field.
    static func errorDetail(_ body: [UInt8]) -> String {
        guard let json = try? JSON.parse(body) else { return "" }
        // As in CredentialDocument.decode: an error document may echo the keys it carries.
        let secrets = ["SecretAccessKey", "Token"].compactMap { key -> String? in
            if case .string(let s)? = json[key] { return s } else { return nil }
        }
        var parts: [String] = []
        for key in ["code", "Code"] { if case .string(let s)? = json[key] { parts.append(s.quotable(limit: 40, hiding: secrets)); break } }
        for key in ["message", "Message"] { if case .string(let s)? = json[key] { parts.append(s.quotable(hiding: secrets)); break } }
        return parts.isEmpty ? "" : ": " + parts.joined(separator: ": ")
    }
}
