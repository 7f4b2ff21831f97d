/// Web identity (spec §7): an OIDC token — a file (EKS IRSA, GitLab and other OIDC CI; re-read on
/// every fetch) or the GitHub Actions job's token — exchanged at STS with `AssumeRoleWithWebIdentity`.
public final class WebIdentityProvider: CredentialProvider {
    public let name = "web-identity"
    let settings: WebIdentitySettings
    let sts: STSClient
    let clock: any Clock
    let log: Log
    /// The GitHub token service, when the token comes from there; made on first use.
    private var github: HTTPClient?

    init(settings: WebIdentitySettings, sts: STSClient, clock: any Clock, log: Log) {
        self.settings = settings; self.sts = sts; self.clock = clock; self.log = log
    }

    public var target: String { settings.roleArn }
    public func close() { sts.close(); github?.close() }

    public func fetch(_ wait: Wait) throws(CredentialError) -> Credentials {
        let token = try self.token(wait)
        let parameters: AssumeRoleParameters
        do {
            parameters = try AssumeRoleParameters(roleArn: settings.roleArn,
                                                  roleSessionName: settings.sessionName ?? STSRequest.defaultSessionName(now: clock.wallSeconds()))
        } catch { throw CredentialError(configuration: error) }
        return try sts.call(.assumeRoleWithWebIdentity, roleArn: settings.roleArn, hiding: [token.reveal()], wait: wait) {
            STSRequest.assumeRoleWithWebIdentity(parameters, token: token, endpoint: sts.endpoint)
        }
    }

    /// The current token: read from the file now, or asked of GitHub's token service.
    func token(_ wait: Wait) throws(CredentialError) -> Secret {
        switch settings.token {
        case .file(let path):
            let bytes: [UInt8]
            do { bytes = try readRequiredFile(path, limit: 64 * 1024) } catch {
                throw CredentialError(.provider, "cannot read the web identity token file \(path.quotable(limit: 200)) (\(error))", underlying: error)
            }
            guard let text = String(validating: bytes, as: UTF8.self)?.trimmed(), !text.isEmpty else {
                throw CredentialError("the web identity token file \(path.quotable(limit: 200)) is empty or not text")
            }
            return Secret(text)
        case .github(let url, let requestToken):
            return try githubToken(url, requestToken, wait)
        }
    }

    /// `GET <ACTIONS_ID_TOKEN_REQUEST_URL>&audience=sts.amazonaws.com` with the job's bearer token;
    /// the answer is `{"value": JWT}`.
    private func githubToken(_ url: HTTPURL, _ requestToken: Secret, _ wait: Wait) throws(CredentialError) -> Secret {
        // The bearer token must not cross a network in clear text, as for STS (spec §7).
        do { try requireTLSOrLoopback(url, what: "ACTIONS_ID_TOKEN_REQUEST_URL") } catch { throw CredentialError(configuration: error) }
        let client: HTTPClient
        if let github { client = github } else {
            do { client = try ServiceClient.connection(to: url, tls: sts.tls, environment: sts.environment) } catch {
                throw CredentialError(.configuration, "cannot set up TLS for the GitHub token service: \(error)", underlying: error)
            }
            github = client
        }
        let separator = url.path.contains("?") ? "&" : "?"
        let request = HTTPRequest(method: "GET", path: url.path + separator + "audience=sts.amazonaws.com",
                                  headers: HTTPHeaders([("Authorization", "Bearer " + requestToken.reveal()), ("Accept", "application/json")]))
        let response: HTTPResponse
        do { response = try client.send(request, wait: wait) } catch {
            throw CredentialError(.transport, "cannot get the GitHub Actions OIDC token from \(url.authority) (\(error))",
                                  transient: error.isTransient, underlying: error)
        }
        guard response.status == 200 else {
            throw CredentialError("the GitHub Actions OIDC token service at \(url.authority) answered \(response.status); does the job have `permissions: id-token: write`?",
                                  transient: isRetryableStatus(response.status))
        }
        guard case .string(let value)? = (try? JSON.parse(response.body))?["value"], !value.isEmpty,
              ContainerConfig.isValidToken(value) else {
            throw CredentialError("the GitHub Actions OIDC token service at \(url.authority) did not answer with a token")
        }
        return Secret(value)
    }
}
