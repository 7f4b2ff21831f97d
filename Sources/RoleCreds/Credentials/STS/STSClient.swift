/// Talks to STS: one kept-alive connection (verified TLS, or plain http to loopback only), the
/// `HTTPS_PROXY` tunnel where it applies, and retries of throttling and server errors within the wait.
final class STSClient {
    let endpoint: STSEndpoint
    let environment: EnvironmentLookup
    /// Shared with every other client of the run (`SharedTLSContext`).
    let tls: SharedTLSContext
    private let service: ServiceClient
    private let clock: any Clock

    /// Checks the endpoint before any connection: plain http only to a loopback host (spec §7).
    /// `retry` is the metadata policy; STS gets at least 3 attempts, each with 5 times its timeout
    /// (a TLS handshake, and a service farther away than a link-local agent).
    init(endpoint: STSEndpoint, environment: EnvironmentLookup, tls: SharedTLSContext, retry: RetryPolicy,
         clock: any Clock, log: Log) throws(CredentialError) {
        self.endpoint = endpoint; self.environment = environment; self.tls = tls; self.clock = clock
        service = try ServiceClient.aws(endpoint.description, what: "STS endpoint", service: "STS", authority: endpoint.authority,
                                        environment: environment, tls: tls,
                                        retry: RetryPolicy(attempts: max(retry.attempts, 3), timeoutMillis: retry.timeoutMillis * 5),
                                        debug: { [log] in log.debug("sts: \($0)") })
    }

    func close() { service.close() }

    /// Sends the request that `build` makes (anew for each attempt: a signature carries its time) and
    /// decodes the answer; connection errors, throttling, IDP trouble, 429, 5xx (any answer that fails
    /// to decode transiently) are tried again with back-off (`ServiceClient.call`).
    func call(_ call: STSCall, roleArn: String, hiding secrets: [String], wait: Wait,
              build: () -> HTTPRequest) throws(CredentialError) -> Credentials {
        let what = "STS \(call.rawValue) for \(roleArn.quotable(limit: 200)) at \(endpoint.authority) failed"
        return try service.call(what: what, wait: wait, logPrefix: "\(call.rawValue): ", build: build) { [clock] (response) throws(CredentialError) in
            try STSResponse.decode(call: call, roleArn: roleArn, status: response.status, body: response.body,
                                   now: clock.wallSeconds(), hiding: secrets)
        }
    }
}
