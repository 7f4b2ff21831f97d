#if canImport(Glibc)
import Glibc
#endif
import CSystem

/// The agent's one loop (spec §10): one `poll` over its socket, its connections, the fetch results,
/// signals and the socket directory's removals; the nearest deadline (idle end, a refresh, a client's
/// time limit) as its time-out, so an idle agent sleeps in the kernel. Fetches run on threads
/// (`AgentFetcher`); nothing here blocks, so a client that stalls holds no other up.
final class AgentServer {
    /// Connections served at once; more wait in the listen queue, and beyond it a client is refused.
    static let maxConnections = 64
    /// A client has this long to send its request, and to take an answer.
    static let clientMillis: Int64 = 2_000

    /// One client.
    final class Connection {
        let socket: Socket
        var input: [UInt8] = []
        var output: [UInt8] = []
        /// Monotonic ms by which the current step must be done.
        var deadline: Int64
        /// The plan it waits for.
        var waitingFor: String?
        var closeWhenSent = false
        init(socket: Socket, deadline: Int64) { self.socket = socket; self.deadline = deadline }
    }

    let listener: Socket
    let socketPath: String
    let directory: AgentSocketDirectory
    let idleMillis: Int64
    /// The HMAC key of the cache keys (`AgentPlan.key`), drawn at start and never shown.
    let secretKey: [UInt8]
    let fetcher: AgentFetcher
    let signals: SignalFD
    let removals: FileDescriptor
    let clock: any Clock
    let log: Log
    var cache = AgentCache()
    var connections: [Int32: Connection] = [:]
    var lastRequest: Int64
    var stopReason: String?

    init(listener: Socket, socketPath: String, directory: AgentSocketDirectory, idleMillis: Int64,
         signals: SignalFD, clock: any Clock, log: Log) throws(AgentError) {
        self.listener = listener; self.socketPath = socketPath; self.directory = directory
        self.idleMillis = idleMillis; self.signals = signals; self.clock = clock; self.log = log
        do {
            secretKey = try secureRandomBytes(32)
            fetcher = try AgentFetcher(clock: clock, log: log)
        } catch { throw AgentError("cannot set up the agent: \(error)") }
        let watch = csys_inotify_init()
        guard watch >= 0, csys_inotify_watch_removals(watch, directory.path) >= 0 else {
            throw AgentError("cannot watch \(directory.path): \(Errno.current)")
        }
        removals = FileDescriptor(watch)
        lastRequest = clock.monotonicMillis()
    }

    /// Serves until idle, a stop request, a terminating signal or the socket's removal; then removes it.
    func run() {
        while stopReason == nil {
            let now = clock.monotonicMillis()
            if now - lastRequest >= idleMillis { stopReason = "unused for \(DurationText.format(millis: idleMillis))"; break }
            var fds = [pollfd(fd: signals.fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: fetcher.fd, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: removals.rawValue, events: Int16(POLLIN), revents: 0),
                       pollfd(fd: connections.count < Self.maxConnections ? listener.fd : -1, events: Int16(POLLIN), revents: 0)]
            let clients = Array(connections.values)
            for c in clients { fds.append(pollfd(fd: c.socket.fd, events: Int16(c.output.isEmpty ? POLLIN : POLLOUT), revents: 0)) }
            var deadline = lastRequest + idleMillis
            if let next = cache.nextDeadline(monotonic: now, wall: clock.wallMillis()) { deadline = min(deadline, next) }
            for c in clients { deadline = min(deadline, c.deadline) }
            let timeout = Int32(clamping: max(0, deadline - now))
            guard (try? retryingInterrupts { poll(&fds, nfds_t(fds.count), timeout) }) != nil else { sleepMillis(10); continue }
            if fds[0].revents != 0 { handleSignals() }
            if fds[2].revents != 0 { checkSocket() }
            if fds[1].revents != 0 { finishFetches() }
            for (c, pfd) in zip(clients, fds[4...]) where pfd.revents != 0 && connections[c.socket.fd] === c { serve(c, pfd.revents) }
            if fds[3].revents != 0 { acceptClients() }
            expire()
            for key in cache.due(monotonic: clock.monotonicMillis(), wall: clock.wallMillis(), idleMillis: idleMillis) {
                if let plan = cache.plan(key) { fetcher.start(key: key, plan: plan) }
            }
        }
        log.debug("agent ends: \(stopReason ?? "")")
        directory.remove(socket: socketPath)
    }

    func handleSignals() {
        for received in signals.readAll() where [SIGTERM, SIGINT, SIGHUP].contains(received.signal) {
            stopReason = "stopped by \(SignalName.name(received.signal))"
        }
    }

    /// Something left the directory: ends the agent when it was the socket (or the directory itself).
    func checkSocket() {
        var buffer = [UInt8](repeating: 0, count: 4096)
        while (try? retryingInterrupts({ buffer.withUnsafeMutableBytes { read(removals.rawValue, $0.baseAddress!, $0.count) } })) ?? 0 > 0 {}
        var st = stat()
        if lstat(socketPath, &st) != 0 || (st.st_mode & S_IFMT) != S_IFSOCK { stopReason = "its socket \(socketPath) was removed" }
    }

    func acceptClients() {
        while connections.count < Self.maxConnections {
            let accepted: Socket?
            do { accepted = try listener.accept() } catch { log.error("agent: accept failed: \(error)"); return }
            guard let socket = accepted else { return }
            // The directory already keeps other users out; this holds even when someone loosens its mode.
            guard let peer = try? socket.peer(), peer.uid == geteuid() || peer.uid == 0 else {
                let who = (try? socket.peer()).map { "uid \($0.uid), pid \($0.pid)" } ?? "an unknown peer"
                log.error("agent: refused a connection from \(who): not this agent's user (uid \(geteuid()))")
                continue
            }
            connections[socket.fd] = Connection(socket: socket, deadline: clock.monotonicMillis() + Self.clientMillis)
        }
    }

    /// Connections past their deadline: one that still waits for a fetch hears why it is closed.
    func expire() {
        let now = clock.monotonicMillis()
        for c in Array(connections.values) where c.deadline <= now {
            if let key = c.waitingFor, c.output.isEmpty {
                cache.forget(connection: c.socket.fd, key: key)
                c.waitingFor = nil
                send(c, .failure("the agent's fetch took too long", transient: true), final: true)
            } else {
                close(c)
            }
        }
    }

    func close(_ c: Connection) {
        if let key = c.waitingFor { cache.forget(connection: c.socket.fd, key: key) }
        connections[c.socket.fd] = nil
        c.socket.close()
    }
}
