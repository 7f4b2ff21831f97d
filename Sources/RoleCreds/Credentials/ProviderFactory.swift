/// Makes the provider a resolved `Settings` names (the base source, wrapped by each role to assume) and
/// the time one fetch of it may take. The launch and the agent use it alike; a new credential source adds
/// one case here.
public enum ProviderFactory {
    /// STS calls get this much more of the start-up budget each (TLS, and throttling retried).
    static let stsBudgetMillis: Int64 = 15_000
    /// The provider the settings name: the base source, wrapped by each role to assume.
    static func make(_ settings: Settings, environment: EnvironmentLookup, clock: any Clock, log: Log,
                             mfa: MFACodes? = nil) throws(CredentialError) -> any CredentialProvider {
        let tls = SharedTLSContext(environment: environment, profileCABundle: settings.caBundle?.value)
        // One STS client for every call of the chain: one TLS context, and one kept-alive connection
        // (the calls are made one after another, on one thread at a time).
        var shared: STSClient?
        func sts() throws(CredentialError) -> STSClient {
            if let shared { return shared }
            guard let endpoint = settings.sts else { throw CredentialError("no STS endpoint resolved") }
            let client = try STSClient(endpoint: endpoint, environment: environment, tls: tls,
                                       retry: RetryPolicy(attempts: settings.attempts.value, timeoutMillis: settings.timeoutMillis.value),
                                       clock: clock, log: log)
            shared = client
            return client
        }
        var provider: any CredentialProvider
        switch settings.source.value {
        case .imds(let c): provider = IMDSProvider(config: c, clock: clock, log: log)
        case .container(let c):
            var context: TLSContext?
            if c.url.scheme == .https {
                // Made only for an https endpoint: OpenSSL stays untouched on the plain metadata path.
                do { context = try tls.context() } catch {
                    throw CredentialError(.configuration, "cannot set up TLS for the container credential endpoint at \(c.url.authority): \(error)",
                                          underlying: error)
                }
            }
            provider = ContainerProvider(config: c, tls: context, clock: clock, log: log)
        case .webIdentity(let w): provider = WebIdentityProvider(settings: w, sts: try sts(), clock: clock, log: log)
        case .staticKeys(let keys):
            provider = StaticKeysProvider(Credentials(accessKeyId: keys.accessKeyId, secretAccessKey: keys.secretAccessKey,
                                                      sessionToken: keys.sessionToken ?? Secret(""),
                                                      // Long-term keys do not expire; a year keeps every schedule sane.
                                                      expiration: clock.wallSeconds() + 365 * 86_400),
                                          target: "profile \(keys.profile)")
        case .process(let p):
            provider = try ProcessProvider(commandLine: p.commandLine, profile: p.profile, inherited: environment.entries, clock: clock, log: log)
        case .rolesAnywhere(let r):
            provider = try RolesAnywhereProvider(settings: r, environment: environment, tls: tls,
                                                 retry: RetryPolicy(attempts: settings.attempts.value, timeoutMillis: settings.timeoutMillis.value),
                                                 clock: clock, log: log)
        }
        for hop in settings.hops {
            provider = AssumeRoleProvider(base: provider, hop: hop, sts: try sts(), clock: clock, log: log, mfa: mfa)
        }
        return provider
    }

    /// The provider at the start of a chain.
    static func base(_ provider: any CredentialProvider) -> any CredentialProvider {
        var current = provider
        while let hop = current as? AssumeRoleProvider { current = hop.base }
        return current
    }

    /// The bound on the whole start-up fetch: every attempt of a couple of requests timing out,
    /// plus back-off (8 s with the defaults, under the 10 s the spec promises).
    public static func startupBudgetMillis(timeoutMillis: Int64, attempts: Int) -> Int64 {
        timeoutMillis * Int64(attempts) * 2 + 2000
    }

    /// The bound on one fetch of `settings`' provider, the launch's and the agent's alike: the metadata
    /// budget, plus `stsBudgetMillis` for each STS call, a credential helper or a Roles Anywhere session.
    public static func budgetMillis(_ settings: Settings) -> Int64 {
        let source = settings.source.value
        let calls = settings.hops.count + (source.isWebIdentity || source.isOutsideAWS ? 1 : 0)
        return startupBudgetMillis(timeoutMillis: settings.timeoutMillis.value, attempts: settings.attempts.value)
            + Int64(calls) * stsBudgetMillis
    }
}
