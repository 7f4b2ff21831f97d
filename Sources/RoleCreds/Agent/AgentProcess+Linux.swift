#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// Starting and stopping the agent (spec §10). `--agent` starts this same binary again
/// (`/proc/self/exe`) with an internal first argument, in a session of its own, with stdin and stdout
/// on /dev/null (stderr too, unless `-v`), and prints its variables once it reports, on a readiness pipe,
/// that its socket listens: an `eval` of the output never races the agent.
public enum AgentProcess {
    /// The first argument of the agent process itself; never typed by a user.
    public static let internalArgument = "--internal-agent-process"
    /// The variables a launch reads.
    public static let socketVariable = "WITH_ROLE_CREDS_AGENT"
    public static let pidVariable = "WITH_ROLE_CREDS_AGENT_PID"
    /// The descriptor the agent reports readiness on.
    static let readinessFD: Int32 = 3

    /// `--agent`: starts the agent and prints its variables (sh syntax, or JSON with `--json`).
    public static func start(_ options: Options, environment: EnvironmentLookup) throws(LaunchError) -> ChildExit {
        var fds: [Int32] = [0, 0]
        guard csys_pipe2(&fds, O_CLOEXEC) == 0 else { throw LaunchError("cannot start the agent: \(Errno.current)") }
        let readEnd = FileDescriptor(fds[0])
        let writeEnd = FileDescriptor(fds[1])
        let argv = ["with-role-creds", internalArgument, String(options.agentIdleMillis), options.logLevel == .verbose ? "-v" : "-"]
        // Only what the agent needs: it holds no credential of this process's environment.
        let env = environment["XDG_RUNTIME_DIR"].map { ["XDG_RUNTIME_DIR=\($0)"] } ?? []
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        if options.logLevel != .verbose { posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0) }
        posix_spawn_file_actions_adddup2(&actions, writeEnd.rawValue, readinessFD)
        posix_spawn_file_actions_addclosefrom_np(&actions, readinessFD + 1)
        let setsid: Int16 = 0x80  // POSIX_SPAWN_SETSID (glibc ≥ 2.26): detached from our terminal
        var pid: pid_t = 0
        let rc = Spawn.withCleanAttributes(extraFlags: setsid) { attr in
            withCStrings(argv) { a in withCStrings(env) { e in posix_spawn(&pid, selfPath(), &actions, &attr, a, e) } }
        }
        guard rc == 0 else { throw LaunchError("cannot start the agent: \(Errno(rawValue: rc))") }
        writeEnd.close()
        let report = readReport(readEnd.rawValue)
        guard report.hasPrefix("ready ") else {
            kill(pid, SIGKILL)
            throw LaunchError(report.hasPrefix("error ") ? String(report.dropFirst(6)) : "the agent did not start")
        }
        let path = String(report.dropFirst(6))
        if options.json {
            print(JSON.object([("socket", .string(path)), ("pid", .number(String(pid)))]).compactText)
        } else {
            print("\(socketVariable)=\(shellQuoted(path)); export \(socketVariable);")
            print("\(pidVariable)=\(pid); export \(pidVariable);")
        }
        return .exited(0)
    }

    /// `--agent-stop`: asks the agent `WITH_ROLE_CREDS_AGENT` names to end, waits (2 s at most) until its
    /// socket is gone, and prints the sh lines that unset the variables.
    public static func stop(environment: EnvironmentLookup) throws(LaunchError) -> ChildExit {
        guard let path = environment[socketVariable] else { throw LaunchError("\(socketVariable) is not set: no agent to stop") }
        let answer: AgentAnswer
        do { answer = try AgentClient.ask(path, .stop, wait: Wait(millis: 2_000, clock: SystemClock()), firstAnswerMillis: 2_000) } catch {
            throw LaunchError("cannot stop the agent: \(error)")
        }
        guard answer == .stopping else { throw LaunchError("the agent at \(path) did not agree to stop") }
        let wait = Wait(millis: 2_000, clock: SystemClock())
        while access(path, F_OK) == 0 && wait.remainingMillis > 0 { sleepMillis(5) }
        print("unset \(socketVariable); unset \(pidVariable);")
        return .exited(0)
    }

    /// This binary's path (so the agent's name in `ps` is ours), else `/proc/self/exe` itself.
    static func selfPath() -> String {
        var buffer = [UInt8](repeating: 0, count: Int(PATH_MAX))
        let n = buffer.withUnsafeMutableBytes { readlink("/proc/self/exe", $0.baseAddress!.assumingMemoryBound(to: CChar.self), $0.count) }
        guard n > 0, n < buffer.count else { return "/proc/self/exe" }
        let path = String(decoding: buffer[..<n], as: UTF8.self)
        return path.hasSuffix(" (deleted)") ? "/proc/self/exe" : path
    }

    /// The agent's one report line, read until it closes the pipe (10 s at most).
    static func readReport(_ fd: Int32) -> String {
        var bytes: [UInt8] = []
        let wait = Wait(millis: 10_000, clock: SystemClock())
        var buffer = [UInt8](repeating: 0, count: 512)
        while bytes.count < 4096, (try? wait.ready(fd: fd, events: Int16(POLLIN))) == true {
            guard let n = try? retryingInterrupts({ buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) } }), n > 0 else { break }
            bytes += buffer[..<n]
        }
        return String(decoding: bytes, as: UTF8.self).trimmed()
    }

    /// `path` as one sh word: as is when it holds only safe characters, else in single quotes.
    static func shellQuoted(_ path: String) -> String {
        let safe = path.utf8.allSatisfy { b in
            (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5A) || (b >= 0x61 && b <= 0x7A) || "/._-+,:@%".utf8.contains(b)
        }
        return safe ? path : "'" + path.split(separator: "'", omittingEmptySubsequences: false).joined(separator: "'\\''") + "'"
    }

    /// The agent process: `arguments` are what `start` passed after the internal argument.
    public static func serve(_ arguments: [String]) -> Never {
        let log = Log(level: arguments.count > 1 && arguments[1] == "-v" ? .verbose : .normal)
        func report(_ line: String) {
            var bytes = Array((line + "\n").utf8)
            _ = try? retryingInterrupts { bytes.withUnsafeMutableBytes { write(readinessFD, $0.baseAddress!, $0.count) } }
            _ = Glibc.close(readinessFD)
        }
        guard let idle = arguments.first.flatMap(Int64.init), idle > 0 else { report("error bad agent arguments"); exit(LauncherStatus.failed) }
        _ = fcntl(readinessFD, F_SETFD, FD_CLOEXEC)
        if log.level != .verbose { logToSyslog() }
        lockMemory()
        do {
            let signals: SignalFD
            do { signals = try SignalFD() } catch { throw AgentError("cannot set up signal handling: \(error)") }
            let directory = try AgentSocketDirectory.make(environment: EnvironmentLookup.current())
            let path = directory.socketPath(pid: getpid())
            let listener: Socket
            do { listener = try Socket.listen(unixPath: path, backlog: Int32(AgentServer.maxConnections)) } catch {
                directory.remove(socket: path)
                throw AgentError("cannot listen on \(path): \(error)")
            }
            let server = try AgentServer(listener: listener, socketPath: path, directory: directory, idleMillis: idle,
                                         signals: signals, clock: SystemClock(), log: log)
            report("ready \(path)")
            log.debug("agent \(getpid()) listens on \(path)")
            server.run()
            exit(0)
        } catch let error as AgentError {
            report("error \(error.description)")
            exit(LauncherStatus.failed)
        } catch {
            report("error \(error)")
            exit(LauncherStatus.failed)
        }
    }

    /// Without `-v` the agent's stderr is /dev/null; when the host has a syslog socket (`/dev/log`, as
    /// journald and rsyslog provide), stderr becomes a datagram socket connected to it instead, so each log
    /// line (one `write`, `with-role-creds: …`) is one syslog message, as `ssh-agent` logs: refusals and
    /// failed fetches are then on record. No socket: nothing changes.
    static func logToSyslog() {
        var (address, length): (sockaddr_un, socklen_t)
        do { (address, length) = try Socket.unixAddress("/dev/log") } catch { return }
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { return }
        defer { _ = Glibc.close(fd) }
        let rc = withUnsafePointer(to: &address) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(fd, $0, length) } }
        if rc == 0 { _ = dup2(fd, 2) }
    }

    /// Keeps the agent's pages out of swap (mlockall(2)) where the memory-lock limit allows: every page
    /// as it is touched when the limit is unlimited (or we are root); otherwise only the pages touched
    /// so far, since locking future mappings under a small limit would make later allocations fail.
    /// EPERM and ENOMEM are ignored: the agent works without it.
    static func lockMemory() {
        var limit = rlimit()
        getrlimit(__rlimit_resource_t(__RLIMIT_MEMLOCK.rawValue), &limit)
        let unlimited = limit.rlim_cur == rlim_t.max || geteuid() == 0
        _ = csys_mlockall(unlimited ? 1 : 0)
    }
}
