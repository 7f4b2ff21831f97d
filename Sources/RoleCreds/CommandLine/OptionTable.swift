#if canImport(Glibc)
import Glibc
#endif

/// Every option `with-role-creds` knows, in the order `--help` lists them (spec §1). Adding an option is one
/// entry here plus the code that reads its `Options` field.
public enum OptionTable {
    public static let all: [OptionSpec] = credentials + rolesAnywhere + instanceMetadata + command + agent + other

    static let credentials: [OptionSpec] = [
        .init(["--source"], "SOURCE", group: .credentials,
              help: "where the base credentials come from: auto, web-identity, container, imds or roles-anywhere",
              defaultValue: "auto", choices: Options.Source.allCases.map(\.rawValue),
              kind: .value { o, name, v throws(UsageError) in
                  guard let s = Options.Source(rawValue: v) else {
                      let list = Options.Source.allCases.map(\.rawValue)
                      throw UsageError("\(name) must be \(list.dropLast().joined(separator: ", ")) or \(list.last!), not '\(v.quotable(limit: 40))'")
                  }
                  o.source = s
              }),
        .init(["--profile"], "NAME", group: .credentials, help: "profile of the AWS config file",
              environment: ["AWS_PROFILE"],
              kind: .value { o, name, v throws(UsageError) in
                  guard Options.isValidProfileName(v) else {
                      throw UsageError("\(name): '\(v.quotable(limit: 64))' is not a profile name (empty, too long or with control characters)")
                  }
                  o.profile = v
              }),
        .init(["--role-arn"], "ARN", group: .credentials, help: "web identity or IAM Roles Anywhere role", environment: ["AWS_ROLE_ARN"],
              profileKey: "role_arn", kind: .value { o, name, v throws(UsageError) in o.roleArn = try OptionValue.roleArn(name, v) }),
        .init(["--web-identity-token-file"], "PATH", group: .credentials, help: "web identity token",
              environment: ["AWS_WEB_IDENTITY_TOKEN_FILE"], profileKey: "web_identity_token_file", takesFile: true,
              kind: .value { o, name, v throws(UsageError) in o.webIdentityTokenFile = try OptionValue.path(name, v) }),
        .init(["--assume-role"], "ARN", group: .credentials, help: "then assume this role: COMMAND gets its keys",
              kind: .value { o, name, v throws(UsageError) in o.assumeRoleArn = try OptionValue.roleArn(name, v) }),
        .init(["--role-session-name"], "NAME", group: .credentials, help: "STS session name",
              environment: ["AWS_ROLE_SESSION_NAME"], profileKey: "role_session_name",
              kind: .value { o, name, v throws(UsageError) in
                  try IAMValues.checkSessionName(v, from: name)
                  o.roleSessionName = v
              }),
        .init(["--external-id"], "ID", group: .credentials, help: "STS external id for --assume-role",
              profileKey: "external_id",
              kind: .value { o, name, v throws(UsageError) in
                  try IAMValues.checkExternalId(v, from: name)
                  o.externalId = v
              }),
        .init(["--duration"], "DURATION", group: .credentials, help: "STS session length, 15m to 12h",
              profileKey: "duration_seconds",
              kind: .value { o, name, v throws(UsageError) in
                  let ms = try OptionValue.duration(name, v)
                  guard ms % 1000 == 0, IAMValues.durationRange.contains(Int(clamping: ms / 1000)) else {
                      throw UsageError("\(name) must be whole seconds from 15m to 12h (STS DurationSeconds), not \(DurationText.format(millis: ms))")
                  }
                  o.durationSeconds = Int(ms / 1000)
              }),
        .init(["--session-policy"], "FILE", group: .credentials,
              help: "JSON session policy: COMMAND gets at most what both the role and the policy allow", takesFile: true,
              kind: .value { o, name, v throws(UsageError) in o.sessionPolicyFile = try OptionValue.path(name, v) }),
    ]

    /// IAM Roles Anywhere (`--source roles-anywhere`), with aws/rolesanywhere-credential-helper's names.
    static let rolesAnywhere: [OptionSpec] = [
        .init(["--certificate"], "FILE", group: .rolesAnywhere, help: "X.509 certificate (PEM); more certificates after it are intermediates",
              profileKey: "roles_anywhere_certificate", takesFile: true,
              kind: .value { o, name, v throws(UsageError) in o.rolesAnywhere.certificate = try OptionValue.path(name, v) }),
        .init(["--private-key"], "FILE", group: .rolesAnywhere,
              help: "its private key (PEM, RSA or EC P-256/P-384, unencrypted; readable by its owner only)",
              profileKey: "roles_anywhere_private_key", takesFile: true,
              kind: .value { o, name, v throws(UsageError) in o.rolesAnywhere.privateKey = try OptionValue.path(name, v) }),
        .init(["--intermediates"], "FILE", group: .rolesAnywhere, help: "intermediate CA certificates (PEM)",
              profileKey: "roles_anywhere_intermediates", takesFile: true,
              kind: .value { o, name, v throws(UsageError) in o.rolesAnywhere.intermediates = try OptionValue.path(name, v) }),
        .init(["--trust-anchor-arn"], "ARN", group: .rolesAnywhere, help: "trust anchor; its region is the endpoint's",
              profileKey: "roles_anywhere_trust_anchor_arn",
              kind: .value { o, _, v throws(UsageError) in o.rolesAnywhere.trustAnchorArn = v }),
        .init(["--profile-arn"], "ARN", group: .rolesAnywhere, help: "Roles Anywhere profile",
              profileKey: "roles_anywhere_profile_arn",
              kind: .value { o, _, v throws(UsageError) in o.rolesAnywhere.profileArn = v }),
        .init(["--session-duration"], "DURATION", group: .rolesAnywhere, help: "session length, 15m to 12h",
              profileKey: "roles_anywhere_session_duration", defaultValue: "1h",
              kind: .value { o, name, v throws(UsageError) in
                  let ms = try OptionValue.duration(name, v)
                  guard ms % 1000 == 0, RolesAnywhereSettings.durationRange.contains(Int(ms / 1000)) else {
                      throw UsageError("\(name) must be whole seconds from 15m to 12h, not \(DurationText.format(millis: ms))")
                  }
                  o.rolesAnywhere.sessionDurationSeconds = Int(ms / 1000)
              }),
    ]

    static let instanceMetadata: [OptionSpec] = [
        .init(["--role"], "NAME", group: .instanceMetadata, help: "IMDS role name, skips discovery",
              environment: ["AWS_EC2_INSTANCE_PROFILE_NAME"],
              kind: .value { o, name, v throws(UsageError) in
                  guard IAMValues.isRoleName(v) else { throw UsageError("\(name): '\(v.quotable(limit: 64))' is not a valid role name") }
                  o.role = v
              }),
        .init(["--imds-endpoint"], "URL", group: .instanceMetadata, help: "the instance metadata service",
              environment: ["AWS_EC2_METADATA_SERVICE_ENDPOINT", "AWS_EC2_METADATA_SERVICE_ENDPOINT_MODE"],
              profileKey: "ec2_metadata_service_endpoint",
              kind: .value { o, _, v throws(UsageError) in o.imdsEndpoint = v }),
        .init(["--allow-imdsv1"], group: .instanceMetadata,
              help: "permit the unauthenticated IMDSv1 fallback (AWS_EC2_METADATA_V1_DISABLED=true refuses it)",
              kind: .flag { $0.allowIMDSv1 = true }),
        .init(["--timeout"], "DURATION", group: .instanceMetadata, help: "per request, connect + read",
              environment: ["AWS_METADATA_SERVICE_TIMEOUT"], profileKey: "metadata_service_timeout", defaultValue: "1s",
              kind: .value { o, name, v throws(UsageError) in
                  let ms = try OptionValue.duration(name, v)
                  guard ms >= 1 else { throw UsageError("\(name) must be more than zero") }
                  o.timeoutMillis = ms
              }),
        .init(["--attempts"], "N", group: .instanceMetadata, help: "attempts per request",
              environment: ["AWS_METADATA_SERVICE_NUM_ATTEMPTS"], profileKey: "metadata_service_num_attempts",
              defaultValue: "3",
              kind: .value { o, name, v throws(UsageError) in
                  o.attempts = try IAMValues.attempts(v, from: name)
              }),
    ]

    static let command: [OptionSpec] = [
        .init(["--no-region"], group: .command, help: "do not set AWS_REGION / AWS_DEFAULT_REGION",
              kind: .flag { $0.noRegion = true }),
        .init(["--no-core-dumps"], group: .command,
              help: "COMMAND may not write a core file with its keys (its RLIMIT_CORE is set to 0)",
              kind: .flag { $0.noCoreDumps = true }),
        .init(["--on-rotate"], "none|restart|signal[:SIG]", group: .command,
              help: "what happens to COMMAND when the credentials rotate; signal needs --serve", defaultValue: "none",
              choices: ["none", "restart", "signal"],
              kind: .value { o, name, v throws(UsageError) in o.onRotate = try OptionValue.onRotate(name, v) }),
        .init(["--refresh-before"], "DURATION", group: .command, help: "refresh this long before expiry", defaultValue: "15m",
              kind: .value { o, name, v throws(UsageError) in o.refreshBeforeMillis = try OptionValue.duration(name, v) }),
        .init(["--stop-signal"], "SIG", group: .command, help: "signal that stops COMMAND", defaultValue: "TERM",
              kind: .value { o, name, v throws(UsageError) in o.stopSignal = try OptionValue.signal(name, v, rotation: false) }),
        .init(["--stop-timeout"], "DURATION", group: .command, help: "wait this long before SIGKILL", defaultValue: "10s",
              kind: .value { o, name, v throws(UsageError) in o.stopTimeoutMillis = try OptionValue.duration(name, v) }),
        .init(["--serve"], group: .command, help: "serve credentials on a local endpoint instead of static keys",
              kind: .flag { $0.serve = true }),
        .init(["--exec"], group: .command, help: "replace this process with COMMAND (no supervision, no rotation)",
              kind: .flag { $0.exec = true }),
    ]

    /// The agent (spec §10).
    static let agent: [OptionSpec] = [
        .init(["--agent"], group: .agent, help: "start the agent and print WITH_ROLE_CREDS_AGENT=… for eval",
              kind: .flag { $0.agent = true }),
        .init(["--agent-idle"], "DURATION", group: .agent, help: "the agent ends after this long unused", defaultValue: "1h",
              kind: .value { o, name, v throws(UsageError) in
                  let ms = try OptionValue.duration(name, v)
                  guard ms >= 1000 else { throw UsageError("\(name) must be at least 1s") }
                  o.agentIdleMillis = ms
              }),
        .init(["--agent-stop"], group: .agent, help: "stop the agent WITH_ROLE_CREDS_AGENT names", kind: .flag { $0.agentStop = true }),
        .init(["--no-agent"], group: .agent, help: "fetch directly, ignoring WITH_ROLE_CREDS_AGENT", kind: .flag { $0.noAgent = true }),
    ]

    static let other: [OptionSpec] = [
        .init(["--check"], group: .other, help: "fetch once, print a summary without secrets, exit",
              kind: .flag { $0.check = true }),
        .init(["--json"], group: .other, help: "with --check: the summary as one JSON object (with --agent: its socket and pid)", kind: .flag { $0.json = true }),
        .init(["-v", "--verbose"], group: .other, help: "say what is fetched, on stderr", kind: .flag { $0.logLevel = .verbose }),
        .init(["-q", "--quiet"], group: .other, help: "print only errors", kind: .flag { $0.logLevel = .quiet }),
        .init(["--version"], group: .other, help: "print the version", kind: .version),
        .init(["-h", "--help"], group: .other, help: "print this help", kind: .help),
    ]

    /// Every option name, in the order `--help` lists them.
    public static var names: [String] { all.flatMap(\.names) }

    /// The entry for `name` as typed (`--timeout`, `-v`), if there is one.
    public static func spec(named name: String) -> OptionSpec? {
        all.first { $0.names.contains(name) }
    }
}

/// Checks of option values shared by several entries: each returns the value or throws a one-line error
/// that names the option as typed.
enum OptionValue {
    static func duration(_ name: String, _ text: String) throws(UsageError) -> Int64 {
        guard let ms = DurationText.parseMillis(text) else {
            throw UsageError("\(name): '\(text.quotable(limit: 40))' is not a duration (try 90s, 15m, 1h30m)")
        }
        return ms
    }

    static func roleArn(_ name: String, _ text: String) throws(UsageError) -> String {
        try IAMValues.checkRoleArn(text, from: name)
        return text
    }

    static func path(_ name: String, _ text: String) throws(UsageError) -> String {
        guard !text.isEmpty else { throw UsageError("\(name) needs a file path, not an empty value") }
        return text
    }

    static func onRotate(_ name: String, _ text: String) throws(UsageError) -> Options.OnRotate {
        switch text {
        case "none": return .none
        case "restart": return .restart
        case "signal": return .signal(SIGHUP)
        default:
            guard text.hasPrefix("signal:") else {
                throw UsageError("\(name) must be none, restart or signal[:SIG], not '\(text.quotable(limit: 40))'")
            }
            return .signal(try signal(name, String(text.dropFirst(7)), rotation: true))
        }
    }

    /// A signal COMMAND can be sent: never SIGKILL or SIGSTOP, which it could not handle.
    static func signal(_ name: String, _ text: String, rotation: Bool) throws(UsageError) -> Int32 {
        guard let sig = SignalName.parse(text) else {
            throw UsageError("\(name): '\(text.quotable(limit: 40))' is not a signal that can be sent (try HUP, SIGTERM or 15)")
        }
        switch (sig, rotation) {
        case (SIGKILL, true), (SIGSTOP, true):
            throw UsageError("\(name): \(SignalName.name(sig)) is not allowed as a rotation signal (it cannot be caught; "
                             + "use a signal COMMAND handles, such as HUP or USR1, or --on-rotate restart)")
        case (SIGKILL, false):
            throw UsageError("\(name): SIGKILL is not allowed as the stop signal (a stop already ends in SIGKILL after "
                             + "--stop-timeout; use a signal COMMAND handles, such as TERM or INT)")
        case (SIGSTOP, false):
            throw UsageError("\(name): SIGSTOP is not allowed as the stop signal (it pauses COMMAND instead of ending it; "
                             + "use TERM or INT)")
        default:
            return sig
        }
    }
}
