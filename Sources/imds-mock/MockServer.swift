#if canImport(Glibc)
import Glibc
#endif
import RoleCreds

/// The mock's state and request handling, over the library's HTTPServer.
final class MockServer {
    var settings: MockSettings
    let clock = SystemClock()
    let startWall: Int64
    var forcedRotations: Int64 = 0
    var tokens: [String: Int64] = [:]   // token → expiry (monotonic ms)
    var logFD: Int32 = 2
    var server: HTTPServer!
    /// Connections taken over to misbehave on purpose (stall, trickle).
    let held = HeldConnections()

    init(settings: MockSettings) throws {
        self.settings = settings
        self.startWall = SystemClock().wallSeconds()
        if let path = settings.logPath {
            logFD = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
            guard logFD >= 0 else { throw MockUsage(message: "cannot open \(path)") }
        }
        let listener = try Socket.listen(host: settings.host, port: settings.port)
        server = HTTPServer(listener: listener) { [unowned self] request in self.answer(request) }
        let url = "http://\(HTTPURL(host: settings.host, port: server.port).authority)"
        writeOut(1, url + "\n")
        if let file = settings.urlFile {
            let fd = open(file + ".tmp", O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
            if fd >= 0 { _ = write(fd, url + "\n", url.utf8.count + 1); _ = close(fd); rename(file + ".tmp", file) }
        }
    }

    func run() {
        let loop = EventLoop(signals: nil, clock: clock)
        loop.participants = [server, held]
        loop.run { () -> Never? in nil }
    }

    // MARK: - Credentials

    var generation: Int64 {
        let rotations = settings.rotateSeconds > 0 ? (clock.wallSeconds() - startWall) / settings.rotateSeconds : 0
        return 1 + rotations + forcedRotations + settings.generationOffset
    }

    func credentialMembers(extended: Bool) -> [(String, String)] {
        let g = generation
        let digits = String(g)
        let pad = String(repeating: "0", count: max(0, 12 - digits.count)) + digits
        let issued = settings.rotateSeconds > 0 ? startWall + (g - 1 - forcedRotations - settings.generationOffset) * settings.rotateSeconds : startWall
        var expiration = max(issued, clock.wallSeconds() - 1) + settings.lifetimeSeconds
        if consume(.expired) { expiration = clock.wallSeconds() - 3600 }
        var members: [(String, String)] = [
            ("Code", consume(.code) ? "AssumeRoleUnauthorizedAccess" : "Success"),
            ("LastUpdated", Timestamp.format(issued)),
            ("Type", "AWS-HMAC"),
            ("AccessKeyId", "ASIAMOCK\(pad)"),
            ("SecretAccessKey", "mockSecret/\(pad)/wJalrXUtnFEMIK7MDENGbPxRfiCY"),
            ("Token", "mockSessionToken/\(pad)/IQoJb3JpZ2luX2VjEMb//////////wEaCXVzLWVhc3QtMSJHMEUCIQD"),
            ("Expiration", Timestamp.format(expiration)),
        ]
        if members[0].1 != "Success" { members.append(("Message", "mock says the role cannot be assumed")) }
        if extended { members.append(("AccountId", settings.account)) }
        return members
    }

    /// Whether `fault` is active for this request; counts it down.
    func consume(_ fault: Fault) -> Bool {
        guard settings.fault == fault, settings.faultCount != 0 else { return false }
        if settings.faultCount > 0 { settings.faultCount -= 1 }
        return true
    }

    // MARK: - Requests

    func log(_ request: ServerRequest, _ status: String) {
        var line = "conn=\(request.connectionId) \(request.method) \(request.path) token=\(request.headers["X-aws-ec2-metadata-token"] != nil ? "yes" : "no")"
        if let auth = request.headers["Authorization"] { line += " auth=\(auth)" }
        line += " -> \(status)\n"
        writeOut(logFD, line)
    }

    /// What the mock does with a request: the server's actions plus its faults.
    enum MockAction {
        case respond(HTTPResponse)
        case drop
        /// Never answer; keep the connection open until the client gives up.
        case stall
        /// Answer one byte a second (a slow-loris server).
        case trickle(HTTPResponse)
    }

    func answer(_ request: ServerRequest) -> ServerAction {
        let action = route(request)
        let control = request.path.hasPrefix("/mock/")  // control requests are not traffic
        switch action {
        case .respond(let r):
            if !control { log(request, String(r.status)) }
            return .respond(r)
        case .drop:
            if !control { log(request, "drop") }
            return .drop
        case .stall:
            log(request, "stall")
            return .detach { [held, clock] in held.stall($0, now: clock.monotonicMillis()) }
        case .trickle(let r):
            log(request, "trickle \(r.status)")
            let bytes = HTTPServer.serialize(r, close: true)
            return .detach { [held, clock] in held.trickle($0, bytes, now: clock.monotonicMillis()) }
        }
    }

    func text(_ status: Int, _ body: String = "", _ headers: [(String, String)] = []) -> MockAction {
        .respond(HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "text/plain")] + headers), body: Array(body.utf8)))
    }

    func route(_ request: ServerRequest) -> MockAction {
        let path = request.path
        if path.hasPrefix("/mock/") { return control(request) }
        if settings.fault == .blackhole && consume(.blackhole) { return .stall }
        if path == settings.containerPath { return container(request) }
        guard path.hasPrefix("/latest/") else { return text(404, "not found\n") }
        if path == "/latest/api/token" { return token(request) }
        guard request.method == "GET" else { return text(405, "method not allowed\n") }
        // IMDSv2: a GET needs a valid token unless v1 is on.
        if let token = request.headers["X-aws-ec2-metadata-token"] {
            guard let expiry = tokens[token], expiry > clock.monotonicMillis() else { return text(401, "") }
            if consume(.unauthorized) { tokens[token] = nil; return text(401, "") }
        } else if settings.mode == .v2 {
            return text(401, "")
        }
        let rolePrefix = "/latest/meta-data/iam/security-credentials/"
        let extendedPrefix = "/latest/meta-data/iam/security-credentials-extended/"
        if path == rolePrefix {
            if consume(.noRole) { return text(404, "") }
            guard let role = settings.role else { return text(404, "") }
            return text(200, role + "\n")
        }
        if path.hasPrefix(extendedPrefix) {
            guard settings.extended else { return text(404, "") }
            if consume(.extended500) { return text(500, "internal error\n") }
            return credentials(role: String(path.dropFirst(extendedPrefix.count)), extended: true)
        }
        if path.hasPrefix(rolePrefix) {
            return credentials(role: String(path.dropFirst(rolePrefix.count)), extended: false)
        }
        if path == "/latest/meta-data/placement/region" { return text(200, settings.region) }
        if path == "/latest/meta-data/" { return text(200, "ami-id\niam/\nplacement/\n") }
        return text(404, "")
    }

    func token(_ request: ServerRequest) -> MockAction {
        if consume(.tokenStall) { return .stall }
        if settings.mode == .v1 { return text(403, "") }
        guard request.method == "PUT" else { return text(405, "") }
        guard let ttlText = request.headers["X-aws-ec2-metadata-token-ttl-seconds"], let ttl = Int(ttlText), (1...21600).contains(ttl) else {
            return text(400, "")
        }
        let granted = min(ttl, settings.maxTokenTTL)
        let bytes = (try? secureRandomBytes(24)) ?? []
        let token = "mocktoken-" + bytes.map { String($0, radix: 16) }.joined()
        tokens = tokens.filter { $0.value > clock.monotonicMillis() }
        tokens[token] = clock.monotonicMillis() + Int64(granted) * 1000
        return text(200, token, settings.ttlHeader ? [("X-aws-ec2-metadata-token-ttl-seconds", String(granted))] : [])
    }

    func credentials(role: String, extended: Bool) -> MockAction {
        guard let expected = settings.role, role == expected else { return text(404, "") }
        if consume(.status500) { return text(500, "internal error\n") }
        if consume(.status429) { return text(429, "slow down\n") }
        if consume(.stall) { return .stall }
        if consume(.drop) { return .drop }
        if consume(.json) { return .respond(json("{\"Code\": \"Success\", \"AccessKeyId\": \"ASIAMOCK")) }
        if consume(.oversized) {
            return .respond(json("{\"Code\":\"Success\",\"Pad\":\"" + String(repeating: "x", count: 100 * 1024) + "\"}"))
        }
        let body = JSON.encode(credentialMembers(extended: extended))
        if consume(.trickle) { return .trickle(json(body)) }
        return .respond(json(body))
    }

    func json(_ body: String, status: Int = 200) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]), body: Array(body.utf8))
    }

    func container(_ request: ServerRequest) -> MockAction {
        var expected = settings.containerToken
        if let file = settings.containerTokenFile {
            let fd = open(file, O_RDONLY | O_CLOEXEC)
            if fd >= 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                let n = read(fd, &buffer, buffer.count)
                _ = close(fd)
                expected = String(decoding: buffer[0..<max(0, n)], as: UTF8.self).trimmed()
            }
        }
        if let expected, request.headers["Authorization"] != expected {
            return .respond(json("{\"code\":\"AccessDeniedException\",\"message\":\"Authorization token is not valid\"}", status: 403))
        }
        guard request.method == "GET" else { return text(405, "") }
        if consume(.status500) { return text(500, "internal error\n") }
        if consume(.stall) { return .stall }
        var members = credentialMembers(extended: true).filter { $0.0 != "Code" && $0.0 != "LastUpdated" && $0.0 != "Type" }
        members.append(("RoleArn", "arn:aws:iam::\(settings.account):role/\(settings.role ?? "mock-role")"))
        return .respond(json(JSON.encode(members)))
    }

    func control(_ request: ServerRequest) -> MockAction {
        switch (request.method, request.path) {
        case ("PUT", "/mock/fault"):
            guard let (fault, count) = Fault.parse(String(decoding: request.body, as: UTF8.self)) else { return text(400, "unknown fault\n") }
            settings.fault = fault
            settings.faultCount = count
            return text(200, "ok\n")
        case ("PUT", "/mock/role"):
            // The instance profile is replaced: another role name from now on.
            settings.role = String(decoding: request.body, as: UTF8.self)
            return text(200, "ok\n")
        case ("PUT", "/mock/rotate"):
            forcedRotations += 1
            return text(200, "ok\n")
        case ("GET", "/mock/current"):
            let saved = (settings.fault, settings.faultCount)
            settings.fault = .none
            defer { (settings.fault, settings.faultCount) = saved }
            return .respond(json(JSON.encode(credentialMembers(extended: true))))
        default:
            return text(404, "")
        }
    }
}
