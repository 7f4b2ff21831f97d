/// Credentials from a `credential_process` helper (spec §9): the command line split as botocore does,
/// run without a shell on every fetch, its `Version: 1` JSON checked. Rotation fetches again only
/// when the helper gave an `Expiration` (the far-off expiration of the others is never reached).
public final class ProcessProvider: CredentialProvider {
    public let name = "credential-process"
    let argv: [String]
    let profile: String
    let environment: [String]
    let clock: any Clock
    let log: Log

    /// Most a helper may print: the SDKs' documents are a few hundred bytes.
    public static let outputLimit = 64 * 1024

    /// The variables that carry the credentials this provider replaces: the helper must not see
    /// stale ones from the launcher's environment.
    static let replacedVariables: Set<String> = [
        "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN",
        "AWS_CREDENTIAL_EXPIRATION", "AWS_ACCOUNT_ID",
    ]

    /// `commandLine` is the profile's value; `inherited` the launcher's environment entries.
    public init(commandLine: String, profile: String, inherited: [String], clock: any Clock, log: Log) throws(CredentialError) {
        do { argv = try ShellWords.split(commandLine) } catch {
            throw CredentialError(.configuration, "profile '\(profile)': \(error)", underlying: error)
        }
        self.profile = profile
        self.environment = Self.helperEnvironment(inherited)
        self.clock = clock; self.log = log
    }

    /// The program and profile; never the arguments, which may carry a secret.
    public var target: String { "\(argv[0].quotable(limit: 80)), profile \(profile)" }
    public func close() {}

    public func fetch(_ wait: Wait) throws(CredentialError) -> Credentials {
        let outcome = try HelperProcess.run(argv, environment: environment, limit: Self.outputLimit, wait: wait)
        let shown = argv[0].quotable(limit: 80)
        switch outcome.exit {
        case .exited(0): break
        case .exited(let code): throw CredentialError("credential_process \(shown) exited with status \(code)")
        case .signaled(let signal): throw CredentialError("credential_process \(shown) was killed by signal \(signal)")
        }
        let (credentials, expires) = try ProcessOutput.decode(outcome.stdout, now: clock.wallSeconds())
        if !expires { log.debug("credential_process gave no Expiration: its credentials are not refreshed") }
        return credentials
    }

    /// `inherited` without the variables of `replacedVariables`.
    static func helperEnvironment(_ inherited: [String]) -> [String] {
        inherited.filter { entry in
            guard entry.hasPrefix("AWS_"), let eq = entry.firstIndex(of: "=") else { return true }
            return !replacedVariables.contains(String(entry[..<eq]))
        }
    }
}
