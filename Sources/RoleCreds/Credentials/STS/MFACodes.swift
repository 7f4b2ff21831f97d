/// Whoever can ask a person for the code of an MFA device (`mfa_serial`, spec §8). The seam between the
/// role chain and the terminal: the launch's own `/dev/tty` (`TerminalPrompt`), whether the launch fetches
/// by itself or hands the codes to the agent.
public protocol MFAPrompt {
    /// The code for `serial`, the device of `profile`'s role; checked to be 6 digits before it is returned.
    func code(serial: String, profile: String, wait: Wait) throws(CredentialError) -> Secret
}

/// The codes of a chain, asked once before anything is fetched (one prompt per device), then taken by
/// the `AssumeRole` that needs each. A code works once: a refresh cannot reuse it, and says so.
public final class MFACodes: @unchecked Sendable {
    private var codes: [String: Secret] = [:]

    public init() {}

    /// Codes already asked (the agent's, sent by the launch that asked them).
    public init(_ codes: [String: Secret]) { self.codes = codes }

    /// The codes asked and not yet used, by serial: what a launch sends to the agent.
    public var asked: [String: Secret] { codes }

    /// Forgets every code: once the agent has used them, or they are of no more use.
    public func drop() { codes = [:] }

    /// The MFA devices of `hops`, in order, each once, with the profile that names it first.
    public static func devices(_ hops: [AssumeRoleSettings]) -> [(serial: String, profile: String)] {
        var seen: Set<String> = []
        return hops.compactMap { hop in
            guard let serial = hop.mfaSerial, seen.insert(serial).inserted else { return nil }
            return (serial, hop.profile ?? "")
        }
    }

    /// Asks `prompt` for the code of every device of `hops`.
    public func ask(_ hops: [AssumeRoleSettings], prompt: any MFAPrompt, wait: Wait) throws(CredentialError) {
        for (serial, profile) in Self.devices(hops) { codes[serial] = try prompt.code(serial: serial, profile: profile, wait: wait) }
    }

    /// The code asked for `serial`, once.
    func take(serial: String, profile: String?) throws(CredentialError) -> Secret {
        guard let code = codes.removeValue(forKey: serial) else { throw Self.newCodeNeeded(serial: serial, profile: profile) }
        return code
    }

    /// Why a refresh cannot go on: its chain needs a code again, and codes are asked only at the start.
    public static func newCodeNeeded(serial: String, profile: String?) -> CredentialError {
        CredentialError("the role of profile \(profile ?? "?") needs a new MFA code (mfa_serial \(serial)), which is asked only when with-role-creds starts; start it again")
    }
}
