/// Talks to STS: one kept-alive connection (verified TLS, or plain http to loopback only), the
/// `HTTPS_PROXY` tunnel where it applies, and retries of throttling and server errors within the wait.
final class STSClient {
    let endpoint: STSEndpoint
    let url: HTTPURL
    let environment: EnvironmentLookup
    let caBundle: String?
    let retry: RetryPolicy
    let clock: any Clock
    let log: Log
    private var client: HTTPClient?

    /// Checks the endpoint before any connection: plain http only to a loopback host (spec §7).
    init(endpoint: STSEndpoint, environment: EnvironmentLookup, caBundle: String?, retry: RetryPolicy,
         clock: any Clock, log: Log) throws(CredentialError) {
        self.endpoint = endpoint; self.environment = environment; self.caBundle = caBundle
        self.retry = retry; self.clock = clock; self.log = log
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
            if url.scheme == .https { tls = try TLSContext.system(environment: environment, profileCABundle: caBundle) }
            let made = HTTPClient(url: url, tls: tls, proxy: try ProxySettings.from(environment).proxy(for: url))
            client = made
            return made
        } catch {
            throw CredentialError("cannot set up TLS for STS at \(endpoint.authority): \(error)")
        }
    }

    /// Sends the request that `build` makes (anew for each attempt: a signature carries its time) and
    /// decodes the answer; throttling, IDP trouble, 429 and 5xx are tried again with back-off.
    func call(_ call: STSCall, roleArn: String, hiding secrets: [String], wait: Wait,
              build: () -> HTTPRequest) throws(CredentialError) -> Credentials {
        let client = try connection()
        var attempt = 1
        while true {
            let failure: CredentialError
            do {
                let response = try client.send(build(), wait: wait.narrowed(to: clock.monotonicMillis() + retry.timeoutMillis * 5))
                log.debug("sts: \(call.rawValue) → \(response.status)")
                do {
                    return try STSResponse.decode(call: call, roleArn: roleArn, status: response.status, body: response.body,
                                                  now: clock.wallSeconds(), hiding: secrets)
                } catch {
                    guard error.isTransient else { throw error }
                    failure = error
                }
            } catch let error as HTTPError {
                let what = "STS \(call.rawValue) for \(roleArn.quotable(limit: 200)) at \(endpoint.authority) failed (\(error))"
                guard error.isTransient else { throw CredentialError(what) }
                failure = CredentialError(what, transient: true)
            } catch let error as CredentialError {
                throw error
            } catch {
                throw CredentialError("\(error)")
            }
            guard attempt < max(retry.attempts, 3), retry.pause(after: attempt, wait) else { throw failure }
            attempt += 1
        }
    }
}
