/// A launch's credentials through the agent (spec §10): asks the agent for its plan, and fetches by
/// itself (one warning line) when the agent is gone or does not answer within 100 ms. A fetch that failed
/// in the agent is this launch's error, as if it had fetched itself. Rotation (`--on-rotate`, `--serve`)
/// refreshes through it as well.
public final class AgentProvider: CredentialProvider {
    let path: String
    let plan: AgentPlan
    let refreshBeforeMillis: Int64
    let log: Log
    private let makeDirect: () throws(CredentialError) -> any CredentialProvider
    /// The launch's own provider, made only when needed (a fallback, or `--check`'s facts).
    private(set) var direct: (any CredentialProvider)?
    /// What the last answer said: when the agent fetched, and whether from its memory; nil after a fallback.
    public private(set) var served: (fetchedAtMillis: Int64, cached: Bool)?
    /// The instance's region, when the plan asked for it.
    public private(set) var region: String?

    public init(path: String, plan: AgentPlan, refreshBeforeMillis: Int64, log: Log,
                makeDirect: @escaping () throws(CredentialError) -> any CredentialProvider) {
        self.path = path; self.plan = plan; self.refreshBeforeMillis = refreshBeforeMillis; self.log = log
        self.makeDirect = makeDirect
    }

    /// The launch's own provider.
    public func directProvider() throws(CredentialError) -> any CredentialProvider {
        if let direct { return direct }
        let made = try makeDirect()
        direct = made
        return made
    }

    public var name: String { (try? directProvider())?.name ?? "agent" }
    public var target: String { (try? directProvider())?.target ?? path }
    public var chain: [ProviderHop] { (try? directProvider())?.chain ?? [ProviderHop(name: name, target: target)] }
    public func close() { direct?.close() }

    public func fetch(_ wait: Wait) throws(CredentialError) -> Credentials {
        let answer: AgentAnswer
        do {
            answer = try AgentClient.ask(path, .get(plan, refreshBeforeMillis: refreshBeforeMillis, mfaCode: nil), wait: wait)
        } catch {
            log.warn("\(error); fetching without the agent")
            return try fallback(wait)
        }
        switch answer {
        case .credentials(let credentials, let region, let fetchedAt, let cached):
            served = (fetchedAt, cached)
            self.region = region
            return credentials
        case .failure(let message, let transient):
            throw CredentialError(message, transient: transient)
        case .needsMFA:
            // Reserved for MFA chains: this launch cannot pass a code yet, so it asks by itself.
            log.warn("the agent needs an MFA code; fetching without the agent")
            return try fallback(wait)
        case .fetching, .status, .stopping:
            log.warn("the agent at \(path) answered out of turn; fetching without the agent")
            return try fallback(wait)
        }
    }

    private func fallback(_ wait: Wait) throws(CredentialError) -> Credentials {
        served = nil
        let provider = try directProvider()
        let credentials = try provider.fetch(wait)
        // The launch asks the region once, at start; a rotation's fallback has no use for it.
        if plan.wantsRegion && region == nil { region = (ProviderFactory.base(provider) as? IMDSProvider)?.region(wait) }
        return credentials
    }
}
