/// The HTTP side that the IMDS and container providers share: one kept-alive connection to the
/// endpoint, retries, failures put into words, and the credential document decoded and checked.
final class MetadataClient {
    /// How messages name the service: `IMDS`, `the container credential endpoint`.
    let label: String
    /// What the service is, for an answer that is no answer of it: `the instance metadata service`.
    let kind: String
    /// `http://host:port` (or `https://`), for messages.
    let endpoint: String
    let clock: any Clock
    private let service: ServiceClient

    /// A client for `url`; an https `url` needs `tls` (never a proxy: spec §7, the metadata endpoints
    /// never use one). With `allowed`, plain http goes only to the addresses that pass it (`applyPlainHTTPRule`).
    init(label: String, kind: String, url: HTTPURL, tls: TLSContext? = nil, allowed: ((IPAddress) -> Bool)? = nil,
         retry: RetryPolicy, clock: any Clock, log: Log) {
        self.label = label
        self.kind = kind
        self.endpoint = "\(url.scheme.rawValue)://\(url.authority)"
        self.clock = clock
        let client = HTTPClient(url: url, tls: tls)
        if let allowed { applyPlainHTTPRule(to: client, allowed: allowed) }
        service = ServiceClient(retry: retry, debug: { log.debug("\(label): \($0)") }) { client }
    }

    /// True when the last failed `send` only ever connected without getting an answer.
    var lastFailureWasNoAnswer: Bool { service.lastFailureWasNoAnswer }

    func close() { service.close() }

    /// One request with retries of connection errors, 5xx and 429 (see `RetryPolicy.send`), or a single
    /// attempt when `retrying` is false; a failure is a sentence naming the endpoint.
    func send(_ method: String, _ path: String, headers: HTTPHeaders, wait: Wait, retrying: Bool = true) throws(CredentialError) -> HTTPResponse {
        let result = try service.send({ HTTPRequest(method: method, path: path, headers: headers) }, wait: wait,
                                      retrying: retrying, retryable: { isRetryableStatus($0.status) })
        switch result {
        case .success(let response): return response
        case .failure(.transport(let error)) where error.isMalformed:
            throw CredentialError(.provider, "\(endpoint) does not look like \(kind) (\(method) \(path): \(error))", underlying: error)
        case .failure(.transport(let error)):
            throw CredentialError(.transport, "cannot reach \(label) at \(endpoint) (\(method) \(path): \(error))",
                                  transient: true, underlying: error)
        case .failure(let failure):
            throw CredentialError(.transport, "\(label) at \(endpoint) did not answer in time (\(method) \(path): \(failure.last))",
                                  transient: true, underlying: failure)
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
            throw CredentialError(error.code, "\(error.message) (\(what))", transient: error.isTransient, underlying: error)
        }
    }
}
