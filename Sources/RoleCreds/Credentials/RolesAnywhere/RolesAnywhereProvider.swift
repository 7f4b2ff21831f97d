/// IAM Roles Anywhere (spec §9): an X.509 certificate and its private key traded for a role's
/// temporary credentials with `CreateSession`. The files are read again on every fetch, so a renewed
/// certificate is used from the next refresh on; the key stays in libcrypto's memory only.
public final class RolesAnywhereProvider: CredentialProvider {
    public let name = "roles-anywhere"
    let settings: RolesAnywhereSettings
    let url: HTTPURL
    let environment: EnvironmentLookup
    let tls: SharedTLSContext
    let retry: RetryPolicy
    let clock: any Clock
    let log: Log
    private var client: HTTPClient?
    /// The certificate of the last fetch, for `--check`.
    public private(set) var certificate: X509Certificate?

    /// Checks the endpoint first: plain http only to a loopback host, as for STS.
    init(settings: RolesAnywhereSettings, environment: EnvironmentLookup, tls: SharedTLSContext, retry: RetryPolicy,
         clock: any Clock, log: Log) throws(CredentialError) {
        self.settings = settings; self.environment = environment; self.tls = tls
        self.retry = RetryPolicy(attempts: max(retry.attempts, 3), timeoutMillis: retry.timeoutMillis * 5)
        self.clock = clock; self.log = log
        do { url = try HTTPURL.parse(settings.endpoint.description, allowingHTTPS: true) } catch {
            throw CredentialError("IAM Roles Anywhere endpoint \(settings.endpoint.description.quotable(limit: 200)): \(error)")
        }
        do { try requireTLSOrLoopback(url, what: "IAM Roles Anywhere endpoint") } catch { throw CredentialError(error.description) }
    }

    public var target: String { settings.roleArn }
    public func close() { client?.close(); client = nil }

    public func fetch(_ wait: Wait) throws(CredentialError) -> Credentials {
        let chain = try X509Certificate.load(path: settings.certificate, what: "certificate file")
        let intermediates = try settings.intermediates.map { (path) throws(CredentialError) in
            try X509Certificate.load(path: path, what: "intermediates file")
        } ?? Array(chain.dropFirst())
        let key = try X509PrivateKey.load(path: settings.privateKey)
        guard key.matches(chain[0]) else {
            throw CredentialError("the private key \(settings.privateKey.quotable(limit: 200)) does not belong to the certificate \(settings.certificate.quotable(limit: 200))")
        }
        if certificate?.der != chain[0].der { warnIfExpiring(chain[0]) }
        certificate = chain[0]
        let connection = try self.connection()
        var outcome: Result<Credentials, CredentialError>?
        func isRetryable(_ response: HTTPResponse) -> Bool {
            do {
                outcome = .success(try CreateSession.decode(status: response.status, body: response.body, now: clock.wallSeconds()))
                return false
            } catch {
                outcome = .failure(error)
                return error.isTransient
            }
        }
        var signingError: CredentialError?
        func build() -> HTTPRequest {
            let request = CreateSession.request(settings, basePath: settings.endpoint.path)
            do {
                return try X509Signer.sign(request, authority: settings.endpoint.authority, certificate: chain[0], chain: intermediates,
                                           key: key, region: settings.region, time: clock.wallSeconds()).request
            } catch {
                signingError = error
                return request
            }
        }
        let what = "IAM Roles Anywhere CreateSession for \(settings.roleArn.quotable(limit: 200)) at \(settings.endpoint.authority) failed"
        var noAnswer = false
        do throws(RetryPolicy.Failure) {
            _ = try retry.send(build, client: connection, wait: wait, retryable: isRetryable, onlyNoAnswer: &noAnswer,
                               log: { [log] in log.debug("rolesanywhere: \($0)") })
        } catch {
            switch error {
            case .transport(let error): throw CredentialError("\(what) (\(error))", transient: error.isTransient)
            case .outOfTime(last: _, response: .some): break
            case .outOfTime(let last, response: nil): throw CredentialError("\(what) (\(last))", transient: true)
            }
        }
        if let signingError { throw signingError }
        guard let outcome else { throw CredentialError("\(what) (no answer)", transient: true) }
        return try outcome.get()
    }

    /// One warning, per certificate read, when it expires before a session started now would.
    func warnIfExpiring(_ certificate: X509Certificate) {
        let sessionEnd = clock.wallSeconds() + Int64(settings.durationSeconds)
        guard certificate.notAfter < sessionEnd else { return }
        log.warn("the certificate \(settings.certificate.quotable(limit: 200)) expires at \(Timestamp.format(certificate.notAfter)), before a \(DurationText.format(millis: Int64(settings.durationSeconds) * 1000)) session would end; renew it")
    }

    /// The client, made on first use: the run's one TLS context, only for an https endpoint.
    private func connection() throws(CredentialError) -> HTTPClient {
        if let client { return client }
        do {
            let context = url.scheme == .https ? try tls.context() : nil
            let made = HTTPClient(url: url, tls: context, proxy: try ProxySettings.from(environment).proxy(for: url))
            // The signed request and the credentials in the answer: the one plain-http rule, as for STS.
            applyPlainHTTPRule(to: made)
            client = made
            return made
        } catch {
            throw CredentialError("cannot set up TLS for IAM Roles Anywhere at \(settings.endpoint.authority): \(error)")
        }
    }
}
