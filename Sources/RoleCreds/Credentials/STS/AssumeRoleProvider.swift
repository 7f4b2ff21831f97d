/// A role assumed with the credentials of another provider (spec §7): `--assume-role` or a profile's
/// `role_arn`. Base credentials are reused while they stay valid for a while.
public final class AssumeRoleProvider: CredentialProvider {
    public let name = "assume-role"
    let base: any CredentialProvider
    let hop: AssumeRoleSettings
    let sts: STSClient
    let clock: any Clock
    let log: Log
    /// The codes asked at start, for a hop with `mfa_serial`.
    let mfa: MFACodes?
    private var baseCredentials: Credentials?

    /// Base credentials with less than this left are fetched anew.
    static let reuseMarginSeconds: Int64 = 300

    init(base: any CredentialProvider, hop: AssumeRoleSettings, sts: STSClient, clock: any Clock, log: Log, mfa: MFACodes? = nil) {
        self.base = base; self.hop = hop; self.sts = sts; self.clock = clock; self.log = log; self.mfa = mfa
    }

    public var target: String { hop.roleArn }
    public var chain: [ProviderHop] { base.chain + [ProviderHop(name: name, target: target)] }
    public func close() { base.close(); sts.close() }

    public func fetch(_ wait: Wait) throws(CredentialError) -> Credentials {
        let now = clock.wallSeconds()
        let credentials: Credentials
        if let kept = baseCredentials, kept.expiration - now > Self.reuseMarginSeconds {
            credentials = kept
        } else {
            credentials = try base.fetch(wait)
            baseCredentials = credentials
        }
        var device: (serial: String, code: Secret)?
        if let serial = hop.mfaSerial {
            guard let mfa else { throw CredentialError("the role of profile \(hop.profile ?? "?") needs an MFA code (mfa_serial), and none was asked") }
            device = (serial, try mfa.take(serial: serial, profile: hop.profile))
        }
        let parameters: AssumeRoleParameters
        do {
            parameters = try AssumeRoleParameters(roleArn: hop.roleArn,
                                                  roleSessionName: hop.sessionName ?? STSRequest.defaultSessionName(now: now),
                                                  externalId: hop.externalId, durationSeconds: hop.durationSeconds, policy: hop.policy,
                                                  mfa: device)
        } catch { throw CredentialError(configuration: error) }
        let hidden = [credentials.secretAccessKey.reveal(), credentials.sessionToken.reveal()] + (device.map { [$0.code.reveal()] } ?? [])
        return try sts.call(.assumeRole, roleArn: hop.roleArn, hiding: hidden, wait: wait) {
            STSRequest.assumeRole(parameters, endpoint: sts.endpoint, credentials: credentials, time: clock.wallSeconds())
        }
    }
}
