/// IAM Roles Anywhere (spec §9): an X.509 certificate and its private key traded for a role's
/// temporary credentials with `CreateSession`. The files are read again on every fetch, so a renewed
/// certificate is used from the next refresh on; the key stays in libcrypto's memory only.
public final class RolesAnywhereProvider: CredentialProvider {
    public let name = "roles-anywhere"
    let settings: RolesAnywhereSettings
    private let service: ServiceClient
    private let clock: any Clock
    private let log: Log
    /// The certificate of the last fetch, for `--check`.
    public private(set) var certificate: X509Certificate?

    /// Checks the endpoint first: plain http only to a loopback host, as for STS.
    init(settings: RolesAnywhereSettings, environment: EnvironmentLookup, tls: SharedTLSContext, retry: RetryPolicy,
         clock: any Clock, log: Log) throws(CredentialError) {
        self.settings = settings; self.clock = clock; self.log = log
        // The signed request and the credentials in the answer: the one plain-http rule, as for STS.
        service = try ServiceClient.aws(settings.endpoint.description, what: "IAM Roles Anywhere endpoint",
                                        service: "IAM Roles Anywhere", authority: settings.endpoint.authority,
                                        environment: environment, tls: tls,
                                        retry: RetryPolicy(attempts: max(retry.attempts, 3), timeoutMillis: retry.timeoutMillis * 5),
                                        debug: { [log] in log.debug("rolesanywhere: \($0)") })
    }

    public var target: String { settings.roleArn }
    public func close() { service.close() }

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
        return try service.call(what: what, wait: wait, build: build) { [clock] (response) throws(CredentialError) in
            // A request that could not be signed was sent unsigned: its answer says nothing.
            if let signingError { throw signingError }
            return try CreateSession.decode(status: response.status, body: response.body, now: clock.wallSeconds())
        }
    }

    /// One warning, per certificate read, when it expires before a session started now would.
    func warnIfExpiring(_ certificate: X509Certificate) {
        let sessionEnd = clock.wallSeconds() + Int64(settings.durationSeconds)
        guard certificate.notAfter < sessionEnd else { return }
        log.warn("the certificate \(settings.certificate.quotable(limit: 200)) expires at \(Timestamp.format(certificate.notAfter)), before a \(DurationText.format(millis: Int64(settings.durationSeconds) * 1000)) session would end; renew it")
    }
}
