#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// The whole run, where every part meets: parse, resolve the settings, fetch, build the child's
/// environment, then start and supervise the command.
public enum Launcher {
    /// Runs `with-role-creds` with `arguments` (without the program name) and exits like the command.
    public static func main(_ arguments: [String]) -> Never {
        // Before anything is fetched: our memory, environment and core closed to other processes
        // of the same user (prctl(2), PR_SET_DUMPABLE).
        _ = csys_set_dumpable(0)
        if arguments.first == AgentProcess.internalArgument { AgentProcess.serve(Array(arguments.dropFirst())) }
        do {
            exitLike(try run(arguments, environment: EnvironmentLookup.current()))
        } catch {
            Log.write(error.description)
            exit(error.status)
        }
    }

    /// Runs the command line and returns how the command ended (`.exited(0)` for `--help`, `--check`).
    public static func run(_ arguments: [String], environment: EnvironmentLookup) throws(LaunchError) -> ChildExit {
        let signals: SignalFD
        do { signals = try SignalFD() } catch { throw LaunchError("cannot set up signal handling: \(error)") }
        let options: Options
        do {
            switch try Options.parse(arguments) {
            case .help: print(HelpText.usage); return .exited(0)
            case .version: print(HelpText.version); return .exited(0)
            case .run(let o): options = o
            }
        } catch { throw LaunchError(error) }
        if options.agent { return try AgentProcess.start(options, environment: environment) }
        if options.agentStop { return try AgentProcess.stop(environment: environment) }
        let log = Log(level: options.logLevel)
        let settings = try resolveSettings(options, environment: environment, log: log)
        let clock = SystemClock()
        let interrupt = startupInterrupt(signals)
        // The codes of the chain's MFA devices: asked at once when the launch fetches by itself; through the
        // agent, only when it holds no result for the plan (one code per agent session).
        let mfa = MFACodes()
        let askCodes = { (codes: MFACodes) throws(CredentialError) in try askMFA(settings, into: codes, clock: clock, interrupt: interrupt) }
        let agent = try agentProvider(options, settings, environment: environment, clock: clock, log: log, mfa: mfa, askCodes: askCodes)
        if agent == nil { do { try askCodes(mfa) } catch { throw LaunchError(error) } }
        let budget = ProviderFactory.budgetMillis(settings)
        let wait = Wait(millis: budget, clock: clock, interrupt: interrupt)
        let provider: any CredentialProvider
        if let agent {
            provider = agent
        } else {
            do { provider = try ProviderFactory.make(settings, environment: environment, clock: clock, log: log, mfa: mfa) } catch { throw LaunchError(error) }
        }
        let credentials: Credentials
        do { credentials = try provider.fetch(wait) } catch { throw LaunchError(error) }
        var region = settings.region
        if settings.setRegion, region == nil,
           let found = agent.map({ $0.region }) ?? (ProviderFactory.base(provider) as? IMDSProvider)?.region(wait) {
            region = Setting(found, .instanceMetadata("placement/region"))
        }
        log.debug("credentials \(credentials.maskedKeyId) from \(provider.name), expiring \(Timestamp.format(credentials.expiration))")
        if options.check {
            defer { provider.close() }
            return try check(options, settings, provider: provider, agent: agent, credentials: credentials, region: region,
                             wait: wait, clock: clock)
        }
        provider.close()
        return try supervise(options, settings, environment: environment, provider: provider, credentials: credentials,
                             region: region?.value, budgetMillis: budget, signals: signals, clock: clock, log: log)
    }

    /// Until the child exists, a signal is for us: acted on at once, even mid-request, as the
    /// *starting* column of `SignalPolicy`'s table says (what our default disposition would do).
    static func startupInterrupt(_ signals: SignalFD) -> Interrupt {
        Interrupt(fd: signals.fd) {
            for received in signals.readAll() {
                switch SignalPolicy.rule(received.signal).starting {
                case .exit: exitLike(.signaled(received.signal))
                case .suspend: kill(getpid(), SIGSTOP)
                case .ignore, .reap, .forward, .stop, .kill: break
                }
            }
        }
    }

    /// The settings of this launch (spec §1, §8), every value checked, the session policy read.
    static func resolveSettings(_ options: Options, environment: EnvironmentLookup, log: Log) throws(LaunchError) -> Settings {
        var settings: Settings
        do {
            let profiles = try ConfigFileLocation.resolve(environment: environment).load()
            for notice in profiles.notices { log.debug(notice) }
            settings = try Settings.resolve(options, environment: environment, profiles: profiles)
            if let file = settings.sessionPolicyFile, !settings.hops.isEmpty {
                settings.hops[settings.hops.count - 1].policy = try SessionPolicy.load(path: file)
            }
        } catch let error as UsageError { throw LaunchError(error) } catch { throw LaunchError("\(error)") }
        for note in settings.notes { log.debug(note) }
        return settings
    }

    /// Asks the codes of the chain's MFA devices on the terminal into `mfa`, before the start-up budget
    /// starts (a person takes longer than a request); without a terminal, an error before anything is fetched.
    static func askMFA(_ settings: Settings, into mfa: MFACodes, clock: any Clock, interrupt: Interrupt) throws(CredentialError) {
        guard let first = MFACodes.devices(settings.hops).first else { return }
        guard hasControllingTerminal() else {
            throw CredentialError("profile \(first.profile) needs an MFA code (mfa_serial \(first.serial)), and there is no terminal to ask for it on; nothing was fetched")
        }
        try mfa.ask(settings.hops, prompt: TerminalPrompt(), wait: Wait(millis: mfaPromptMillis, clock: clock, interrupt: interrupt))
    }

    /// `--check`: the summary, without secrets.
    static func check(_ options: Options, _ settings: Settings, provider: any CredentialProvider, agent: AgentProvider?,
                      credentials: Credentials, region: Setting<String>?, wait: Wait, clock: any Clock) throws(LaunchError) -> ChildExit {
        var shown = provider
        if let agent { do { shown = try agent.directProvider() } catch { throw LaunchError(error) } }
        var report = checkReport(settings, provider: shown, credentials: credentials, region: region,
                                 imdsV1: (ProviderFactory.base(shown) as? IMDSProvider)?.answersV1(wait))
        report.agent = agent.map { CheckReport.Agent(socket: $0.path, fetchedAt: $0.served?.fetchedAtMillis, cached: $0.served?.cached ?? false) }
        print(options.json ? report.json() : report.text(now: clock.wallSeconds()))
        return .exited(0)
    }

    /// Starts COMMAND with `credentials` (or the `--serve` endpoint) and supervises it until it ends (spec §4, §5).
    static func supervise(_ options: Options, _ settings: Settings, environment: EnvironmentLookup,
                          provider: any CredentialProvider, credentials: Credentials, region: String?, budgetMillis: Int64,
                          signals: SignalFD, clock: any Clock, log: Log) throws(LaunchError) -> ChildExit {
        var endpoint: CredentialEndpoint?
        if options.serve {
            do { endpoint = try CredentialEndpoint(credentials: credentials, clock: clock) } catch {
                throw LaunchError("cannot start the credential endpoint: \(error)")
            }
        }
        let inherited = environment.entries
        let childRegion = settings.setRegion ? region : nil
        let buildEnvironment = { [endpoint] (c: Credentials) -> [String] in
            let supply: ChildEnvironment.Supply = endpoint.map {
                .endpoint(url: $0.url, token: $0.authorizationToken, accountId: c.accountId)
            } ?? .keys(c)
            return ChildEnvironment.build(inherited: inherited, supply: supply, region: childRegion, setRegion: settings.setRegion)
        }
        let childEnvironment = buildEnvironment(credentials)
        if options.noCoreDumps {
            // On the launcher itself, before any child exists: every start and restart inherits it.
            do { try Spawn.forbidCoreDumps() } catch { throw LaunchError("cannot set RLIMIT_CORE to 0: \(error)") }
        }
        if options.exec { throw LaunchError(Spawn.exec(options.command, environment: childEnvironment)) }
        var worker: RefreshWorker?
        if options.serve || options.onRotate != .none {
            // Refreshes run on a helper thread with no interrupt: signals now belong to the loop.
            do { worker = try RefreshWorker(provider: provider, budgetMillis: budgetMillis, clock: clock) } catch {
                throw LaunchError("cannot set up credential refreshes: \(error)")
            }
        }
        let supervisor = ChildSupervisor(
            config: .init(command: options.command, terminalMode: hasControllingTerminal(),
                          stopSignal: options.stopSignal, stopTimeoutMillis: options.stopTimeoutMillis),
            processes: LinuxProcesses(), clock: clock, log: log)
        let rotator = Rotator(config: .init(onRotate: options.onRotate, refreshBeforeMillis: options.refreshBeforeMillis,
                                            serving: options.serve),
                              initial: credentials, worker: worker, child: supervisor,
                              publish: { [endpoint] in endpoint?.credentials = $0 },
                              environment: buildEnvironment, clock: clock, log: log)
        let loop = EventLoop(signals: signals, clock: clock, log: log)
        loop.participants = [supervisor, rotator] + (endpoint.map { [$0] } ?? [])
        loop.onSignal = supervisor.handle
        // Orphaned grandchildren are re-parented to us, so we can reap them (prctl(2)).
        _ = csys_set_child_subreaper()
        do { try supervisor.start(environment: childEnvironment) } catch { throw LaunchError(error) }
        return loop.run(until: supervisor.finish)
    }

    /// The agent's client when `WITH_ROLE_CREDS_AGENT` names one and `--no-agent` is not given; the
    /// launch's own provider is made only if the agent does not answer.
    static func agentProvider(_ options: Options, _ settings: Settings, environment: EnvironmentLookup,
                              clock: any Clock, log: Log, mfa: MFACodes,
                              askCodes: @escaping (MFACodes) throws(CredentialError) -> Void) throws(LaunchError) -> AgentProvider? {
        guard !options.noAgent, let path = environment[AgentProcess.socketVariable] else { return nil }
        if let reason = AgentPlan.notServed(settings) {
            log.debug("not asking the agent: \(reason)")
            return nil
        }
        guard path.hasPrefix("/"), path.utf8.count <= Socket.maxUnixPath else {
            throw LaunchError("\(AgentProcess.socketVariable) must be the absolute path of the agent's socket (at most \(Socket.maxUnixPath) bytes)")
        }
        let plan = AgentPlan(settings: settings, environment: environment, workingDirectory: currentDirectory())
        return AgentProvider(path: path, plan: plan, refreshBeforeMillis: options.refreshBeforeMillis, log: log,
                             mfa: mfa, askCodes: askCodes) { () throws(CredentialError) in
            try ProviderFactory.make(settings, environment: environment, clock: clock, log: log, mfa: mfa)
        }
    }

    /// The working directory, or "" when it cannot be had (relative paths then stay relative).
    static func currentDirectory() -> String {
        var buffer = [CChar](repeating: 0, count: Int(PATH_MAX) + 1)
        guard getcwd(&buffer, buffer.count) != nil else { return "" }
        return String(decoding: buffer.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }

    /// How long the MFA prompt waits for a code (a TOTP code lives 30 s; this is for finding the device).
    static let mfaPromptMillis: Int64 = 5 * 60_000

    /// Whether this process has a controlling terminal (`/dev/tty` opens), whatever stdin is.
    static func hasControllingTerminal() -> Bool {
        let fd = open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return false }
        _ = close(fd)
        return true
    }

    /// The `--check` facts: no secret, the key id masked; the profile in use and each setting's origin.
    static func checkReport(_ settings: Settings, provider: any CredentialProvider, credentials: Credentials,
                            region: Setting<String>?, imdsV1: Bool?) -> CheckReport {
        typealias Entry = CheckReport.Entry
        var entries = [Entry(name: "source", value: provider.chain.first?.description ?? provider.name, origin: settings.source.origin)]
        if let region { entries.append(Entry(name: "region", value: region.value, origin: region.origin)) }
        if let origin = settings.imdsEndpointOrigin {
            entries.append(Entry(name: "imds endpoint", value: ProviderFactory.base(provider).chain.first?.target ?? "", origin: origin))
        }
        if let v1 = settings.imdsV1Disabled {
            entries.append(Entry(name: "imdsv1 disabled", value: v1.value ? "true" : "false", origin: v1.origin))
        }
        entries.append(Entry(name: "timeout", value: DurationText.format(millis: settings.timeoutMillis.value), origin: settings.timeoutMillis.origin))
        entries.append(Entry(name: "attempts", value: String(settings.attempts.value), origin: settings.attempts.origin))
        for hop in settings.hops { entries.append(Entry(name: "assume role", value: hop.roleArn, origin: hop.origin)) }
        if let sts = settings.sts, let origin = settings.stsOrigin {
            entries.append(Entry(name: "sts endpoint", value: sts.description, origin: origin))
        }
        if let bundle = settings.caBundle { entries.append(Entry(name: "ca bundle", value: bundle.value, origin: bundle.origin)) }
        if case .rolesAnywhere(let r) = settings.source.value {
            entries.append(Entry(name: "roles anywhere endpoint", value: r.endpoint.description, origin: r.endpoint.origin.hasPrefix("AWS_") ? .environment(r.endpoint.origin) : .defaultValue))
            if let certificate = (ProviderFactory.base(provider) as? RolesAnywhereProvider)?.certificate {
                // The certificate's public facts; the key is never shown.
                entries.append(Entry(name: "certificate subject", value: certificate.subject.quotable(limit: 200), origin: settings.source.origin))
                entries.append(Entry(name: "certificate serial", value: certificate.serial, origin: settings.source.origin))
                entries.append(Entry(name: "certificate not after", value: Timestamp.format(certificate.notAfter), origin: settings.source.origin))
            }
        }
        let profile = settings.profile.map {
            CheckReport.Profile(name: $0.name, selectedBy: $0.origin.rawValue, files: settings.profileFiles)
        }
        return CheckReport(source: provider.chain.first?.name ?? provider.name, chain: provider.chain,
                           role: (provider as? IMDSProvider)?.roleName, roleArn: credentials.roleArn,
                           accountId: credentials.accountId, accessKeyId: credentials.maskedKeyId,
                           expiration: credentials.expiration, region: region, imdsV1: imdsV1,
                           profile: profile, settings: entries)
    }
}
