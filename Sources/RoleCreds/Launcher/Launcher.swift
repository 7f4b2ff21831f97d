#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// The whole run: parse, fetch, build the environment, start and supervise the command, exit like it.
public enum Launcher {
    /// Runs `with-role-creds` with `arguments` (without the program name) and never returns.
    public static func main(_ arguments: [String]) -> Never {
        // Before anything is fetched: our memory, environment and core closed to other processes
        // of the same user (prctl(2), PR_SET_DUMPABLE).
        _ = csys_set_dumpable(0)
        let signals: SignalFD
        do { signals = try SignalFD() } catch { fail("cannot set up signal handling: \(error)") }

        let options: Options
        do {
            switch try Options.parse(arguments) {
            case .help: print(HelpText.usage); exit(0)
            case .version: print(HelpText.version); exit(0)
            case .run(let o): options = o
            }
        } catch {
            fail("\(error)")
        }
        let log = Log(level: options.logLevel)
        let environment = EnvironmentLookup.current()
        let config: SourceConfig
        do { config = try SourceConfig.resolve(options, environment: environment) } catch { fail("\(error)") }

        // Until the child exists, a signal is for us: act on it at once, even mid-request.
        let interrupt = Interrupt(fd: signals.fd) {
            for received in signals.readAll() {
                if SignalPolicy.terminatesByDefault(received.signal) { exitLike(.signaled(received.signal)) }
                if received.signal == SIGTSTP { kill(getpid(), SIGSTOP) }
            }
        }
        let clock = SystemClock()
        let source = makeSource(config, clock: clock, log: log, interrupt: interrupt)
        let budget = startupBudgetMillis(timeoutMillis: config.timeoutMillis, attempts: config.attempts)
        let deadline = clock.monotonicMillis() + budget

        let credentials: Credentials
        do { credentials = try source.fetch(deadline: deadline) } catch { fail("\(error)") }
        let setRegion = !options.noRegion
        var region: String?
        if setRegion && environment["AWS_REGION"] == nil && environment["AWS_DEFAULT_REGION"] == nil {
            region = source.region(deadline: deadline)
        }
        source.close()
        log.debug("credentials \(credentials.maskedKeyId) from \(source.name), expiring \(Timestamp.format(credentials.expiration))")

        if options.check {
            print(checkSummary(source: source, credentials: credentials,
                               region: environment["AWS_REGION"] ?? environment["AWS_DEFAULT_REGION"] ?? region,
                               now: clock.wallSeconds()))
            exit(0)
        }

        var endpoint: CredentialEndpoint?
        if options.serve {
            do { endpoint = try CredentialEndpoint(credentials: credentials, clock: clock) } catch {
                fail("cannot start the credential endpoint: \(error)")
            }
        }
        let inherited = environment.entries
        let buildEnvironment = { [endpoint] (c: Credentials) -> [String] in
            let supply: ChildEnvironment.Supply = endpoint.map {
                .endpoint(url: $0.url, token: $0.authorizationToken, accountId: c.accountId)
            } ?? .keys(c)
            return ChildEnvironment.build(inherited: inherited, supply: supply, region: region, setRegion: setRegion)
        }
        let childEnvironment = buildEnvironment(credentials)
        if options.exec {
            let error = Spawn.exec(options.command, environment: childEnvironment)
            log.error(error.description)
            exit(error.status)
        }

        var worker: RefreshWorker?
        if options.serve || options.onRotate != .none {
            // Refreshes run on a helper thread, with the session token and role already known, and
            // without the start-up interrupt: signals now belong to the loop.
            source.dropInterrupt()
            do { worker = try RefreshWorker(source: source, budgetMillis: budget, clock: clock) } catch {
                fail("cannot set up credential refreshes: \(error)")
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
        do { try supervisor.start(environment: childEnvironment) } catch {
            log.error(error.description)
            exit(error.status)
        }
        exitLike(loop.run(until: supervisor.finish))
    }

    static func makeSource(_ config: SourceConfig, clock: any Clock, log: Log, interrupt: Interrupt?) -> any CredentialSource {
        switch config {
        case .imds(let c): return IMDSSource(config: c, clock: clock, log: log, interrupt: interrupt)
        case .container(let c): return ContainerSource(config: c, clock: clock, log: log, interrupt: interrupt)
        }
    }

    /// The bound on the whole start-up fetch: every attempt of a couple of requests timing out,
    /// plus back-off (8 s with the defaults, under the 10 s the spec promises).
    public static func startupBudgetMillis(timeoutMillis: Int64, attempts: Int) -> Int64 {
        timeoutMillis * Int64(attempts) * 2 + 2000
    }

    /// Whether this process has a controlling terminal (`/dev/tty` opens), whatever stdin is.
    static func hasControllingTerminal() -> Bool {
        let fd = open("/dev/tty", O_RDONLY | O_CLOEXEC | O_NOCTTY)
        guard fd >= 0 else { return false }
        _ = close(fd)
        return true
    }

    /// The `--check` text: no secret, the key id masked.
    public static func checkSummary(source: any CredentialSource, credentials: Credentials, region: String?, now: Int64) -> String {
        var lines = ["source: \(source.name) (\(source.endpointDescription))"]
        if let role = source.roleName { lines.append("role: \(role)") }
        if let arn = credentials.roleArn { lines.append("role arn: \(arn)") }
        if let account = credentials.accountId { lines.append("account: \(account)") }
        lines.append("access key id: \(credentials.maskedKeyId)")
        let remaining = credentials.expiration - now
        lines.append("expires: \(Timestamp.format(credentials.expiration)) (in \(DurationText.format(millis: max(0, remaining) * 1000)))")
        lines.append("region: \(region ?? "(not set)")")
        return lines.joined(separator: "\n")
    }

    static func fail(_ message: String) -> Never {
        Log.write(message)
        exit(LauncherStatus.failed)
    }
}
