/// A launch's credentials through the agent (spec §10): asks the agent for its plan, and fetches by
/// itself (one warning line) when the agent is gone or does not answer within 100 ms. A fetch that failed
/// in the agent is this launch's error, as if it had fetched itself. Rotation (`--on-rotate`, `--serve`)
/// refreshes through it as well.
///
/// An MFA chain is asked for without a code first: the agent may hold its result. When it answers that
/// it needs codes, the launch asks them on its terminal (`askCodes`, once, at the start) and asks again
/// with them; a rotation cannot ask, and says so.
public final class AgentProvider: CredentialProvider {
    let path: String
    let plan: AgentPlan
    let refreshBeforeMillis: Int64
    let log: Log
    private let makeDirect: () throws(CredentialError) -> any CredentialProvider
    /// The chain's MFA codes, shared with the launch's own provider (a fallback takes them from here).
    let mfa: MFACodes
    /// Fills `mfa` from the terminal (or says why it cannot); used once, by the first fetch.
    private var askCodes: ((MFACodes) throws(CredentialError) -> Void)?
    /// The launch's own provider, made only when needed (a fallback, or `--check`'s facts).
    private(set) var direct: (any CredentialProvider)?
    /// What the last answer said: when the agent fetched, and whether from its memory; nil after a fallback.
    public private(set) var served: (fetchedAtMillis: Int64, cached: Bool)?
    /// The instance's region, when the plan asked for it.
    public private(set) var region: String?

    public init(path: String, plan: AgentPlan, refreshBeforeMillis: Int64, log: Log, mfa: MFACodes = MFACodes(),
                askCodes: ((MFACodes) throws(CredentialError) -> Void)? = nil,
                makeDirect: @escaping () throws(CredentialError) -> any CredentialProvider) {
        self.path = path; self.plan = plan; self.refreshBeforeMillis = refreshBeforeMillis; self.log = log
        self.mfa = mfa; self.askCodes = askCodes; self.makeDirect = makeDirect
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
        // Only the first fetch (the start) may ask on the terminal; a rotation runs unattended.
        let prompt = askCodes
        askCodes = nil
        var budget = wait
        var answer = try ask(wait, codes: [:])
        if case .needsMFA(let serials) = answer {
            guard let prompt else {
                let hop = plan.settings.hops.first { $0.mfaSerial == serials.first }
                throw MFACodes.newCodeNeeded(serial: serials.first ?? "?", profile: hop?.profile)
            }
            try prompt(mfa)
            budget = restarted(wait)
            answer = try ask(budget, codes: mfa.asked)
            // Sent: the agent fetched with them, or a fetch under way made them useless. A fallback keeps them.
            if answer != nil { mfa.drop() }
        } else if answer == nil, let prompt, !plan.mfaSerials.isEmpty {
            // No agent: the launch asks the codes as it does without one, then fetches by itself.
            try prompt(mfa)
            budget = restarted(wait)
        }
        switch answer {
        case nil:
            return try fallback(budget)
        case .credentials(let credentials, let region, let fetchedAt, let cached):
            served = (fetchedAt, cached)
            self.region = region
            return credentials
        case .failure(let message, let transient):
            throw CredentialError(message, transient: transient)
        case .needsMFA:
            throw CredentialError("the agent at \(path) did not take the MFA codes sent to it")
        case .fetching, .status, .stopping:
            log.warn("the agent at \(path) answered out of turn; fetching without the agent")
            return try fallback(budget)
        }
    }

    /// The fetch's whole budget again from now: the person at the terminal took their time.
    private func restarted(_ wait: Wait) -> Wait {
        Wait(millis: ProviderFactory.budgetMillis(plan.settings), clock: wait.clock, interrupt: wait.interrupt)
    }

    /// The agent's answer, or nil (after one warning line) when it cannot be had: the launch fetches by itself.
    private func ask(_ wait: Wait, codes: [String: Secret]) throws(CredentialError) -> AgentAnswer? {
        do {
            return try AgentClient.ask(path, .get(plan, refreshBeforeMillis: refreshBeforeMillis, mfaCodes: codes), wait: wait)
        } catch {
            // An MFA code works once: when the agent was already fetching with it, a fetch of our own would
            // send it again and be refused. Before that, the codes are unused and the fallback takes them.
            if error.whileFetching && !codes.isEmpty {
                mfa.drop()
                throw CredentialError("\(error) after the MFA code was sent to it; an MFA code works once: run the command again for a new one")
            }
            log.warn("\(error); fetching without the agent")
            return nil
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
