#if canImport(Glibc)
import Glibc
#endif
import COpenSSL

/// The `--serve` credential endpoint (spec §5): `GET /credentials` on 127.0.0.1, an ephemeral port,
/// answered with the newest credentials to the holder of a 256-bit token, in the container-provider
/// format AWS SDKs poll. Non-blocking: it lives in the supervisor's loop.
public final class CredentialEndpoint: LoopParticipant {
    public static let path = "/credentials"
    let server: HTTPServer
    let token: Secret
    /// The newest credentials; replaced on every rotation.
    public var credentials: Credentials
    public let port: UInt16

    public init(credentials: Credentials, clock: any Clock = SystemClock()) throws {
        let listener = try Socket.listen(host: "127.0.0.1", port: 0)
        let bytes = try secureRandomBytes(32)
        self.token = Secret(Hex.lowercase(bytes))
        self.credentials = credentials
        self.port = listener.localPort()
        var handler: ((ServerRequest) -> ServerAction)?
        self.server = HTTPServer(listener: listener, clock: clock) { handler!($0) }
        handler = { [unowned self] request in .respond(self.answer(request)) }
    }

    /// The URL for `AWS_CONTAINER_CREDENTIALS_FULL_URI`.
    public var url: String { "http://127.0.0.1:\(port)\(Self.path)" }
    /// The value for `AWS_CONTAINER_AUTHORIZATION_TOKEN`.
    public var authorizationToken: Secret { token }

    /// The answer to one request. Checks, in order: the `Host` header names our address and port
    /// (a DNS-rebinding page cannot pass it), the token, the path, the method.
    func answer(_ request: ServerRequest) -> HTTPResponse {
        let host = request.headers["Host"]
        guard host == "127.0.0.1:\(port)" || host == "localhost:\(port)" else { return Self.error(403, "Forbidden") }
        guard let presented = request.headers["Authorization"], Self.constantTimeEquals(presented, token.reveal()) else {
            return Self.error(403, "Forbidden")
        }
        guard request.path == Self.path else { return Self.error(404, "NotFound") }
        guard request.method == "GET" else {
            var response = Self.error(405, "MethodNotAllowed")
            response.headers.add("Allow", "GET")
            return response
        }
        return HTTPResponse(status: 200, headers: HTTPHeaders([("Content-Type", "application/json"), ("Cache-Control", "no-store")]),
                            body: Array(CredentialDocument.encode(credentials).utf8))
    }

    static func error(_ status: Int, _ code: String) -> HTTPResponse {
        HTTPResponse(status: status, headers: HTTPHeaders([("Content-Type", "application/json")]),
                     body: Array("{\"code\":\"\(code)\",\"message\":\"\(code)\"}".utf8))
    }

    /// Compares without an early exit, so the time taken says nothing about how much matched.
    /// The length is not hidden: every token has the same 64 digits.
    static func constantTimeEquals(_ a: String, _ b: String) -> Bool {
        let x = Array(a.utf8), y = Array(b.utf8)
        guard x.count == y.count else { return false }
        return wrc_equal_constant_time(x, y, x.count) == 1
    }

    public func descriptors() -> [pollfd] { server.descriptors() }
    public func nextDeadline() -> Int64? { server.nextDeadline() }
    public func handle(_ fds: [pollfd]) { server.handle(fds) }
}
