#if canImport(Glibc)
import Glibc
#endif

/// What the agent fetches for a launch (spec §10): everything in the resolved `Settings` that changes
/// the result (the source and its configuration, each hop with its session name, external id, duration
/// and policy, the STS endpoint and signing region, the CA bundle, the transport variables), as one
/// versioned JSON object with its members in a fixed order. Pure.
///
/// The plan travels with the secrets the fetch needs (a profile's static keys, a container authorization
/// token, a GitHub job's request token): the agent cannot fetch without them, and they reach only the
/// agent of the same user. Its cache key (`key`) never holds one: each secret there is replaced by an
/// HMAC-SHA-256 under a key of the agent's own, drawn at its start, so the key is neither the secret nor
/// a hash anyone could check guesses against. Relative paths are made absolute by the launch, since the
/// agent runs in another directory.
public struct AgentPlan: Equatable, Sendable {
    /// Bumped whenever the meaning of a member changes: an old agent then refuses a new plan.
    public static let version = 1

    /// The settings as the agent fetches them (origins are not sent; the agent needs none).
    public var settings: Settings
    /// The transport variables the providers read (TLS trust, proxy), in `transportVariables` order.
    public var environment: [(String, String)]
    /// Whether the launch needs the instance's region from IMDS (no region set, region variables wanted).
    public var wantsRegion: Bool

    /// The variables `TrustStore` and `ProxySettings` read: they change where and how the fetch connects.
    public static let transportVariables = ["SSL_CERT_FILE", "SSL_CERT_DIR", "AWS_CA_BUNDLE",
                                            "https_proxy", "HTTPS_PROXY", "no_proxy", "NO_PROXY"]

    public init(settings: Settings, environment: EnvironmentLookup, workingDirectory: String) {
        var s = settings
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") || workingDirectory.isEmpty ? path : workingDirectory + "/" + path
        }
        switch s.source.value {
        case .webIdentity(var w):
            if case .file(let path) = w.token { w.token = .file(absolute(path)) }
            s.source.value = .webIdentity(w)
        case .container(var c):
            if case .tokenFile(let path) = c.authorization { c.authorization = .tokenFile(absolute(path)) }
            s.source.value = .container(c)
        case .rolesAnywhere(var r):
            r.certificate = absolute(r.certificate)
            r.privateKey = absolute(r.privateKey)
            r.intermediates = r.intermediates.map(absolute)
            s.source.value = .rolesAnywhere(r)
        case .imds, .staticKeys, .process: break
        }
        s.caBundle = s.caBundle.map { Setting(absolute($0.value), $0.origin) }
        self.settings = s
        self.environment = Self.transportVariables.compactMap { name in
            environment[name].map { (name, name.hasPrefix("SSL_") || name == "AWS_CA_BUNDLE" ? absolute($0) : $0) }
        }
        var imds = false
        if case .imds = s.source.value { imds = true }
        wantsRegion = imds && s.setRegion && s.region == nil
    }

    /// Why the agent does not serve the plan of `settings`, or nil when it does. A credential helper runs in
    /// the launch's own environment, which the agent does not have: such a launch fetches by itself, as
    /// without an agent. (An MFA chain is served: the launch with the terminal sends the codes.)
    public static func notServed(_ settings: Settings) -> String? {
        if case .process = settings.source.value { return "a credential_process runs in this launch's environment" }
        return nil
    }

    /// The MFA devices whose codes a fetch of this plan needs, in chain order, each once.
    public var mfaSerials: [String] { MFACodes.devices(settings.hops).map(\.serial) }

    init(settings: Settings, environment: [(String, String)], wantsRegion: Bool) {
        self.settings = settings; self.environment = environment; self.wantsRegion = wantsRegion
    }

    public static func == (a: AgentPlan, b: AgentPlan) -> Bool { a.json(JSON.string) == b.json(JSON.string) }

    /// The plan as sent to the agent, secrets included.
    public var wire: JSON { json(JSON.string) }

    /// The cache key: the canonical text with every secret replaced by its HMAC under `secretKey`.
    public func key(secretKey: [UInt8]) -> String {
        json { .string("hmac:" + Hex.lowercase(HMAC256.mac(key: secretKey, Array($0.utf8)))) }.compactText
    }

    /// The canonical JSON object; `secret` says how each secret (its plain text) is written.
    func json(_ secret: (String) -> JSON) -> JSON {
        func text(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }
        func number(_ n: Int64?) -> JSON { n.map { .number(String($0)) } ?? .null }
        let hops: [JSON] = settings.hops.map { hop in
            .object([("roleArn", .string(hop.roleArn)), ("sessionName", text(hop.sessionName)),
                     ("externalId", text(hop.externalId)), ("duration", number(hop.durationSeconds.map(Int64.init))),
                     ("policy", text(hop.policy))]
                    // Only when set: the key of every other plan stays what it was.
                    + (hop.mfaSerial.map { [("mfaSerial", .string($0))] } ?? []))
        }
        let sts: JSON = settings.sts.map(Self.endpointJSON) ?? .null
        return .object([
            ("v", number(Int64(Self.version))),
            ("source", Self.sourceJSON(settings.source.value, secret)),
            ("hops", .array(hops)),
            ("sts", sts),
            ("caBundle", text(settings.caBundle?.value)),
            ("timeout", number(settings.timeoutMillis.value)),
            ("attempts", number(Int64(settings.attempts.value))),
            ("region", .bool(wantsRegion)),
            ("env", .array(environment.map { .array([.string($0.0), .string($0.1)]) })),
        ])
    }

    static func endpointJSON(_ e: STSEndpoint) -> JSON {
        .object([("scheme", .string(e.scheme)), ("host", .string(e.host)), ("port", .number(String(e.port))),
                 ("path", .string(e.path)), ("signingRegion", .string(e.signingRegion)), ("origin", .string(e.origin))])
    }

    static func sourceJSON(_ source: Settings.Source, _ secret: (String) -> JSON) -> JSON {
        func text(_ s: String?) -> JSON { s.map(JSON.string) ?? .null }
        switch source {
        case .imds(let c):
            return .object([("kind", .string("imds")), ("endpoint", .string(c.endpoint.description)),
                            ("allowV1", .bool(c.allowV1)), ("v1Disabled", .bool(c.v1Disabled)), ("role", text(c.role)),
                            ("timeout", .number(String(c.timeoutMillis))), ("attempts", .number(String(c.attempts)))])
        case .container(let c):
            let auth: JSON
            switch c.authorization {
            case .none: auth = .null
            case .token(let t): auth = .object([("token", secret(t.reveal()))])
            case .tokenFile(let path): auth = .object([("file", .string(path))])
            }
            return .object([("kind", .string("container")), ("url", .string(c.url.description)), ("auth", auth),
                            ("timeout", .number(String(c.timeoutMillis))), ("attempts", .number(String(c.attempts)))])
        case .webIdentity(let w):
            let token: JSON
            switch w.token {
            case .file(let path): token = .object([("file", .string(path))])
            case .github(let url, let requestToken):
                token = .object([("github", .string(url.description)), ("requestToken", secret(requestToken.reveal()))])
            }
            return .object([("kind", .string("web-identity")), ("roleArn", .string(w.roleArn)),
                            ("sessionName", text(w.sessionName)), ("token", token)])
        case .rolesAnywhere(let r):
            return .object([("kind", .string("roles-anywhere")), ("certificate", .string(r.certificate)),
                            ("privateKey", .string(r.privateKey)), ("intermediates", text(r.intermediates)),
                            ("trustAnchorArn", .string(r.trustAnchorArn)), ("profileArn", .string(r.profileArn)),
                            ("roleArn", .string(r.roleArn)), ("duration", .number(String(r.durationSeconds))),
                            ("sessionName", text(r.sessionName)), ("endpoint", endpointJSON(r.endpoint))])
        case .process:
            return .null // never sent: see `notServed`
        case .staticKeys(let k):
            return .object([("kind", .string("static-keys")), ("accessKeyId", secret(k.accessKeyId)),
                            ("secretAccessKey", secret(k.secretAccessKey.reveal())),
                            ("sessionToken", k.sessionToken.map { secret($0.reveal()) } ?? .null), ("profile", .string(k.profile))])
        }
    }
}
