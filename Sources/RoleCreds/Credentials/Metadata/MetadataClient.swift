/// The HTTP side that the IMDS and container providers share: one kept-alive connection to the
/// endpoint, retries, failures put into words, and the credential document decoded and checked.
final class MetadataClient {
    /// How messages name the service: `IMDS`, `the container credential endpoint`.
    let label: String
    /// What the service is, for an answer that is no answer of it: `the instance metadata service`.
    let kind: String
    /// `http://host:port` (or `https://`), for messages.
    let endpoint: String
    let client: HTTPClient
    let retry: RetryPolicy
    let clock: any Clock
    let log: Log
    /// True when the last failed `send` only ever connected without getting an answer.
    private(set) var lastFailureWasNoAnswer = false

    /// A client for `url`; an https `url` needs `tls` (never a proxy: spec §7, the metadata endpoints
    /// never use one).
    init(label: String, kind: String, url: HTTPURL, tls: TLSContext? = nil, retry: RetryPolicy, clock: any Clock, log: Log) {
        self.label = label
        self.kind = kind
        self.endpoint = "\(url.scheme.rawValue)://\(url.authority)"
        self.client = HTTPClient(url: url, tls: tls)
        self.retry = retry
        self.clock = clock
        self.log = log
    }

    /// TCP connections made so far.
    var connectionsOpened: Int { client.connectionsOpened }

    func close() { client.close() }

    /// One request with retries of connection errors, 5xx and 429 (see `RetryPolicy.send`), or a single
    /// attempt when `retrying` is false; a failure is a sentence naming the endpoint.
    func send(_ method: String, _ path: String, headers: HTTPHeaders, wait: Wait, retrying: Bool = true) throws(CredentialError) -> HTTPResponse {
        let policy = retrying ? retry : RetryPolicy(attempts: 1, timeoutMillis: retry.timeoutMillis)
        do {
            return try policy.send({ HTTPRequest(method: method, path: path, headers: headers) }, client: client, wait: wait,
                                   retryable: { isRetryableStatus($0.status) },
                                   onlyNoAnswer: &lastFailureWasNoAnswer, log: { [label, log] in log.debug("\(label): \($0)") })
        } catch {
            switch error {
            case .transport(let error) where error.isMalformed:
                throw CredentialError("\(endpoint) does not look like \(kind) (\(method) \(path): \(error))")
            case .transport(let error):
                throw CredentialError("cannot reach \(label) at \(endpoint) (\(method) \(path): \(error))", transient: true)
            case .outOfTime(let last, _):
                throw CredentialError("\(label) at \(endpoint) did not answer in time (\(method) \(path): \(last))", transient: true)
            }
        }
    }

    /// A failure for an unexpected status; `foreign` adds that the server does not look like the service
    /// (a status such as 501 that the service never sends: another server on that port).
    func statusError(_ status: Int, _ what: String, foreign: Bool = false) -> CredentialError {
        CredentialError("\(label) answered \(status) (\(what))" + (foreign ? "; \(endpoint) does not look like \(kind)" : ""),
                        transient: isRetryableStatus(status))
    }

    /// The credential document of a 200 answer, checked (spec §2). `allowExpired`: IMDS's static
    /// stability, where credentials past their expiration are still used.
    func decode(_ response: HTTPResponse, what: String, allowExpired: Bool = false) throws(CredentialError) -> Credentials {
        do {
            return try CredentialDocument.decode(response.body, now: clock.wallSeconds(), allowExpired: allowExpired)
        } catch {
            throw CredentialError("\(error) (\(what))", transient: error.isTransient)
        }
    }
}
