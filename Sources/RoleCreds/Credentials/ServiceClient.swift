/// One HTTP endpoint that credentials come from (STS, IAM Roles Anywhere, IMDS, the container endpoint):
/// one kept-alive `HTTPClient`, asked of its maker when first needed, the endpoint's retry policy, and `call`, the retry
/// loop that decodes each answer once. The failures of the layers below are kept as the underlying error.
final class ServiceClient {
    let retry: RetryPolicy
    private let debug: (String) -> Void
    private let connect: () throws(CredentialError) -> HTTPClient
    private var client: HTTPClient?
    /// True when the last failed `send` only ever connected without getting an answer.
    private(set) var lastFailureWasNoAnswer = false

    /// A client that `connect` gives on first use; `debug` logs each attempt.
    init(retry: RetryPolicy, debug: @escaping (String) -> Void, connect: @escaping () throws(CredentialError) -> HTTPClient) {
        self.retry = retry; self.debug = debug; self.connect = connect
    }

    /// An AWS endpoint given as `text` (`what`: "STS endpoint"), checked before any connection: plain
    /// http only to a loopback host (spec §7). Its client has the run's one TLS context for https, the
    /// `HTTPS_PROXY` tunnel where it applies, and the one plain-http rule; `service` names it when that
    /// set-up fails ("cannot set up TLS for STS at …").
    static func aws(_ text: String, what: String, service: String, authority: String, environment: EnvironmentLookup,
                    tls: SharedTLSContext, retry: RetryPolicy, debug: @escaping (String) -> Void) throws(CredentialError) -> ServiceClient {
        let url: HTTPURL
        do { url = try HTTPURL.parse(text, allowingHTTPS: true) } catch {
            throw CredentialError(.configuration, "\(what) \(text.quotable(limit: 200)): \(error)", underlying: error)
        }
        do { try requireTLSOrLoopback(url, what: what) } catch { throw CredentialError(configuration: error) }
        return ServiceClient(retry: retry, debug: debug) { () throws(CredentialError) -> HTTPClient in
            do { return try connection(to: url, tls: tls, environment: environment) } catch {
                throw CredentialError(.configuration, "cannot set up TLS for \(service) at \(authority): \(error)", underlying: error)
            }
        }
    }

    /// The one way a client that carries a secret (a signature, a token) is made: the run's TLS context
    /// only for https (OpenSSL stays untouched otherwise), the proxy the environment names for `url`, and
    /// the one plain-http rule.
    static func connection(to url: HTTPURL, tls: SharedTLSContext, environment: EnvironmentLookup) throws(TransportError) -> HTTPClient {
        let context = url.scheme == .https ? try tls.context() : nil
        let made = HTTPClient(url: url, tls: context, proxy: try ProxySettings.from(environment).proxy(for: url))
        applyPlainHTTPRule(to: made)
        return made
    }

    /// The client, made now if this is the first call.
    func connection() throws(CredentialError) -> HTTPClient {
        if let client { return client }
        let made = try connect()
        client = made
        return made
    }

    func close() { client?.close() }

    /// One request that `build` makes (anew for each attempt), with the retries of `RetryPolicy.send`, or
    /// a single attempt when `retrying` is false; `logPrefix` starts each debug line of it.
    func send(_ build: () -> HTTPRequest, wait: Wait, retrying: Bool = true, logPrefix: String = "",
              retryable: (HTTPResponse) -> Bool) throws(CredentialError) -> Result<HTTPResponse, RetryPolicy.Failure> {
        let client = try connection()
        let policy = retrying ? retry : RetryPolicy(attempts: 1, timeoutMillis: retry.timeoutMillis)
        do {
            return .success(try policy.send(build, client: client, wait: wait, retryable: retryable,
                                            onlyNoAnswer: &lastFailureWasNoAnswer, log: { [debug] in debug(logPrefix + $0) }))
        } catch {
            return .failure(error)
        }
    }

    /// Sends what `build` makes and decodes the answer with `decode`; an answer that fails to decode
    /// transiently (throttling, 5xx) is tried again, through the one `RetryPolicy.send`. `what` begins
    /// every failure's sentence ("STS AssumeRole for … failed").
    func call(what: String, wait: Wait, logPrefix: String = "", build: () -> HTTPRequest,
              decode: (HTTPResponse) throws(CredentialError) -> Credentials) throws(CredentialError) -> Credentials {
        // Each answer is decoded once, when the retry loop asks whether to try again; the outcome of
        // the last one is the result.
        var outcome: Result<Credentials, CredentialError>?
        func isRetryable(_ response: HTTPResponse) -> Bool {
            do { outcome = .success(try decode(response)); return false } catch {
                outcome = .failure(error)
                return error.isTransient
            }
        }
        if case .failure(let error) = try send(build, wait: wait, logPrefix: logPrefix, retryable: isRetryable) {
            switch error {
            case .transport(let error):
                throw CredentialError(.transport, "\(what) (\(error))", transient: error.isTransient, underlying: error)
            case .outOfTime(response: .some, error: _): break   // the last answer's outcome stands
            case .outOfTime(response: nil, error: let last):
                throw CredentialError(.transport, "\(what) (\(error.last))", transient: true, underlying: last)
            }
        }
        guard let outcome else { throw CredentialError(.transport, "\(what) (no answer)", transient: true) }
        return try outcome.get()
    }
}
