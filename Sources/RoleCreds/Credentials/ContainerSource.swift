#if canImport(Glibc)
import Glibc
#endif

/// The container credential endpoint of ECS tasks, CodeBuild and EKS Pod Identity (spec §2).
public final class ContainerSource: CredentialSource {
    public let name = "container"
    let config: ContainerConfig
    let client: HTTPClient
    let clock: any Clock
    let log: Log
    var retry: RetryPolicy
    public var roleName: String? { nil }

    public init(config: ContainerConfig, clock: any Clock = SystemClock(), log: Log = Log(), interrupt: Interrupt? = nil) {
        self.config = config
        self.clock = clock
        self.log = log
        self.client = HTTPClient(host: config.url.host, port: config.url.port, clock: clock)
        self.client.interrupt = interrupt
        self.retry = RetryPolicy(attempts: config.attempts, timeoutMillis: config.timeoutMillis, clock: clock, interrupt: interrupt)
    }

    public var endpointDescription: String { "http://\(config.url.authority)\(config.url.path.split(separator: "?").first ?? "")" }
    public var connectionsOpened: Int { client.connectionsOpened }
    public func close() { client.close() }
    public func dropInterrupt() { client.interrupt = nil; retry.interrupt = nil }
    public func region(deadline: Int64) -> String? { nil }

    public func fetch(deadline: Int64) throws(CredentialError) -> Credentials {
        var headers = HTTPHeaders([("Accept", "application/json")])
        if let authorization = try authorizationValue() { headers.add("Authorization", authorization.reveal()) }
        let request = HTTPRequest(method: "GET", path: config.url.path, headers: headers)
        var onlyNoAnswer = false
        let response: HTTPResponse
        do {
            response = try retry.send(request, client: client, deadline: deadline, retrying: true,
                                      onlyNoAnswer: &onlyNoAnswer, log: { log.debug("container: \($0)") })
        } catch {
            switch error {
            case .transport(let error):
                throw CredentialError("cannot reach the container credential endpoint \(endpointDescription) (\(error))", transient: true)
            case .outOfTime(let last):
                throw CredentialError("container credential endpoint \(endpointDescription) did not answer in time (\(last))", transient: true)
            }
        }
        guard response.status == 200 else {
            throw CredentialError("container credential endpoint answered \(response.status)\(Self.errorDetail(response.body)) (GET \(endpointDescription))",
                                  transient: isRetryableStatus(response.status))
        }
        do { return try CredentialDocument.decode(response.body, now: clock.wallSeconds()) } catch {
            throw CredentialError("\(error) (GET \(endpointDescription))", transient: error.isTransient)
        }
    }

    /// The `Authorization` value: the token file's content (re-read now, the kubelet rotates it) or the token.
    func authorizationValue() throws(CredentialError) -> Secret? {
        switch config.authorization {
        case .none: return nil
        case .token(let token): return token
        case .tokenFile(let path):
            guard let bytes = readSmallFile(path) else {
                throw CredentialError("cannot read AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE \(path.quotable(limit: 200)) (\(Errno.current))")
            }
            guard let text = String(validating: bytes, as: UTF8.self) else {
                throw CredentialError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE does not hold UTF-8 text")
            }
            // A trailing newline is how files end; any other line break would inject a header.
            var token = Substring(text)
            while token.last == "\n" || token.last == "\r" { token.removeLast() }
            guard !token.isEmpty else { throw CredentialError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE is empty") }
            guard ContainerConfig.isValidToken(String(token)) else {
                throw CredentialError("AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE holds a line break or control character")
            }
            return Secret(String(token))
        }
    }

    /// ` ("code": "message")` from the endpoint's error document, quoted safely; never a credential field.
    static func errorDetail(_ body: [UInt8]) -> String {
        guard let json = try? JSON.parse(body) else { return "" }
        // As in CredentialDocument.decode: an error document may echo the keys it carries.
        let secrets = ["SecretAccessKey", "Token"].compactMap { key -> String? in
            if case .string(let s)? = json[key] { return s } else { return nil }
        }
        var parts: [String] = []
        for key in ["code", "Code"] { if case .string(let s)? = json[key] { parts.append(s.quotable(limit: 40, hiding: secrets)); break } }
        for key in ["message", "Message"] { if case .string(let s)? = json[key] { parts.append(s.quotable(hiding: secrets)); break } }
        return parts.isEmpty ? "" : ": " + parts.joined(separator: ": ")
    }
}

/// Reads a file of at most 16 KiB; nil on failure (errno tells why).
func readSmallFile(_ path: String) -> [UInt8]? {
    let fd = open(path, O_RDONLY | O_CLOEXEC)
    guard fd >= 0 else { return nil }
    defer { _ = close(fd) }
    var result: [UInt8] = []
    var buffer = [UInt8](repeating: 0, count: 4096)
    while result.count <= 16 * 1024 {
        let n = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress!, $0.count) }
        if n < 0 { if errno == EINTR { continue }; return nil }
        if n == 0 { return result }
        result += buffer[0..<n]
    }
    errno = EFBIG
    return nil
}
