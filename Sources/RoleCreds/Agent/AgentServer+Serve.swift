#if canImport(Glibc)
import Glibc
#endif

/// Reading requests and writing answers, each a step that never blocks.
extension AgentServer {
    /// Reads what `c` sent, or writes what it is owed.
    func serve(_ c: Connection, _ revents: Int16) {
        if !c.output.isEmpty {
            flush(c)
            return
        }
        var buffer = [UInt8](repeating: 0, count: 16 * 1024)
        let n: Int
        do { n = try retryingInterrupts { buffer.withUnsafeMutableBytes { recv(c.socket.fd, $0.baseAddress!, $0.count, 0) } } } catch {
            if error != .wouldBlock { close(c) }
            return
        }
        guard n > 0 else { close(c); return }
        // A client that waits for a fetch has nothing more to say; bytes after its request are ignored.
        guard c.waitingFor == nil else { return }
        c.input += buffer[..<n]
        guard let end = c.input.firstIndex(of: UInt8(ascii: "\n")) else {
            if c.input.count > AgentProtocol.maxLine {
                send(c, .failure("the request is longer than \(AgentProtocol.maxLine / 1024) KiB", transient: false), final: true)
            }
            return
        }
        guard end <= AgentProtocol.maxLine else {
            send(c, .failure("the request is longer than \(AgentProtocol.maxLine / 1024) KiB", transient: false), final: true)
            return
        }
        let line = Array(c.input[..<end])
        c.input = []
        handle(line, from: c)
    }

    /// One complete request.
    func handle(_ line: [UInt8], from c: Connection) {
        lastRequest = clock.monotonicMillis()
        let request: AgentRequest
        do { request = try AgentRequest.decode(line) } catch {
            log.warn("agent: a bad request: \(error)")
            send(c, .failure("the agent cannot read this request: \(error)", transient: false), final: true)
            return
        }
        switch request {
        case .stop:
            stopReason = "asked to stop"
            send(c, .stopping, final: true)
        case .status:
            send(c, .status(pid: getpid(), plans: cache.count), final: true)
        case .get(let plan, let refreshBefore, let codes):
            let key = plan.key(secretKey: secretKey)
            switch cache.request(key: key, plan: plan, refreshBefore: refreshBefore, connection: c.socket.fd,
                                 monotonic: clock.monotonicMillis(), wall: clock.wallMillis(), codes: Set(codes.keys)) {
            case .answer(let answer):
                send(c, answer, final: true)
            case .wait(let start):
                c.waitingFor = key
                c.deadline = clock.monotonicMillis() + AgentFetcher.budgetMillis(plan.settings) + Self.clientMillis
                // At once, so the launch knows within its 100 ms that the agent is alive and working.
                send(c, .fetching, final: false)
                if start {
                    log.debug("agent: fetching for a plan (\(cache.count) held)")
                    // The codes go to this one fetch and nowhere else; a request that joins a flight drops its own.
                    fetcher.start(key: key, plan: plan, codes: codes)
                }
            }
        }
    }

    /// Queues `answer` for `c` and writes what the socket takes now.
    func send(_ c: Connection, _ answer: AgentAnswer, final: Bool) {
        c.output += Array(answer.line.utf8)
        c.closeWhenSent = final
        if final { c.waitingFor = nil; c.deadline = clock.monotonicMillis() + Self.clientMillis }
        flush(c)
    }

    /// Writes queued output; closes the connection after its final answer.
    func flush(_ c: Connection) {
        while !c.output.isEmpty {
            do {
                let n = try retryingInterrupts { c.output.withUnsafeBytes { Glibc.send(c.socket.fd, $0.baseAddress!, $0.count, Int32(MSG_NOSIGNAL)) } }
                c.output.removeFirst(n)
            } catch {
                if error != .wouldBlock { close(c) }
                return
            }
        }
        if c.closeWhenSent { close(c) }
    }

    /// Answers everyone waiting for the fetches that ended.
    func finishFetches() {
        for (key, result) in fetcher.take() {
            let (waiters, answer) = cache.completed(key: key, result: result, monotonic: clock.monotonicMillis(), wall: clock.wallMillis())
            if case .failure(let message, _) = answer { log.warn("agent: a fetch failed: \(message)") }
            for fd in waiters {
                if let c = connections[fd], c.waitingFor == key { send(c, answer, final: true) }
            }
        }
    }
}
