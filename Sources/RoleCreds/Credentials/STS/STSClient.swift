/// Talks to STS: one kept-alive connection (verified TLS, or plain http to loopback only), the
/// `HTTPS_PROXY` tunnel where it applies, and retries of throttling and server errors within the wait.
final class STSClient {
    let endpoint: STSEndpoint
    let url: HTTPURL
    let environment: EnvironmentLookup
    /// Shared with every other client of the run (`SharedTLSContext`).
    let tls: SharedTLSContext
    let retry: RetryPolicy
    let clock: any Clock
    let log: Log
    private var client: HTTPClient?

    /// Checks the endpoint before any connection: plain http only to a loopback host (spec §7).
    /// `retry` is the metadata policy; STS gets at least 3 attempts, each with 5 times its timeout
    /// (a TLS handshake, and a service farther away than a link-local agent).
    init(endpoint: STSEndpoint, environment: EnvironmentLookup, tls: SharedTLSContext, retry: RetryPolicy,
         clock: any Clock, log: Log) throws(CredentialError) {
        self.endpoint = endpoint; self.environment = environment; self.tls = tls
        self.retry = RetryPolicy(attempts: max(retry.attempts, 3), timeoutMillis: retry.timeoutMillis * 5)
        self.clock = clock; self.log = log
        do { url = try HTTPURL.parse(endpoint.description, allowingHTTPS: true) } catch {
            throw CredentialError("STS endpoint \(endpoint.description.quotable(limit: 200)): \(error)")
        }
        do { try requireTLSOrLoopback(url, what: "STS endpoint") } catch { throw CredentialError(error.description) }
    }

    func close() { client?.close() }

    /// The client, made on first use: OpenSSL is initialised only when an https call is made.
    private func connection() throws(CredentialError) -> HTTPClient {
        if let client { return client }
        var tls: TLSContext?
        do {
            if url.scheme == .https { tls = try self.tls.context() }
            let made = HTTPClient(url: url, tls: tls, proxy: try ProxySettings.from(environment).proxy(for: url))
            applyPlainHTTPRule(to: made)
            client = made
            return made
        } catch {
            throw CredentialError("cannot set up TLS for STS at \(endpoint.authority): \(error)")
        }
    }

    /// Sends the request that `build` makes (anew for each attempt: a signature carries its time) and
    /// decodes the answer; connection errors, throttling, IDP trouble, 429, 5xx (any answer that fails
    /// to decode transiently) are tried again with back-off, through the one `RetryPolicy.send`.
    func call(_ call: STSCall, roleArn: String, hiding secrets: [String], wait: Wait,
              build: () -> HTTPRequest) throws(CredentialError) -> Credentials {
        let client = try connection()
        // Each answer is decoded once, when the retry loop asks whether to try again; the outcome of
        // the last one is the result.
        var outcome: Result<Credentials, CredentialError>?
        func isRetryable(_ response: HTTPResponse) -> Bool {
            do {
                outcome = .success(try STSResponse.decode(call: call, roleArn: roleArn, status: response.status,
                                                          body: response.body, now: clock.wallSeconds(), hiding: secrets))
                return false
            } catch {
                outcome = .failure(error)
                return error.isTransient
            }
        }
        var noAnswer = false
        let what = "STS \(call.rawValue) for \(roleArn.quotable(limit: 200)) at \(endpoint.authority) failed"
        do throws(RetryPolicy.Failure) {
            _ = try retry.send(build, client: client, wait: wait, retryable: isRetryable,
                               onlyNoAnswer: &noAnswer, log: { [log] in log.debug("sts: \(call.rawValue): \($0)") })
        } catch {
            switch error {
            case .transport(let error): throw CredentialError("\(what) (\(error))", transient: error.isTransient)
            case .outOfTime(last: _, response: .some): break   // the last answer's outcome stands
            case .outOfTime(let last, response: nil): throw CredentialError("\(what) (\(last))", transient: true)
            }
        }
        guard let outcome else { throw CredentialError("\(what) (no answer)", transient: true) }
        return try outcome.get()
    }
}
